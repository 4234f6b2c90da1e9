"""Officer views: the triage queue, the case page and its actions, bulk hand-over, and the
recorded download of a sealed original."""

import logging
from collections.abc import Callable
from typing import Any, cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from portal.access import roles_required, staff_user
from portal.accounts.models import Role, User
from portal.cases import (
    freshness,  # noqa: F401  (its listeners keep the page versions)
    kept,
    operations,
    queries,
)
from portal.cases.canned import fill_placeholders
from portal.cases.colleague import confirms_colleague
from portal.cases.forms import (
    AssignForm,
    ClaimForm,
    HandOverForm,
    MessageForm,
    NoteForm,
    StatusForm,
    TakeOverForm,
    choices,
)
from portal.cases.history import record_event
from portal.cases.models import Case, Status, Visibility
from portal.cases.page import (
    assignee_choices,
    case_or_404,
    clean_queue_args,
    detail_context,
    detail_key,
    keeps_detail,
    queue_context,
    queue_keep_for,
    queue_key,
)
from portal.cases.workflow import STATUS_LABELS, CaseError, StaleCase, change_status
from portal.db import db, unit_of_work, utcnow
from portal.evidence.models import Evidence
from portal.evidence.storage import StoredFileMissing, get_storage
from portal.intake.models import Report
from portal.security import sandboxed

# The prefix stops at /petugas: the sealed original lives at /petugas/bukti/.
bp = Blueprint("cases", __name__, url_prefix="/petugas")

logger = logging.getLogger(__name__)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
ORIGINAL_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


@bp.app_template_global()
def case_status_label(status: str) -> str:
    """The translated name of a case status (also used by email templates)."""
    try:
        return str(STATUS_LABELS[Status(status)])
    except ValueError:
        return status


@bp.get("/kasus/")
@roles_required()
def queue() -> str | tuple[str, int] | Response:
    """The triage queue: tabs with counts, filters, sort, search, keyset pages."""
    clean = clean_queue_args(request.args)
    if clean is not None:  # the filter form sends every field: keep its URL short, no "None"
        return redirect(url_for("cases.queue", **cast(dict[str, Any], clean)))
    user = staff_user()

    def render() -> str:
        return render_template("cases/queue.html", **queue_context(user, request.args))

    since = utcnow()  # before the rows are read: the next deadline after it ends the copy
    try:
        parts = queue_key(user, request.args)
        if parts is None:
            return render()
        return kept.kept_page(parts, render, keep_for=lambda: queue_keep_for(user, since))
    except queries.InvalidCursor:
        message = _("This page link is no longer valid. Start again from the first page.")
        return render_template("errors/error.html", code=400, message=message), 400


@bp.get("/kasus/<int:case_id>")
@roles_required()
def detail(case_id: int) -> str:
    """Everything about one case, with the moves the user may make; to a team that
    transferred the case away, where it went and why."""
    user = staff_user()
    peek = queries.peek_case_for(user, case_id)  # the access check, before any kept page
    if peek is None:
        away = queries.list_transfers_away(case_id, user.team_id)
        if not away:
            abort(404)
        return render_template("cases/transferred_away.html", transfers=away)
    to = request.args.get("to", type=int)
    shown: list[Case] = []

    def render() -> str:
        case = queries.get_case_for(user, case_id)
        if case is None:  # moved away since the peek
            abort(404)
        shown.append(case)
        return render_template("cases/detail.html", **detail_context(case, user, message_to=to))

    return kept.kept_page(
        detail_key(peek, user), render, keep=lambda: all(keeps_detail(c) for c in shown)
    )


@bp.record_once
def _keep_pages(state: BlueprintSetupState) -> None:
    kept.init_app(state.app)


@bp.get("/bukti/<int:evidence_id>/asli")
@sandboxed
@roles_required()
def original(evidence_id: int) -> Response:
    """The sealed original bytes, for staff of the case; every download is recorded."""
    evidence = db.get_or_404(Evidence, evidence_id)
    case = case_or_404(evidence.report.case_id)
    try:
        data = get_storage().get(evidence.original_key)
    except StoredFileMissing:
        logger.error("Stored file missing for a row: %s", evidence.original_key)
        abort(404)
    with unit_of_work():
        record_event(
            case,
            "original_downloaded",
            visibility=Visibility.INTERNAL,
            actor=staff_user(),
            data={"evidence_id": evidence.id, "sha256": evidence.sha256_original},
        )
    ext = ORIGINAL_EXTENSIONS.get(evidence.original_format, "bin")
    name = f"asli-{evidence.id}-{evidence.sha256_original[:12]}.{ext}"
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _back(case: Case, anchor: str = "") -> Response:
    return redirect(url_for("cases.detail", case_id=case.id) + anchor, code=303)


def _run(case: Case, action: Callable[[], object], success: str, anchor: str = "") -> Response:
    """Run an operation as one unit of work, and report the outcome as a flash message."""
    try:
        with unit_of_work():
            action()
    except (CaseError, StaleDataError) as err:
        flash(str(err) if isinstance(err, CaseError) else str(StaleCase()), "error")
        return _back(case, anchor)
    flash(success, "success")
    return _back(case, anchor)


def _form_errors(form: FlaskForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


@bp.post("/kasus/<int:case_id>/status")
@roles_required()
@confirms_colleague("status")
def change_case_status(case_id: int) -> Response:
    """Move the case along the lifecycle (the table decides which moves are legal)."""
    case = case_or_404(case_id)
    form = StatusForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(case, "#status")
    return _run(
        case,
        lambda: change_status(
            case=case,
            to=form.to.data,
            actor=staff_user(),
            reason=form.reason.data or None,
            reason_text=form.reason_text.data,
            outcome=form.outcome.data or None,
            summary=form.summary.data,
            expected_version=form.expected_version(),
        ),
        _("The status was changed."),
        "#status",
    )


@bp.post("/kasus/<int:case_id>/tugaskan")
@roles_required(*SUPERVISORS)
def assign(case_id: int) -> Response:
    """Assign or reassign the case to a member of its team."""
    case = case_or_404(case_id)
    form = AssignForm()
    form.assignee.choices = choices(assignee_choices(case))
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(case, "#assignment")
    assignee = db.session.get(User, form.assignee.data)
    return _run(
        case,
        lambda: operations.assign_case(
            case=case,
            assignee=assignee,
            actor=staff_user(),
            expected_version=form.expected_version(),
        ),
        _("The case was assigned."),
        "#assignment",
    )


@bp.post("/kasus/<int:case_id>/ambil")
@roles_required()
def claim(case_id: int) -> Response:
    """Take an unassigned case of one's own team."""
    case = case_or_404(case_id)
    if not ClaimForm().validate_on_submit():
        abort(400)
    return _run(
        case,
        lambda: operations.claim_case(case=case, officer=staff_user()),
        _("The case is now yours."),
        "#assignment",
    )


@bp.post("/kasus/<int:case_id>/ambil-alih")
@roles_required(*SUPERVISORS)
def take_over(case_id: int) -> Response:
    """A supervisor of the team takes a colleague's case over (recorded in the history)."""
    case = case_or_404(case_id)
    form = TakeOverForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(case, "#assignment")
    return _run(
        case,
        lambda: operations.take_over_case(
            case=case, supervisor=staff_user(), expected_version=form.expected_version()
        ),
        _("You took this case over."),
        "#assignment",
    )


@bp.post("/kasus/<int:case_id>/catatan")
@roles_required()
def add_note(case_id: int) -> Response:
    """Record an internal note (never shown to reporters)."""
    case = case_or_404(case_id)
    form = NoteForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(case, "#notes")
    return _run(
        case,
        lambda: operations.add_note(case=case, author=staff_user(), body=form.body.data),
        _("The note was saved."),
        "#notes",
    )


@bp.post("/kasus/<int:case_id>/pesan")
@roles_required()
@confirms_colleague("message")
def send_message(case_id: int) -> Response:
    """Write to one reporter of the case; the email only says there is news."""
    case = case_or_404(case_id)
    form = MessageForm()
    reports = {
        r.id: r for r in db.session.scalars(db.select(Report).where(Report.case_id == case.id))
    }
    form.report.choices = choices([(rid, str(rid)) for rid in reports])
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(case, "#messages")
    report = reports[form.report.data]
    again = f"?to={report.id}#messages"  # a refusal reopens the form for this reporter
    body = (form.body.data or "").strip()
    if not body and form.canned.data:
        offered = {
            c.id: c
            for c in queries.list_canned_replies(
                category_id=case.category_id, status=case.status, only_matching=True
            )
        }
        canned = offered.get(form.canned.data)
        if canned is None:
            flash(
                _("That canned reply is not offered for this case's category and status."), "error"
            )
            return _back(case, again)
        body = fill_placeholders(canned.body(report.language), case=case, language=report.language)
    if not body:
        flash(_("Write a message or choose a canned reply."), "error")
        return _back(case, again)
    return _run(
        case,
        lambda: operations.send_message(
            case=case,
            report=report,
            author=staff_user(),
            body=body,
            wait_for_reply=form.wait_for_reply.data,
        ),
        _("The message was sent to the reporter."),
        "#messages",
    )


@bp.route("/kasus/serah-terima", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def hand_over() -> str | Response:
    """Move all open cases of one officer to another officer of the same team."""
    user = staff_user()
    form = HandOverForm()
    team_id = user.team_id
    if user.role == Role.ADMIN:
        staff = db.session.scalars(
            db.select(User)
            .where(User.is_active.is_(True), User.team_id.is_not(None))
            .order_by(User.name)
        ).all()
    else:
        staff = queries.list_team_members(team_id)
    form.from_officer.choices = choices([(u.id, f"{u.name} ({u.email})") for u in staff])
    form.to_officer.choices = form.from_officer.choices
    if form.validate_on_submit():
        by_id = {u.id: u for u in staff}
        try:
            with unit_of_work():
                moved = operations.hand_over_cases(
                    from_officer=by_id[form.from_officer.data],
                    to_officer=by_id[form.to_officer.data],
                    actor=user,
                )
        except CaseError as err:
            flash(str(err), "error")
        else:
            flash(_("%(num)d open cases were handed over.", num=len(moved)), "success")
            return redirect(url_for("cases.hand_over"), code=303)
    _form_errors(form)
    return render_template("cases/hand_over.html", form=form)
