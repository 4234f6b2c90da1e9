"""Staff pages of identity custody: the case page's identity panel, an officer's request, the
recorded showing of an identity, the custodians' inbox and decisions, the admins' list of
custodians, and the at-risk flag."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.access import roles_required, staff_user
from portal.accounts.models import Role, Team, User
from portal.accounts.queries import list_teams, list_users
from portal.cases.forms import choices
from portal.cases.identity import operations, queries
from portal.cases.identity.forms import (
    CustodianForm,
    DecisionForm,
    IdentityRequestForm,
    RiskForm,
    ShowIdentityForm,
)
from portal.cases.identity.models import IdentityCustodian, RequestState
from portal.cases.models import Case
from portal.cases.page import Section, case_or_404, register_case_section, run_and_redirect
from portal.db import db, unit_of_work
from portal.intake.models import Report

bp = Blueprint("identity", __name__, url_prefix="/petugas")
ANCHOR = "#identity"
STATE_LABELS = {
    RequestState.PENDING: _l("waiting for a custodian"),
    RequestState.APPROVED: _l("approved"),
    RequestState.REFUSED: _l("refused"),
}


def identity_section(case: Case, user: User) -> Section:
    """The case page's panel: the at-risk flag (with LPSK), and the held identities."""
    reports = [r for r in case.reports if queries.is_held(r)]
    requests = queries.list_requests(case)
    data = {
        "is_at_risk": queries.is_at_risk(case.id),
        "is_gate_on": queries.is_gate_on(),
        "held": reports,
        "requests": requests,
        "grants": {r.id: queries.get_grant(user, r) is not None for r in reports},
        "waiting": {q.report_id for q in requests if q.state == "pending"},
        "needed": queries.required_approvals(case),
        "state_labels": STATE_LABELS,
        "is_custodian": queries.is_custodian_for(user, case),
        "risk_form": RiskForm(formdata=None),
        "show_form": ShowIdentityForm(formdata=None),
    }
    return Section("cases/identity/_section.html", data, place="before_reports")


@bp.record_once
def _show_on_case_page(state: BlueprintSetupState) -> None:
    register_case_section(state.app, identity_section)


def _back(case: Case) -> Response:
    return redirect(url_for("cases.detail", case_id=case.id) + ANCHOR, code=303)


def _held_report(case: Case, report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None or report.case_id != case.id:
        abort(404)
    return report


@bp.route("/kasus/<int:case_id>/identitas/<int:report_id>/minta", methods=["GET", "POST"])
@roles_required()
def request_identity(case_id: int, report_id: int) -> ResponseReturnValue:
    """Ask a custodian for a confidential reporter's identity, with a reason."""
    case = case_or_404(case_id)
    report = _held_report(case, report_id)
    if not queries.is_held(report):  # named, anonymous, or no custodian on this install
        abort(404)
    form = IdentityRequestForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                operations.request_identity(
                    case=case, report=report, requester=staff_user(), reason=form.reason.data
                )
        except operations.IdentityError as err:
            form.form_errors.append(str(err))
        else:
            flash(_("Your request was sent to the custodians."), "success")
            return _back(case)
    return render_template("cases/identity/request.html", form=form, case=case, report=report)


@bp.post("/kasus/<int:case_id>/identitas/<int:report_id>/lihat")
@roles_required()
def show_identity(case_id: int, report_id: int) -> ResponseReturnValue:
    """Show an identity to the officer a custodian allowed; the showing is in the history."""
    case = case_or_404(case_id)
    report = _held_report(case, report_id)
    if not ShowIdentityForm().validate_on_submit():
        return _back(case)
    try:
        with unit_of_work():
            identity = operations.show_identity(report=report, viewer=staff_user())
    except operations.IdentityError as err:
        flash(str(err), "error")
        return _back(case)
    response = make_response(
        render_template("cases/identity/show.html", case=case, identity=identity)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/kasus/<int:case_id>/risiko")
@roles_required()
def set_risk(case_id: int) -> ResponseReturnValue:
    """Flag the reporter as at risk of retaliation, or clear the flag."""
    case = case_or_404(case_id)
    form = RiskForm()
    if not form.validate_on_submit():
        abort(400)
    is_at_risk = form.is_at_risk.data == "1"
    return run_and_redirect(
        lambda: operations.set_at_risk(case=case, is_at_risk=is_at_risk, actor=staff_user()),
        _("The reporter is marked at risk.") if is_at_risk else _("The at-risk mark was removed."),
        url_for("cases.detail", case_id=case.id) + ANCHOR,
    )


# Custodians -----------------------------------------------------------------------------------


@bp.get("/identitas")
@roles_required()
def inbox() -> ResponseReturnValue:
    """A custodian's waiting requests: case, reporter's label, who asks and why."""
    user = staff_user()
    if not queries.is_custodian(user):
        abort(403)
    rows = queries.list_pending_for(user)
    return render_template(
        "cases/identity/inbox.html",
        requests=rows,
        at_risk=queries.list_at_risk(r.case_id for r in rows),
        form=DecisionForm(formdata=None),
    )


@bp.post("/identitas/<int:request_id>/keputusan")
@roles_required()
def decide(request_id: int) -> ResponseReturnValue:
    """A custodian approves or refuses a request of a case they hold (404 otherwise)."""
    user = staff_user()
    row = queries.get_request(request_id)
    if row is None or not queries.is_custodian_for(user, row.case):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    return run_and_redirect(
        lambda: operations.decide_request(
            request=row,
            custodian=user,
            approve=form.decision.data == "approve",
            note=form.note.data,
        ),
        _("Your decision was recorded."),
        url_for("identity.inbox"),
    )


@bp.route("/admin/kustodian", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def custodians() -> ResponseReturnValue:
    """Who holds reporters' identities, for which teams; appoint another."""
    form = CustodianForm()
    staff = [u for u in list_users() if u.is_active]
    form.user.choices = choices([("", "—")] + [(u.id, f"{u.name} ({u.email})") for u in staff])
    form.team.choices = choices(
        [(0, _("Every case of the portal"))] + [(t.id, t.name) for t in list_teams()]
    )
    if form.validate_on_submit():
        user = db.session.get(User, form.user.data or 0)
        team = db.session.get(Team, form.team.data) if form.team.data else None
        if user is None or (form.team.data and team is None):
            form.user.errors = [_("Choose a staff member.")]
        else:
            try:
                with unit_of_work():
                    operations.appoint_custodian(user=user, team=team, actor=staff_user())
            except operations.IdentityError as err:
                form.form_errors.append(str(err))
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("identity.custodians"), code=303)
    return render_template(
        "cases/identity/custodians.html", form=form, rows=queries.list_custodians()
    )


@bp.post("/admin/kustodian/<int:row_id>/akhiri")
@roles_required(Role.ADMIN)
def dismiss(row_id: int) -> ResponseReturnValue:
    """End a custodian appointment."""
    row = db.session.get(IdentityCustodian, row_id) or abort(404)
    with unit_of_work():
        operations.dismiss_custodian(row, actor=staff_user())
    flash(_("The appointment ended."), "success")
    return redirect(url_for("identity.custodians"), code=303)
