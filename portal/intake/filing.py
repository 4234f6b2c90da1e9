"""From a posted report form to a committed report: the steps the report view takes.

Kept out of views.py so the view reads as a table of contents. Nothing here decides a domain
rule: it reads the form into a ReportDraft, puts validate_draft()'s problems by their fields,
and files the draft in one unit of work.
"""

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, request, session
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from portal.clock import install_zone
from portal.db import unit_of_work, utcnow
from portal.i18n import current_language
from portal.intake.drafts import ANSWERS, DraftRules, HeldFile, ReportDraft, validate_draft
from portal.intake.formal.drafts import FormalDraft
from portal.intake.formal.operations import add_formal_laporan, store_id_card
from portal.intake.forms import ReportForm
from portal.intake.idempotency import FormHolder, form_lookup
from portal.intake.inputs import question_field_name, read_answers, read_files
from portal.intake.models import Report
from portal.intake.operations import submit_report
from portal.intake.queries import get_receipt_code, get_report_by_form
from portal.intake.uploads.operations import keep_files, list_holds, remove_holds, upload_owner
from portal.reference.models import Category, Region

logger = logging.getLogger(__name__)
NOTICE_VERSION = re.compile(r"[0-9A-Za-z.-]{1,32}")
FORM_BINDING_KEY = "intake_form_binding"  # session key of the secret bound into form marks
RECEIPT_KEY = "intake_receipt"  # session key naming the report this browser filed, and its form key
HELD_FIELD, REMOVE_FIELD = "held_upload", "remove_upload"  # ids of files received earlier


@dataclass(frozen=True)
class FormCheck:
    """The outcome of checking a posted form: the draft to file, or the problems to show."""

    draft: ReportDraft | None
    question_errors: dict[str, str]
    upload_problem: str | None  # the screenshots' problem code, which decides the status
    read: ReportDraft  # the draft as the form carried it (answers cleaned), valid or not


def fill_choices(form: ReportForm, categories: list[Category], regions: list[Region]) -> None:
    """Category and region choices in the reporter's language."""
    locale = current_language()
    blank = SelectChoice(0, _("— choose —"))
    form.category.choices = [SelectChoice(c.id, c.name(locale)) for c in categories]
    form.region.choices = [blank] + [SelectChoice(r.id, r.name) for r in regions]


def chosen_category(form: ReportForm, categories: list[Category]) -> Category | None:
    """The category the form carries, if it is one residents may choose."""
    return next((c for c in categories if c.id == form.category.data), None)


def web_rules() -> DraftRules:
    """What the web form asks of a report: a screenshot, the day found out, a phone in digits."""
    cfg = current_app.config
    return DraftRules(
        max_files=cfg["MAX_FILES"],
        max_file_bytes=cfg["MAX_FILE_BYTES"],
        max_links=cfg["MAX_LINKS"],
        is_screenshot_required=True,
        is_learned_on_required=True,
        is_phone_digits_only=True,
    )


def read_draft(form: ReportForm, categories: list[Category], regions: list[Region]) -> ReportDraft:
    """The submission a posted form carries; a value the form could not read is left out."""
    category = chosen_category(form, categories)
    named = held_ids()
    return ReportDraft(
        category=category,
        region=next((r for r in regions if r.id == form.region.data), None),
        reported_party=form.reported_party.data or "",
        description=form.description.data or "",
        language=current_language(),
        answers=read_answers(category, request.form) if category else {},
        links=tuple((form.links.data or "").splitlines()),
        screenshots=read_files(request.files.getlist(form.screenshots.name)),
        held=list_holds(named, owner=form_owner(form), now=utcnow()),
        held_named=tuple(named),
        incident_at=to_utc(form.incident_at.data),
        learned_on=form.learned_on.data,
        visibility=form.visibility.data or "",
        contact_name=form.contact_name.data,
        contact_email=form.contact_email.data,
        contact_phone=form.contact_phone.data,
        notice_version=seen_notice_version(form.notice_version.data),
        fears_retaliation=bool(form.fears_retaliation.data),
        idempotency_key=form.idempotency_key.data,
        idempotency_session=form_session_secret(),
    )


def seen_notice_version(text: str | None) -> str | None:
    """The privacy notice version the form carried, when it has the shape of one."""
    return text if text and NOTICE_VERSION.fullmatch(text) else None


def check_form(form: ReportForm, categories: list[Category], regions: list[Region]) -> FormCheck:
    """Read the form, validate its draft, and put each problem by its field."""
    is_read = form.validate()
    csrf_field = getattr(form, "csrf_token", None)
    if csrf_field is not None and csrf_field.errors:
        csrf_field.errors = [
            _(
                "The form expired or was not sent from this site. Check your answers below and "
                "send the form again."
            )
        ]
    draft = read_draft(form, categories, regions)
    checked = validate_draft(draft, web_rules())
    question_errors: dict[str, str] = {}
    for name, problem in checked.problems.items():
        if name.startswith(ANSWERS) and draft.category is not None:
            field_name = question_field_name(draft.category.code, name.removeprefix(ANSWERS))
            question_errors[field_name] = str(problem.message)
        elif not form[name].errors:  # a value the form could not read keeps the form's word
            form[name].errors = [str(problem.message)]
    screenshots = checked.problems.get("screenshots")
    return FormCheck(
        draft=checked.draft if is_read and checked.is_valid else None,
        question_errors=question_errors,
        upload_problem=screenshots.code if screenshots is not None else None,
        read=checked.draft,
    )


def form_owner(form: ReportForm) -> str:
    """Who the files sent with this form belong to: its one-time key and this session."""
    return upload_owner(form.idempotency_key.data or "", form_session_secret())


def held_ids() -> list[str]:
    """The held files the form names, without those the resident ticked to remove."""
    limit = 2 * current_app.config["MAX_FILES"]
    removed = set(request.form.getlist(REMOVE_FIELD)[:limit])
    return [i for i in request.form.getlist(HELD_FIELD)[:limit] if i not in removed]


def held_for(form: ReportForm) -> tuple[HeldFile, ...]:
    """The files already kept for this form and named by it (the no-script category steps
    carry them along without reading or storing anything new)."""
    return list_holds(held_ids(), owner=form_owner(form), now=utcnow())


def drop_removed(form: ReportForm) -> None:
    """Remove the held files the resident ticked to remove (rows and files)."""
    removed = request.form.getlist(REMOVE_FIELD)[: 2 * current_app.config["MAX_FILES"]]
    if removed:
        remove_holds(removed, owner=form_owner(form))


def keep_refused_files(
    form: ReportForm, read: ReportDraft, problem: str | None
) -> tuple[tuple[HeldFile, ...], str | None]:
    """A refused form keeps the files that pass the image checks, so none is chosen again.
    Returns every file now held for it, and the upload problem's code (a file that is not an
    image is named by its field). Too many files are all refused (choose fewer)."""
    max_bytes = current_app.config["MAX_FILE_BYTES"]
    kept_already = {held.sha256 for held in read.held}  # the same file chosen again is kept once
    files = [
        (name, data)
        for name, data in read.screenshots
        if len(data) <= max_bytes and hashlib.sha256(data).hexdigest() not in kept_already
    ]
    if problem == "too_many" or not files:
        return read.held, problem
    kept = keep_files(files, owner=form_owner(form))
    if kept.refused is not None and problem is None:
        name, message, problem = kept.refused
        form.screenshots.errors = [f"“{name}”: {message}"]
    return read.held + kept.held, problem


def to_utc(local: datetime | None) -> datetime | None:
    """A local date-time from the form, in UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=install_zone()).astimezone(UTC)


def form_session_secret() -> str:
    """This browser session's secret for its report forms, made the first time it is needed."""
    secret = session.get(FORM_BINDING_KEY)
    if not isinstance(secret, str) or not secret:
        secret = session[FORM_BINDING_KEY] = secrets.token_urlsafe(24)
    return secret


def earlier_submission(draft: ReportDraft) -> tuple[Report, str] | None:
    """The report (and its code) this form already created from this session with this
    content, while its mark lasts; another session, other content or a later time get None."""
    found = form_lookup(draft, hmac_key=current_app.config["IDEMPOTENCY_HMAC_KEY"])
    if found is None:
        return None
    holder, lookup = found
    report = get_report_by_form(lookup, now=utcnow())
    if report is None:
        return None
    code = receipt_code(report, holder)
    return (report, code) if code else None


def held_receipt_code(report: Report, form_key: str) -> str | None:
    """The code of a report this browser filed, from the form key it kept and its session."""
    secret = session.get(FORM_BINDING_KEY)
    if not isinstance(secret, str) or not secret or not form_key:
        return None
    return receipt_code(report, FormHolder(form_key, secret))


def receipt_code(report: Report, holder: FormHolder) -> str | None:
    """The report's tracking code, unsealed with what the browser holds."""
    cfg = current_app.config
    return get_receipt_code(
        report,
        holder=holder,
        tracking_key=cfg["TRACKING_KEY"],
        hmac_key=cfg["IDEMPOTENCY_HMAC_KEY"],
        now=utcnow(),
    )


def file_report(draft: ReportDraft, formal: FormalDraft | None = None) -> tuple[Report, str]:
    """File and commit (with its formal laporan part, when asked for); if a twin request won
    the race, the winner's report and code.

    Raises ScreenshotRejected (after the unit of work rolled back and removed written files).
    """
    try:
        with unit_of_work():
            id_card = store_id_card(formal) if formal is not None else None
            submitted = submit_report(draft, source="web")
            if formal is not None:
                add_formal_laporan(
                    report=submitted.report, draft=formal, id_card=id_card, now=utcnow()
                )
        return submitted.report, submitted.code
    except IntegrityError:
        twin = earlier_submission(draft)
        if twin is None:
            raise
        logger.info("Concurrent double submission answered with report %s", twin[0].id)
        return twin
