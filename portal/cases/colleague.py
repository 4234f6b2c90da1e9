"""Acting on a colleague's case: messaging, deciding, referring or publishing a case assigned
to another officer needs an explicit confirmation, and the confirmation is recorded."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from portal.access import staff_user
from portal.accounts.models import User
from portal.cases.history import record_event
from portal.cases.models import Case
from portal.cases.page import case_or_404
from portal.db import unit_of_work

FIELD = "for_colleague"  # the checkbox every guarded form carries (cases/_colleague.html)


def colleague_of(case: Case, user: User) -> User | None:
    """The officer the case is assigned to, when that is someone other than the user."""
    if case.assignee_id is None or case.assignee_id == user.id:
        return None
    return case.assignee


def confirms_colleague(action: str) -> Callable[[Callable], Callable]:
    """Refuse the view on a colleague's case unless the form confirms it; record the
    confirmation (who, which action, whose case) in the case history before the action."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(case_id: int, *args: Any, **kwargs: Any) -> Any:
            user = staff_user()
            case = case_or_404(case_id)
            colleague = colleague_of(case, user)
            if colleague is not None:
                if request.form.get(FIELD) != "y":
                    flash(
                        _(
                            "This case is assigned to %(name)s (%(email)s). Nothing was done: "
                            "tick “I am acting on my colleague's case” to go ahead (it is "
                            "recorded in the history).",
                            name=colleague.name,
                            email=colleague.email,
                        ),
                        "error",
                    )
                    return redirect(url_for("cases.detail", case_id=case.id), code=303)
                with unit_of_work():
                    record_event(
                        case,
                        "colleague_case_confirmed",
                        actor=user,
                        data={"action": action, "assignee": colleague.email},
                    )
            return view(case_id, *args, **kwargs)

        return wrapped

    return decorator
