"""Public intake views: home, report form, receipt, tracking, status and replies.

No account is needed. The tracking code travels only in POST bodies; after it is checked the
session remembers the report id (never the code) for a limited idle time.
"""

import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.access import public
from portal.cases.registration.document import laporan_pdf
from portal.cases.registration.queries import get_laporan_of
from portal.clock import local_today
from portal.db import DatabaseBusy, db, unit_of_work, utcnow
from portal.evidence.storage import StorageUnavailable
from portal.extensions import csrf, limiter
from portal.intake import statuspage
from portal.intake.drafts import REQUIRED, HeldFile, ReportDraft, check_screenshots
from portal.intake.filing import (
    FORM_BINDING_KEY,
    RECEIPT_KEY,
    check_form,
    chosen_category,
    drop_removed,
    earlier_submission,
    file_report,
    fill_choices,
    form_owner,
    form_session_secret,
    held_for,
    held_receipt_code,
    keep_refused_files,
    read_draft,
    to_utc,
)
from portal.intake.formal.filing import (
    CHECK_STEP,
    OPEN_STEP,
    WITNESS_STEP,
    add_witness_row,
    check_formal,
    complete_formal,
    completion_draft,
    form_checklist,
    formal_errors,
    formal_form,
    keep_id_card,
)
from portal.intake.formal.forms import CompletionForm, FormalForm
from portal.intake.forms import ForgetForm, ReplyForm, ReportForm, TrackForm
from portal.intake.inputs import chosen_files, read_files
from portal.intake.labels import (
    VISIBILITY_HELP,
    decision_label,
    event_label,
    status_label,
    timeline_label,
)
from portal.intake.models import Report
from portal.intake.operations import ScreenshotRejected, reply_to_case
from portal.intake.queries import get_report_by_code
from portal.intake.receipt import TEMPLATE, receipt_context, receipt_filename, receipt_pdf
from portal.intake.statuspage import (
    no_store,
    report_meta,
    status_html,
    status_key,
    tracked_status_html,
)
from portal.intake.tracked import (
    forget_tracked,
    remember_tracked,
    tracked_report,
    tracked_report_id,
)
from portal.intake.tracking import new_idempotency_key, normalize_code
from portal.intake.windows import form_notice
from portal.pagecache import cached_page
from portal.pdf import PdfUnavailable
from portal.reference.groups import group_categories
from portal.reference.queries import list_categories, list_regions
from portal.security import unlimited

bp = Blueprint("intake", __name__)
bp.record_once(statuspage.register)

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# A refused upload says what happened (RFC 9110): too large (413), not an image type we take
# (415), or an image we took but could not read or that fails a check (422).
UPLOAD_STATUS = {"too_large": 413, "unsupported_type": 415, "not_an_image": 415}
# The buttons of the form without scripts: go on with the chosen category, or choose again;
# open the formal laporan's questions, check its checklist, add a witness row (intake/formal).
CATEGORY_STEP, CHANGE_STEP = "category", "change"
FORMAL_STEPS = (OPEN_STEP, CHECK_STEP, WITNESS_STEP)
FORM_KEY_MARK = "__portal-form-key__"


def _limit(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _is_step() -> bool:
    """Choosing or changing the category without scripts stores nothing: not a filing attempt."""
    return request.form.get("step") in (CATEGORY_STEP, CHANGE_STEP, *FORMAL_STEPS)


@bp.get("/")
@public
@unlimited
def home() -> str:
    """The front door: file a report or follow one, and what anonymity means here."""
    return cached_page(lambda: render_template("intake/home.html"))


@bp.route("/lapor", methods=["GET", "POST"])
@public
@csrf.exempt  # the form checks its own token, so a refusal keeps what the resident typed
@limiter.limit(_limit("REPORT_RATE_LIMIT"), methods=["POST"], exempt_when=lambda: _is_step())
def report() -> ResponseReturnValue:
    """The report form; a valid post files the report and redirects to the receipt."""
    if request.method == "GET":
        return empty_report_form()
    categories, regions = list_categories(), list_regions()
    form = ReportForm()
    fill_choices(form, categories, regions)
    if not IDEMPOTENCY_KEY.fullmatch(form.idempotency_key.data or ""):
        form.idempotency_key.data = new_idempotency_key()
    form_session_secret()  # the session that renders the form holds the secret its marks need
    formal = formal_form()
    step = request.form.get("step")
    if step in (CATEGORY_STEP, CHANGE_STEP):
        return category_step(form, categories, is_change=step == CHANGE_STEP)
    if step in FORMAL_STEPS:
        return formal_step(form, formal, categories, regions, step=step)
    if form.website.data:  # honeypot: a bot; store nothing and say nothing useful
        form.website.data = ""
        return render_report_form(
            form,
            categories,
            status=400,
            notice=_("Your report could not be sent. Please check the form and send it again."),
        )
    drop_removed(form)
    checked = check_form(form, categories, regions)
    formal_checked = check_formal(
        formal, visibility=form.visibility.data or "", today=local_today(), owner=form_owner(form)
    )
    # A second click gets the first receipt, although the files it names are claimed by now.
    outcome = earlier_submission(checked.read)
    try:
        if outcome is None:
            if checked.draft is None or not formal_checked.is_valid:
                held, problem = keep_refused_files(form, checked.read, checked.upload_problem)
                keep_id_card(formal, owner=form_owner(form))
                status = upload_status(problem)
                if status == 400 and "id_card" in formal.errors:
                    status = 415  # the ID card photo is not an image we take
                return render_report_form(
                    form,
                    categories,
                    checked.question_errors,
                    status,
                    held=held,
                    formal=formal,
                    read=checked.read,
                )
            outcome = file_report(checked.draft, formal_checked.draft)
    except ScreenshotRejected as rejected:
        held, _problem = keep_refused_files(form, checked.read, "rejected")
        form.screenshots.errors = [f"“{rejected.filename}”: {rejected.message}"]
        return render_report_form(form, categories, status=upload_status(rejected.code), held=held)
    except (DatabaseBusy, StorageUnavailable) as unavailable:
        page, status = render_report_form(
            form, categories, status=503, notice=str(unavailable.portal_message)
        )
        return page, status, retry_after(unavailable)
    session[RECEIPT_KEY] = {"report_id": outcome[0].id, "key": form.idempotency_key.data}
    return redirect(url_for("intake.receipt"), code=303)


def category_step(form: ReportForm, categories: list, *, is_change: bool) -> tuple[str, int]:
    """Without scripts the category comes first: the whole form once one is chosen, the cards
    again to change it; what was typed travels along, and nothing is checked or stored yet."""
    held = held_for(form)
    if is_change:
        return render_report_form(form, categories, is_choosing=True, held=held)
    if chosen_category(form, categories) is None:
        form.category.errors = [str(REQUIRED["category"])]
        return render_report_form(form, categories, status=400, held=held)
    return render_report_form(form, categories, held=held)


def formal_step(
    form: ReportForm, formal: FormalForm, categories: list, regions: list, *, step: str
) -> tuple[str, int]:
    """Open the formal laporan's questions, show its checklist for the answers so far, or add
    a witness row; nothing is checked against the rules or stored."""
    if step == OPEN_STEP:
        formal.is_formal.data = True
    keep_id_card(formal, owner=form_owner(form))
    if step == WITNESS_STEP:
        add_witness_row(formal)
    read = read_draft(form, categories, regions)
    return render_report_form(form, categories, held=held_for(form), formal=formal, read=read)


def upload_status(problem: str | None) -> int:
    """The status of a refused form: what is wrong with the upload, else 400 (RFC 9110 15.5)."""
    if problem is None or problem == "required":
        return 400
    return UPLOAD_STATUS.get(problem, 422)


def retry_after(unavailable: DatabaseBusy | StorageUnavailable) -> dict[str, str]:
    """The Retry-After header of a 503 answered with a page of our own."""
    return {"Retry-After": str(unavailable.retry_after)}


def empty_report_form() -> str:
    """The form before anything is typed (with the category a link names), kept alike for
    every visitor: only its CSRF token and one-time key are theirs (portal/pagecache.py)."""
    form_session_secret()  # the session that renders the form holds the secret its marks need
    key = new_idempotency_key()

    def render() -> str:
        categories, regions = list_categories(), list_regions()
        form = ReportForm()
        fill_choices(form, categories, regions)
        form.idempotency_key.data = key
        chosen = next((c for c in categories if c.code == request.args.get("kategori")), None)
        if chosen is not None:  # a link (or the no-script first step) names the category
            form.category.data = chosen.id
        return render_report_form(form, categories, formal=formal_form())[0]

    # The legal-window notice counts from today's date.
    return cached_page(render, own={FORM_KEY_MARK: key}, key=local_today().isoformat())


def render_report_form(
    form: ReportForm,
    categories: list,
    question_errors: dict | None = None,
    status: int = 200,
    notice: str | None = None,
    is_choosing: bool = False,
    held: tuple[HeldFile, ...] = (),
    formal: FormalForm | None = None,
    read: ReportDraft | None = None,
) -> tuple[str, int]:
    """The form page, re-filled after a refusal with the files kept for it (`held`); chosen
    files that could not be kept must be chosen again.

    With a category chosen the page shows it and its questions only; otherwise the grouped
    category cards, and scripts show the rest of the form and the chosen category's questions.
    """
    chosen = None if is_choosing else chosen_category(form, categories)
    sent_files = chosen_files(request.files.getlist(form.screenshots.name))
    formal = formal or formal_form()
    return render_template(
        "intake/report.html",
        form=form,
        categories=[chosen] if chosen else categories,
        chosen=chosen,
        groups=group_categories(categories),
        values=request.form,
        question_errors={**(question_errors or {}), **formal_errors(formal)},
        notice=notice,
        held=held,
        held_hours=current_app.config["HELD_UPLOAD_HOURS"],
        files_lost=bool(sent_files) and not held,
        window=form_notice(chosen, form.learned_on.data, now=utcnow()),
        formal=formal,
        checklist=(
            form_checklist(formal, read, now=utcnow(), owner=form_owner(form)) if read else None
        ),
    ), status


@bp.get("/lapor/jendela")
@public
def window() -> ResponseReturnValue:
    """The form's legal-window notice for a category and a date known, as JSON (for the
    page's script; the page itself shows the same after each refusal or preview)."""
    category_id = request.args.get("category", type=int)
    category = next((c for c in list_categories() if c.id == category_id), None)
    try:
        learned_on = date.fromisoformat(request.args.get("learned_on", ""))
    except ValueError:
        learned_on = None
    notice = form_notice(category, learned_on, now=utcnow())
    return jsonify(notice.as_json() if notice else {"state": ""})


@bp.get("/laporan/tanda-terima")
@public
def receipt() -> ResponseReturnValue:
    """The receipt of the report this browser just filed: when, code, reference, what."""
    filed = filed_here()
    if filed is None:
        return redirect(url_for("intake.track"))
    response = Response(render_template(TEMPLATE, **receipt_context(*filed)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/laporan/tanda-terima.pdf")
@public
@limiter.limit(_limit("RECEIPT_PDF_RATE_LIMIT"))
def receipt_download() -> ResponseReturnValue:
    """The same receipt as a PDF, for the same browser only (it carries the tracking code)."""
    filed = filed_here()
    if filed is None:
        return redirect(url_for("intake.track"))
    try:
        pdf = receipt_pdf(*filed)
    except PdfUnavailable:
        flash(_("The PDF cannot be made right now: print this page or write the code down."))
        return redirect(url_for("intake.receipt"), code=303)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{receipt_filename(filed[0])}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def filed_here() -> tuple[Report, str] | None:
    """The report this browser filed and its code, while the form's mark lasts; None for any
    other browser, another session, or a session that names a report it did not file."""
    held = session.get(RECEIPT_KEY)
    if not isinstance(held, dict) or not isinstance(held.get("report_id"), int):
        return None
    report_row = db.session.get(Report, held["report_id"])
    key = held.get("key")
    code = report_row and isinstance(key, str) and held_receipt_code(report_row, key)
    return (report_row, code) if report_row is not None and code else None


@bp.route("/lacak", methods=["GET", "POST"])
@public
@limiter.limit(_limit("TRACK_RATE_LIMIT"), methods=["POST"])
def track() -> ResponseReturnValue:
    """Enter the tracking code; a good one opens the status page on this device."""
    form = TrackForm()
    if not form.validate_on_submit():
        return render_template("intake/track.html", form=form), (400 if form.errors else 200)
    code = normalize_code(form.code.data)
    found = code and get_report_by_code(code, key=current_app.config["TRACKING_KEY"])
    if not found:  # a malformed code and an unknown one get the very same answer
        form.code.errors = [
            _(
                "No report matches this code. Check each character and try "
                "again; dashes, spaces and capitals do not matter."
            )
        ]
        return render_template("intake/track.html", form=form), 400
    remember_tracked(found)
    return redirect(url_for("intake.status"), code=303)


@bp.get("/lacak/status")
@public
@unlimited
def status() -> ResponseReturnValue:
    """The status of the tracked report: timeline, messages, evidence, reply form."""
    report_id = tracked_report_id()
    meta = report_meta(report_id) if report_id is not None else None
    if report_id is None or meta is None:
        return redirect(url_for("intake.track"))
    render = partial(tracked_status_html, report_id, meta)
    return no_store(Response(cached_page(render, key=status_key(report_id, meta))))


def render_status(
    report_row: Report, reply_form: ReplyForm, code: int = 200, completion: Any = None
) -> Response:
    """The status page answering a form, never cached."""
    return no_store(Response(status_html(report_row, reply_form, completion), status=code))


@bp.post("/lacak/balas")
@public
@limiter.limit(_limit("REPLY_RATE_LIMIT"))
def reply() -> ResponseReturnValue:
    """The reporter answers: text and/or screenshots, added to their case."""
    report_row = tracked_report()
    if report_row is None:
        return redirect(url_for("intake.track"))
    form = ReplyForm()
    cfg = current_app.config
    files = read_files(request.files.getlist(form.screenshots.name))
    problem = check_screenshots(
        files, is_required=False, max_files=cfg["MAX_FILES"], max_bytes=cfg["MAX_FILE_BYTES"]
    )
    error = None if problem is None else str(problem.message)
    upload_problem = None if problem is None else problem.code
    if form.validate_on_submit() and problem is None:
        if not (form.body.data or "").strip() and not files:
            form.body.errors = [_("Write a reply or attach a screenshot.")]
        else:
            try:
                submit_reply(report_row, form.body.data or "", files)
                flash(_("Your reply was sent. Officers will see it with your report."), "reply")
                return redirect(url_for("intake.status") + "#messages", code=303)
            except ScreenshotRejected as rejected:
                error = f"“{rejected.filename}”: {rejected.message}"
                upload_problem = rejected.code
            except (DatabaseBusy, StorageUnavailable) as unavailable:
                form.body.errors = [str(unavailable.portal_message)]
                if files:
                    form.screenshots.errors = [
                        _("Browsers cannot keep chosen files: please attach the screenshots again.")
                    ]
                response = render_status(report_row, form, 503)
                response.headers.update(retry_after(unavailable))
                return response
    if error:
        form.screenshots.errors = [error]
    return render_status(report_row, form, upload_status(upload_problem))


def submit_reply(report_row: Report, body: str, files: Sequence[tuple[str, bytes]]) -> None:
    """Store the reply and its files, and commit; on a refused file nothing is left."""
    with unit_of_work():
        reply_to_case(report=report_row, body=body, files=files)


@bp.post("/lacak/lengkapi")
@public
@limiter.limit(_limit("REPLY_RATE_LIMIT"))
def complete() -> ResponseReturnValue:
    """The reporter completes her formal laporan as officers asked; a refusal keeps her
    answers by their fields and stores nothing."""
    report_row = tracked_report()
    if report_row is None:
        return redirect(url_for("intake.track"))
    form = CompletionForm(prefix="formal")
    draft, is_valid = completion_draft(form, today=local_today())
    if not is_valid or not complete_formal(report_row, draft, to_utc(form.incident_at.data)):
        return render_status(report_row, ReplyForm(formdata=None), 400, completion=form)
    flash(_("Thank you: your laporan was completed. Officers will check it."), "reply")
    return redirect(url_for("intake.status") + "#laporan", code=303)


@bp.get("/lacak/formulir.pdf")
@public
def laporan_form() -> ResponseReturnValue:
    """The reporter's own copy of her registered laporan form, to sign (this device only)."""
    report_row = tracked_report()
    laporan = get_laporan_of(report_row) if report_row is not None else None
    if laporan is None or laporan.registration_number is None:
        abort(404)
    try:
        data, name = laporan_pdf(laporan)
    except PdfUnavailable:
        abort(503)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/lacak/lupakan")
@public
def forget() -> ResponseReturnValue:
    """Forget the tracked report on this device (the code still works later)."""
    if not ForgetForm().validate_on_submit():
        abort(400)
    forget_tracked()
    session.pop(RECEIPT_KEY, None)
    session.pop(FORM_BINDING_KEY, None)  # and a form sent again from here is a new report
    return redirect(url_for("intake.track"), code=303)


@bp.context_processor
def _labels() -> dict:
    return {
        "status_label": status_label,
        "decision_label": decision_label,
        "event_label": event_label,
        "timeline_label": timeline_label,
        "visibility_help": VISIBILITY_HELP,
    }


@bp.app_template_filter("intake_mib")
def intake_mib(size: int) -> str:
    """A byte count in KiB/MiB for the receipt (no-break space before the unit)."""
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}\u00a0KiB"
    return f"{size / (1024 * 1024):.1f}\u00a0MiB"
