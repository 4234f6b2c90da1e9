"""Officer views of formal laporan: the case-page section, completion requests, registration,
closing as not registrable, the audited ID card view and the official laporan form."""

import logging
from collections.abc import Sequence
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.access import roles_required, staff_user
from portal.accounts.models import Role, Team, User
from portal.accounts.queries import list_teams
from portal.cases.history import record_event
from portal.cases.identity.operations import record_identity_shown
from portal.cases.identity.queries import get_grant, is_gate_on, may_see_identity
from portal.cases.models import Case, Visibility
from portal.cases.page import Section, case_or_404, register_case_section, run_and_redirect
from portal.cases.registration.document import form_context, laporan_pdf
from portal.cases.registration.forms import (
    CompletionRequestForm,
    NotRegistrableForm,
    PatternForm,
    RegisterForm,
)
from portal.cases.registration.numbers import PatternRefused
from portal.cases.registration.operations import (
    close_not_registrable,
    register_laporan,
    request_completion,
    save_pattern,
)
from portal.cases.registration.queries import get_checklist, get_laporan, get_pattern, list_laporan
from portal.db import unit_of_work, utcnow
from portal.evidence.storage import StoredFileMissing, get_storage
from portal.intake.formal.models import FormalLaporan
from portal.pdf import PdfUnavailable
from portal.security import sandboxed

logger = logging.getLogger(__name__)
bp = Blueprint("registration", __name__, url_prefix="/petugas")


def registration_section(case: Case, user: User) -> Section | None:
    """Each formal laporan of the case with its checklist and the officer's moves; the other
    reports are informasi awal."""
    laporans = list_laporan(case)
    now = utcnow()
    informal = len(case.reports) - len(laporans)
    # A confidential reporter's identity is behind the custodian (cases/identity): the section
    # shows it only when it is not held; an officer with an approved request opens the
    # laporan form instead, and that showing is recorded.
    granted = {lap.id for lap in laporans if may_see_identity(user, lap.report)}
    held = {lap.id for lap in laporans if get_grant(user, lap.report) is not None}
    data: dict[str, Any] = {
        "laporans": [(lap, get_checklist(lap, now=now)) for lap in laporans],
        "identity_shown": {i for i in granted if i not in held or not is_gate_on()},
        "identity_granted": granted,
        "informal_count": informal,
        "completion_form": CompletionRequestForm(formdata=None),
        "register_form": RegisterForm(formdata=None),
        "close_form": NotRegistrableForm(formdata=None),
    }
    return Section("cases/registration/_section.html", data)


@bp.record_once
def _show_on_case_page(state: BlueprintSetupState) -> None:
    register_case_section(state.app, registration_section)


def laporan_or_404(case_id: int, laporan_id: int) -> tuple[Case, FormalLaporan]:
    """The laporan in the URL, when it belongs to the case the user may see."""
    case = case_or_404(case_id)
    laporan = get_laporan(laporan_id)
    if laporan is None or laporan.report.case_id != case.id:
        abort(404)
    return case, laporan


def _identity_allowed(laporan: FormalLaporan, what: str) -> None:
    """403 unless the user may see the reporter's identity; a held one shown is recorded."""
    user = staff_user()
    if not may_see_identity(user, laporan.report):
        abort(403)
    with unit_of_work():
        record_identity_shown(report=laporan.report, viewer=user, what=what)


def _back(case: Case) -> str:
    return url_for("cases.detail", case_id=case.id) + "#registration"


def _refused(form: Any, case: Case) -> ResponseReturnValue:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(_back(case), code=303)


@bp.post("/kasus/<int:case_id>/laporan/<int:laporan_id>/lengkapi")
@roles_required()
def ask_completion(case_id: int, laporan_id: int) -> ResponseReturnValue:
    """Ask the resident to complete the laporan."""
    case, laporan = laporan_or_404(case_id, laporan_id)
    form = CompletionRequestForm()
    if not form.validate_on_submit():
        return _refused(form, case)
    return run_and_redirect(
        lambda: request_completion(
            laporan=laporan,
            missing=form.missing.data or [],
            note=form.note.data or "",
            actor=staff_user(),
            now=utcnow(),
        ),
        _("The resident was asked to complete the laporan."),
        _back(case),
    )


@bp.post("/kasus/<int:case_id>/laporan/<int:laporan_id>/registrasi")
@roles_required()
def register(case_id: int, laporan_id: int) -> ResponseReturnValue:
    """Register the laporan: its number, who and when, the decision clock."""
    case, laporan = laporan_or_404(case_id, laporan_id)
    if not RegisterForm().validate_on_submit():
        abort(400)
    region = current_app.config["REGISTRATION_REGION_CODE"]
    return run_and_redirect(
        lambda: register_laporan(laporan=laporan, actor=staff_user(), now=utcnow(), region=region),
        _("The laporan was registered."),
        _back(case),
    )


@bp.post("/kasus/<int:case_id>/laporan/<int:laporan_id>/tolak")
@roles_required()
def not_registrable(case_id: int, laporan_id: int) -> ResponseReturnValue:
    """Close the laporan as not registrable, with the reason."""
    case, laporan = laporan_or_404(case_id, laporan_id)
    form = NotRegistrableForm()
    if not form.validate_on_submit():
        return _refused(form, case)
    return run_and_redirect(
        lambda: close_not_registrable(
            laporan=laporan, reason=form.reason.data or "", actor=staff_user(), now=utcnow()
        ),
        _("The laporan was closed as not registrable; the resident is told why."),
        _back(case),
    )


@bp.get("/kasus/<int:case_id>/laporan/<int:laporan_id>/ktp")
@sandboxed
@roles_required()
def id_card(case_id: int, laporan_id: int) -> Response:
    """The reporter's ID card photo (the cleaned copy), for staff of the case; every viewing
    is recorded in the case history."""
    case, laporan = laporan_or_404(case_id, laporan_id)
    identity = laporan.identity
    if identity is None or not identity.id_card_clean_key:
        abort(404)
    _identity_allowed(laporan, "id_card")
    try:
        data = get_storage().get(identity.id_card_clean_key)
    except StoredFileMissing:
        logger.error("Stored ID card missing for laporan %s", laporan.id)
        abort(404)
    with unit_of_work():
        record_event(
            case,
            "id_card_viewed",
            visibility=Visibility.INTERNAL,
            actor=staff_user(),
            data={"laporan_id": laporan.id},
        )
    mime = (identity.id_card or {}).get("clean_mime") or "application/octet-stream"
    response = Response(data, mimetype=mime)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/kasus/<int:case_id>/laporan/<int:laporan_id>/formulir")
@roles_required()
def official_form(case_id: int, laporan_id: int) -> ResponseReturnValue:
    """The official laporan form, pre-filled, as a page (in Indonesian, as it is filed)."""
    case, laporan = laporan_or_404(case_id, laporan_id)
    _identity_allowed(laporan, "laporan_form")
    with force_locale("id"):
        return render_template("cases/registration/laporan_form.html", **form_context(laporan))


@bp.get("/kasus/<int:case_id>/laporan/<int:laporan_id>/formulir.pdf")
@roles_required()
def official_form_pdf(case_id: int, laporan_id: int) -> ResponseReturnValue:
    """The same form as PDF, for the resident's signature."""
    _case, laporan = laporan_or_404(case_id, laporan_id)
    _identity_allowed(laporan, "laporan_form_pdf")
    try:
        data, name = laporan_pdf(laporan)
    except PdfUnavailable:
        abort(503)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/admin/nomor-registrasi", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def patterns() -> ResponseReturnValue:
    """Each team's registration number pattern (admins)."""
    teams = list_teams()
    form = PatternForm()
    status = 200
    if form.validate_on_submit():
        team_id = request_team_id(teams)
        try:
            with unit_of_work():
                save_pattern(team_id=team_id, pattern=form.pattern.data or "")
            flash(_("The pattern was saved."), "success")
            return redirect(url_for("registration.patterns"), code=303)
        except PatternRefused:
            form.pattern.errors = [
                _(
                    "Use {seq} once and only the fields listed below, for example {example}.",
                    example="{seq:03d}/Reg/LP/PW/{region}/{month_roman}/{year}",
                )
            ]
            status = 400
    rows = [(team, get_pattern(team.id)) for team in teams]
    return render_template("cases/registration/patterns.html", form=form, rows=rows), status


def request_team_id(teams: Sequence[Team]) -> int:
    """The team the posted pattern is for (404 for one that does not exist)."""
    team_id = request.form.get("team_id", type=int)
    if team_id is None or team_id not in {team.id for team in teams}:
        abort(404)
    return team_id
