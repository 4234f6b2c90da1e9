"""The privacy notice (public), the retention admin page, and legal holds on the case page."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.access import public, roles_required, staff_user
from portal.accounts.models import Role, User
from portal.cases.models import Case
from portal.cases.page import Section, case_or_404, register_case_section
from portal.db import unit_of_work, utcnow
from portal.privacy.forms import LegalHoldForm, LiftHoldForm
from portal.privacy.operations import PrivacyError, lift_legal_hold, place_legal_hold
from portal.privacy.policy import Kind, days_for, notice_version, parse_schedule
from portal.privacy.queries import (
    get_active_hold,
    get_last_run,
    get_schedule,
    list_active_holds,
    list_due,
)

bp = Blueprint("privacy", __name__)
HOLDERS = (Role.SUPERVISOR, Role.ADMIN)


def hold_section(case: Case, user: User) -> Section:
    """The case page's legal-hold panel: the hold in force, or the form to place one."""
    data = {
        "hold": get_active_hold(case.id),
        "may_hold": user.role in HOLDERS,
        "hold_form": LegalHoldForm(formdata=None),
        "lift_form": LiftHoldForm(formdata=None),
    }
    return Section("privacy/_case_hold.html", data, place="before_history")


@bp.record_once
def _show_on_case_page(state: BlueprintSetupState) -> None:
    parse_schedule(state.app.config["RETENTION_SCHEDULE"])  # a bad schedule stops the start
    register_case_section(state.app, hold_section)


@bp.get("/privasi")
@public
def notice() -> ResponseReturnValue:
    """The privacy notice, its retention periods written from the schedule itself."""
    rules = get_schedule()
    return render_template(
        "privacy/notice.html",
        version=notice_version(rules),
        periods={kind: days_for(rules, kind) for kind in Kind},
        controller=current_app.config["PRIVACY_CONTROLLER"],
        contact=current_app.config["PRIVACY_CONTACT"],
    )


@bp.get("/petugas/admin/retensi")
@roles_required(Role.ADMIN)
def retention() -> ResponseReturnValue:
    """The retention schedule, the last run, the holds in force, and what the next run does."""
    due = list_due(now=utcnow())
    return render_template(
        "privacy/retention.html",
        rules=get_schedule(),
        last_run=get_last_run(),
        holds=list_active_holds(),
        due=due[:100],
        due_count=len(due),
    )


def _back(case: Case) -> ResponseReturnValue:
    return redirect(url_for("cases.detail", case_id=case.id) + "#legal-hold", code=303)


@bp.post("/petugas/kasus/<int:case_id>/tahan-hukum")
@roles_required(*HOLDERS)
def place_hold(case_id: int) -> ResponseReturnValue:
    """Place a legal hold on the case (a reason is required)."""
    case = case_or_404(case_id)
    form = LegalHoldForm()
    if not form.validate_on_submit():
        for error in form.reason.errors or form.errors.get("csrf_token", []):
            flash(str(error), "error")
        return _back(case)
    try:
        with unit_of_work():
            place_legal_hold(case=case, actor=staff_user(), reason=form.reason.data)
    except PrivacyError as err:
        flash(str(err), "error")
        return _back(case)
    flash(
        _("The legal hold was placed: no data of this case is erased until it is lifted."),
        "success",
    )
    return _back(case)


@bp.post("/petugas/kasus/<int:case_id>/tahan-hukum/lepas")
@roles_required(*HOLDERS)
def lift_hold(case_id: int) -> ResponseReturnValue:
    """Lift the case's legal hold."""
    case = case_or_404(case_id)
    if not LiftHoldForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return _back(case)
    try:
        with unit_of_work():
            lift_legal_hold(case=case, actor=staff_user())
    except PrivacyError as err:
        flash(str(err), "error")
        return _back(case)
    flash(_("The legal hold was lifted: the retention schedule applies again."), "success")
    return _back(case)
