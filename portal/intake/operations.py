"""Writes of the intake area: a new report with its evidence, and a reporter's reply.

Operations add and flush; the caller ends the unit of work (portal.db.unit_of_work), which on
a failure anywhere leaves neither rows nor files behind.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.cases.history import record_event
from portal.cases.identity.operations import set_at_risk
from portal.cases.models import Case, Message, Visibility
from portal.cases.operations import place_report
from portal.db import db, utcnow
from portal.evidence.images import ImageRejected
from portal.evidence.operations import StoredImage, add_evidence, new_link, store_image
from portal.intake.drafts import ReportDraft, links_to_file
from portal.intake.idempotency import mark_submission
from portal.intake.models import ContactVisibility, Report
from portal.intake.tracking import format_code, hash_code, new_code
from portal.intake.uploads.operations import GONE, HeldUploadGone, claim_holds
from portal.notify.operations import queue_email

logger = logging.getLogger(__name__)
EXPIRED_BATCH = 200  # expired form marks cleared by one submission


class ScreenshotRejected(Exception):
    """One uploaded file is not an image we accept; says which one and why."""

    def __init__(self, filename: str, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.filename = filename
        self.message = message
        self.code = code  # evidence.images.ImageRejected's code: the view's status follows it


@dataclass(frozen=True)
class SubmittedReport:
    report: Report
    case: Case
    code: str  # canonical tracking code; shown once, never stored in clear


def submit_report(draft: ReportDraft, *, source: str) -> SubmittedReport:
    """File a report: place it in a case, store its evidence and queue the receipt email.

    The one way a report enters, from every door (`source`: web, open311). The draft is taken
    as it is: the doors validate theirs first (intake.drafts.validate_draft). Its screenshots
    are checked, cleaned and stored first, before any query: inside a unit of work the write
    lock is then held only for the inserts.
    """
    if draft.category is None:
        raise ValueError("a report needs a category")
    images = store_screenshots(draft.screenshots)
    cfg = current_app.config
    code = new_code()
    answers = dict(draft.answers)
    is_anonymous = draft.visibility == ContactVisibility.ANONYMOUS
    now = utcnow()
    mark = mark_submission(
        draft, code, hmac_key=cfg["IDEMPOTENCY_HMAC_KEY"], hours=cfg["IDEMPOTENCY_HOURS"], now=now
    )
    clear_expired_marks(now=now, also=mark.hash)
    report = Report(
        tracking_hash=hash_code(code, cfg["TRACKING_KEY"]),
        idempotency_hash=mark.hash,
        idempotency_expires_at=mark.expires_at,
        receipt_seal=mark.seal,
        source=source,
        category=draft.category,
        category_id=draft.category.id,
        region=draft.region,
        region_id=getattr(draft.region, "id", None),
        reported_party=draft.reported_party.strip(),
        platform=answers.get("platform"),
        reported_account=(answers.get("account_handle") or "").strip() or None,
        answers=answers,
        incident_at=draft.incident_at,
        learned_on=draft.learned_on,
        description=draft.description,
        visibility=str(draft.visibility),
        language=draft.language,
        # An anonymous reporter's contact is dropped here, whatever the form carried.
        contact_name=None if is_anonymous else (draft.contact_name or None),
        contact_email=None if is_anonymous else (draft.contact_email or None),
        contact_phone=None if is_anonymous else (draft.contact_phone or None),
        latitude=draft.latitude,
        longitude=draft.longitude,
        notice_version=draft.notice_version,
    )
    # Links go on before the report is placed: a report of an already reported post joins
    # that post's open case.
    report.links = [new_link(found) for found in links_to_file(draft)]
    case = place_report(report)
    db.session.flush()
    if draft.fears_retaliation:
        set_at_risk(case=case, is_at_risk=True, report=report)
    try:  # files received earlier first, in the order they were chosen
        claim_holds(report=report, draft=draft)
    except HeldUploadGone as gone:
        raise ScreenshotRejected(gone.filename, str(GONE), "gone") from gone
    held = {h.sha256 for h in draft.held}
    for image in images:
        if image.sha256_original not in held:  # chosen again after it was kept: once is enough
            add_evidence(report=report, image=image)
    if report.contact_email:
        queue_receipt(report=report, case=case, code=code)
    logger.info(
        "Report %s filed on case %s with %d files and %d links",
        report.id,
        case.reference,
        len(draft.screenshots) + len(draft.held),
        len(report.links),
    )
    return SubmittedReport(report=report, case=case, code=code)


def clear_expired_marks(*, now: datetime, also: str | None = None) -> None:
    """Forget expired form marks and receipt seals: the one named `also` (a form sent again
    after expiry would meet its own old mark), then a batch of the oldest, skipping rows that
    another transaction holds, so that no submission waits on another's clean-up."""
    expired = Report.idempotency_expires_at <= now
    forget = {"idempotency_hash": None, "idempotency_expires_at": None, "receipt_seal": None}
    if also is not None:
        db.session.execute(
            sa.update(Report).where(expired, Report.idempotency_hash == also).values(forget),
            execution_options={"synchronize_session": False},
        )
    due = (
        sa.select(Report.id)
        .where(expired)
        .order_by(Report.id)
        .limit(EXPIRED_BATCH)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(
        sa.update(Report).where(Report.id.in_(due)).values(forget),
        execution_options={"synchronize_session": False},
    )


def store_screenshots(files: Sequence[tuple[str, bytes]]) -> list[StoredImage]:
    """Check, clean and store each file, touching no database; a refused one raises
    ScreenshotRejected naming it, a storage fault StorageUnavailable."""
    images = []
    for filename, data in files:
        try:
            images.append(store_image(data=data, filename=filename))
        except ImageRejected as rejected:
            raise ScreenshotRejected(filename, str(rejected.message), rejected.code) from rejected
    return images


def queue_receipt(*, report: Report, case: Case, code: str) -> None:
    """Queue the receipt email in the reporter's language (code in the body only)."""
    if not report.contact_email:  # no address, no receipt
        return
    with force_locale(report.language):
        subject = _("Your report was received: %(reference)s", reference=case.reference)
    queue_email(
        to=report.contact_email,
        subject=subject,
        template="intake/receipt",
        language=report.language,
        kind="receipt",
        context={
            "code": format_code(code),
            "reference": case.reference,
            "category": report.category.name(report.language),
            "evidence": [
                {
                    "filename": e.original_filename,
                    "sha256": e.sha256_original,
                    "width": e.width,
                    "height": e.height,
                }
                for e in report.evidence
            ],
            "links": [{"given": link.url_given} for link in report.links],
        },
    )


def reply_to_case(*, report: Report, body: str, files: Sequence[tuple[str, bytes]]) -> Message:
    """The reporter answers on the status page: a message, its screenshots, a case event.

    The screenshots are stored first, before any query, like a report's (submit_report)."""
    images = store_screenshots(files)
    message = Message(
        case_id=report.case_id, report_id=report.id, direction="from_reporter", body=body.strip()
    )
    db.session.add(message)
    db.session.flush()
    for image in images:
        add_evidence(report=report, image=image, message=message)
    record_event(
        report.case,
        "reporter_replied",
        visibility=Visibility.REPORTER,
        report=report,
        data={"message_id": message.id, "files": len(files)},
    )
    logger.info("Reporter of report %s replied on case %s", report.id, report.case_id)
    return message
