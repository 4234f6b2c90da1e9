"""Officer views of triage: set the priority, re-categorise, transfer to another team."""

from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from portal.access import roles_required, staff_user
from portal.accounts.models import Role, Team, User
from portal.cases.forms import choices
from portal.cases.models import Case
from portal.cases.page import Section, case_or_404, register_case_section, run_and_redirect
from portal.cases.queries import get_case_for
from portal.cases.triage.forms import CategoryForm, PriorityForm, TransferForm
from portal.cases.triage.operations import (
    PRIORITIES,
    recategorise_case,
    set_priority,
    transfer_case,
)
from portal.cases.workflow import CaseError, StaleCase
from portal.db import db, unit_of_work
from portal.i18n import current_language
from portal.reference.models import Category

bp = Blueprint("triage", __name__, url_prefix="/petugas/kasus")
ANCHOR = "#triage"


def _forms(case: Case, bound: bool) -> tuple[PriorityForm, CategoryForm, TransferForm]:
    kwargs: dict = {} if bound else {"formdata": None}
    priority = PriorityForm(**kwargs, version=case.version, priority=case.priority or 0)
    priority.priority.choices = choices(PRIORITIES.items())
    category = CategoryForm(**kwargs, version=case.version, category=case.category_id)
    rows = db.session.scalars(sa.select(Category).order_by(Category.sort_order)).all()
    category.category.choices = choices((c.id, c.name(current_language())) for c in rows)
    transfer = TransferForm(**kwargs, version=case.version)
    teams = db.session.scalars(
        sa.select(Team).where(Team.is_active.is_(True), Team.id != case.team_id).order_by(Team.name)
    ).all()
    transfer.team.choices = choices([("", "—")] + [(t.id, t.name) for t in teams])
    return priority, category, transfer


def triage_section(case: Case, user: User) -> Section:
    """The case page's triage panel: priority, category, transfer."""
    priority, category, transfer = _forms(case, bound=False)
    data = {
        "priority_form": priority,
        "category_form": category,
        "transfer_form": transfer,
    }
    return Section("cases/triage/_section.html", data, place="before_reports")


@bp.app_template_global()
def priority_label(priority: int | None) -> str:
    """A priority in words (queue, case page, history)."""
    return str(PRIORITIES.get(priority or 0, priority))


@bp.record_once
def _show_on_case_page(state: BlueprintSetupState) -> None:
    register_case_section(state.app, triage_section)


def _back(case: Case) -> Response:
    return redirect(url_for("cases.detail", case_id=case.id) + ANCHOR, code=303)


def _refused(form: FlaskForm, case: Case) -> Response:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")
    return _back(case)


@bp.post("/<int:case_id>/prioritas")
@roles_required()
def priority(case_id: int) -> Response:
    """Set the case's priority."""
    case = case_or_404(case_id)
    form = _forms(case, bound=True)[0]
    if not form.validate_on_submit():
        return _refused(form, case)
    return run_and_redirect(
        lambda: set_priority(
            case=case,
            priority=form.priority.data,
            actor=staff_user(),
            expected_version=form.expected_version(),
        ),
        _("The priority was set."),
        url_for("cases.detail", case_id=case.id) + ANCHOR,
    )


@bp.post("/<int:case_id>/kategori")
@roles_required()
def recategorise(case_id: int) -> Response:
    """Move the case to another category; routing is checked again."""
    case = case_or_404(case_id)
    form = _forms(case, bound=True)[1]
    if not form.validate_on_submit():
        return _refused(form, case)
    category = db.get_or_404(Category, form.category.data)
    return _moving(
        case,
        lambda: recategorise_case(
            case=case,
            category=category,
            actor=staff_user(),
            expected_version=form.expected_version(),
        ),
        _("The category was changed."),
    )


@bp.post("/<int:case_id>/alihkan")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def transfer(case_id: int) -> Response:
    """Transfer the case to another team or agency (its supervisors are emailed)."""
    case = case_or_404(case_id)
    form = _forms(case, bound=True)[2]
    if not form.validate_on_submit():
        return _refused(form, case)
    team = db.get_or_404(Team, form.team.data)

    def move() -> Team:
        if form.expected_version() != case.version:
            raise StaleCase()
        transfer_case(case=case, team=team, actor=staff_user(), reason=form.reason.data)
        return team

    return _moving(case, move, _("The case was transferred."))


def _moving(case: Case, action: Callable[[], Team | None], success: str) -> Response:
    """Run a change that may move the case to another team: when the user can no longer see
    it there, go back to the queue, saying where it went."""
    try:
        with unit_of_work():
            moved_to = action()
    except (CaseError, StaleDataError) as err:
        flash(str(err) if isinstance(err, CaseError) else str(StaleCase()), "error")
        return _back(case)
    flash(success, "success")
    if moved_to is not None:
        flash(_("The case is now with %(team)s.", team=moved_to.name), "success")
        if get_case_for(staff_user(), case.id) is None:
            return redirect(url_for("cases.queue"), code=303)
    return _back(case)
