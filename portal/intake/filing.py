"""From a posted report form to a committed report: the steps the report view takes.

Kept out of views.py so the view reads as a table of contents. Nothing here decides a domain
rule: it turns form data into submit_report() arguments and ends the unit of work.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from portal import db as portal_db
from portal.db import db
from portal.evidence.operations import storage_guard
from portal.i18n import current_language
from portal.intake.forms import ReportForm
from portal.intake.inputs import collect_answers, parse_links, read_uploads
from portal.intake.operations import submit_report
from portal.intake.queries import get_receipt_code, get_report_by_idempotency_key
from portal.reference.models import Category, Region

logger = logging.getLogger(__name__)


@dataclass
class Checked:
    """The outcome of checking a posted form: arguments for submit_report, or errors."""

    arguments: dict[str, Any] = field(default_factory=dict)
    question_errors: dict[str, str] = field(default_factory=dict)
    is_oversize: bool = False
    is_valid: bool = False


def fill_choices(form: ReportForm, categories: list[Category], regions: list[Region]) -> None:
    """Select options in the reporter's language."""
    locale = current_language()
    blank = SelectChoice(0, _("— choose —"))
    form.category.choices = [blank] + [SelectChoice(c.id, c.name(locale)) for c in categories]
    form.region.choices = [blank] + [SelectChoice(r.id, r.name) for r in regions]


def check_form(form: ReportForm, categories: list[Category]) -> Checked:
    """Validate the whole form, the chosen category's questions, the files and the links."""
    cfg = current_app.config
    checked = Checked()
    is_valid = form.validate()
    csrf_field = getattr(form, "csrf_token", None)
    if csrf_field is not None and csrf_field.errors:
        csrf_field.errors = [
            _(
                "The form expired or was not sent from this site. Check your answers below and "
                "send the form again."
            )
        ]
    category = next((c for c in categories if c.id == form.category.data), None)
    if category is None and not form.category.errors:
        form.category.errors = [_("Choose the kind of complaint.")]
    if not form.region.data:
        form.region.errors = [_("Choose the city or regency.")]
    answers: dict[str, str] = {}
    if category is not None:
        answers, checked.question_errors = collect_answers(
            category, request.form, current_language()
        )
    uploads = read_uploads(
        request.files.getlist(form.screenshots.name),
        min_files=1,
        max_files=cfg["MAX_FILES"],
        max_bytes=cfg["MAX_FILE_BYTES"],
    )
    if uploads.error:
        form.screenshots.errors = [uploads.error]
        checked.is_oversize = uploads.is_oversize
    links, link_error = parse_links(form.links.data or "", max_links=cfg["MAX_LINKS"])
    if link_error:
        form.links.errors = [link_error]
    if form.errors or checked.question_errors or not is_valid:
        return checked
    checked.arguments = dict(
        category=category,
        region=db.session.get(Region, form.region.data),
        reported_party=form.reported_party.data,
        description=form.description.data,
        answers=answers,
        incident_at=to_utc(form.incident_at.data),
        learned_on=form.learned_on.data,
        visibility=form.visibility.data,
        contact_name=form.contact_name.data,
        contact_email=form.contact_email.data,
        contact_phone=form.contact_phone.data,
        files=uploads.files,
        links=links,
        idempotency_key=form.idempotency_key.data,
        language=current_language(),
    )
    checked.is_valid = True
    return checked


def to_utc(local: datetime | None) -> datetime | None:
    """A local date-time from the form, in UTC."""
    if local is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return local.replace(tzinfo=zone).astimezone(UTC)


def earlier_submission(idempotency_key: str) -> tuple[Any, str] | None:
    """The report (and its code) this same form already created, if it did."""
    report = get_report_by_idempotency_key(idempotency_key)
    if report is None:
        return None
    code = get_receipt_code(
        report, key=current_app.config["TRACKING_KEY"], idempotency_key=idempotency_key
    )
    return (report, code) if code else None


@contextmanager
def rolled_back_on_error() -> Iterator[None]:
    """Roll back before storage_guard() looks at what is committed: on SQLite the failed
    transaction would otherwise still hold the write lock the guard's own read waits on."""
    try:
        yield
    except BaseException:
        portal_db.rollback()
        raise


def file_report(arguments: dict[str, Any]) -> tuple[Any, str]:
    """Submit and commit; if a twin request won the race, the winner's report and code.

    Raises ScreenshotRejected (after rolling back and removing written files).
    """
    try:
        with storage_guard(), rolled_back_on_error():
            submitted = submit_report(**arguments)
            portal_db.commit()
        return submitted.report, submitted.code
    except IntegrityError:
        twin = earlier_submission(arguments["idempotency_key"])
        if twin is None:
            raise
        logger.info("Concurrent double submission answered with report %s", twin[0].id)
        return twin
