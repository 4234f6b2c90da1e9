"""Reads of the intake area: finding a report by its code or by its form's mark, and
the projections the receipt and status pages render (never the models themselves)."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from portal.cases.models import CaseEvent, Message, Visibility
from portal.db import db
from portal.evidence.models import Evidence
from portal.intake.drafts import question_label
from portal.intake.idempotency import FormHolder, caller_key_hash
from portal.intake.inputs import choice_label
from portal.intake.models import Report
from portal.intake.tracking import hash_code


def get_report_by_code(code: str, *, key: str) -> Report | None:
    """The report a canonical tracking code opens, by its keyed hash."""
    return db.session.scalar(sa.select(Report).where(Report.tracking_hash == hash_code(code, key)))


def get_report_by_idempotency_key(idempotency_key: str) -> Report | None:
    """The report a trusted caller (the demo) filed with this key of its own, if any."""
    stored = caller_key_hash(idempotency_key, hmac_key=current_app.config["IDEMPOTENCY_HMAC_KEY"])
    return db.session.scalar(sa.select(Report).where(Report.idempotency_hash == stored))


def get_report_by_form(lookup: str, *, now: datetime) -> Report | None:
    """The report one form, session and content already created, until its mark expires."""
    return db.session.scalar(
        sa.select(Report).where(
            Report.idempotency_hash == lookup, Report.idempotency_expires_at > now
        )
    )


def get_receipt_code(
    report: Report, *, holder: FormHolder, tracking_key: str, hmac_key: str, now: datetime
) -> str | None:
    """The tracking code again, for the browser that holds the form key and session secret."""
    expires_at = report.idempotency_expires_at
    if not (report.receipt_seal and report.idempotency_hash and expires_at and expires_at > now):
        return None
    code = holder.unseal(report.receipt_seal, hmac_key=hmac_key, lookup=report.idempotency_hash)
    return code if hash_code(code, tracking_key) == report.tracking_hash else None


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    filename: str
    sha256: str
    size: int
    width: int
    height: int


@dataclass(frozen=True)
class LinkItem:
    given: str
    canonical: str | None
    platform: str | None


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    at: datetime
    data: dict


@dataclass(frozen=True)
class MessageItem:
    is_from_reporter: bool
    body: str
    at: datetime
    evidence: list[EvidenceItem]


@dataclass(frozen=True)
class ReceiptView:
    reference: str
    category: str
    evidence: list[EvidenceItem]
    links: list[LinkItem]
    has_email: bool
    received_at: datetime | None = None
    learned_on: date | None = None
    window_closes_at: datetime | None = None
    # What was reported, repeated so that the receipt (and its PDF) proves it.
    description: str = ""
    reported_party: str = ""
    region: str = ""
    incident_at: datetime | None = None
    answers: tuple[tuple[str, str], ...] = ()  # (question, answer) in the reader's language


@dataclass(frozen=True)
class StatusView:
    reference: str
    category: str
    status: str
    timeline: list[TimelineEntry]
    messages: list[MessageItem]
    evidence: list[EvidenceItem]
    decision: "Decision | None" = None
    description: str = ""  # the resident's own words, shown back only to the code's holder
    reported_party: str = ""
    links: tuple[LinkItem, ...] = ()
    is_shared: bool = False  # other residents' reports are handled in the same case
    opened_by_you: bool = True  # the case was opened by this report, not by another one
    received_at: datetime | None = None
    learned_on: date | None = None
    window_closes_at: datetime | None = None


@dataclass
class Decision:
    """What was decided, in the words written for the reporters."""

    outcome: str | None  # substantiated | not_substantiated | referred_elsewhere
    rejection_reason: str | None  # spam | out_of_scope | duplicate
    text: str


def get_decision(report: Report) -> Decision | None:
    """The decision on the report's case, while it stands (resolved, closed or rejected)."""
    case = report.case
    if case.status in ("resolved", "closed") and case.public_summary:
        return Decision(outcome=case.outcome, rejection_reason=None, text=case.public_summary)
    if case.status == "rejected" and case.merged_into_id is None:
        event = db.session.scalars(
            sa.select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.kind == "status_changed")
            .order_by(CaseEvent.seq.desc())
            .limit(1)
        ).first()
        data = event.data if event is not None else {}
        return Decision(
            outcome=None, rejection_reason=data.get("reason"), text=data.get("reason_text", "")
        )
    return None


def _evidence_item(evidence: Evidence) -> EvidenceItem:
    return EvidenceItem(
        id=evidence.id,
        filename=evidence.original_filename,
        sha256=evidence.sha256_original,
        size=evidence.size_original,
        width=evidence.width,
        height=evidence.height,
    )


def list_answers(report: Report, locale: str) -> tuple[tuple[str, str], ...]:
    """The answers to the category's questions as (question, answer), labels in `locale`;
    a select answer by its choice's label. Unanswered questions are left out."""
    answers = report.answers or {}
    items = []
    for question in report.category.questions or []:
        value = str(answers.get(question["code"]) or "")
        if not value:
            continue
        choice = next((c for c in question.get("choices") or [] if c["value"] == value), None)
        shown = choice_label(choice, locale) if choice else value
        items.append((question_label(question, locale), shown))
    return tuple(items)


def get_receipt_view(report: Report, locale: str) -> ReceiptView:
    """What the receipt shows: when, reference, what was reported, fingerprints, links."""
    return ReceiptView(
        reference=report.case.reference or "",
        category=report.category.name(locale),
        evidence=[_evidence_item(e) for e in report.evidence if e.message_id is None],
        links=[
            LinkItem(given=link.url_given, canonical=link.url_canonical, platform=link.platform)
            for link in report.links
        ],
        has_email=bool(report.contact_email),
        received_at=report.created_at,
        learned_on=report.learned_on,
        window_closes_at=report.window_closes_at,
        description=report.description or "",
        reported_party=report.reported_party or "",
        region=report.region.name if report.region else "",
        incident_at=report.incident_at,
        answers=list_answers(report, locale),
    )


def list_timeline(report: Report) -> list[TimelineEntry]:
    """Public events of the case, and reporter-visible ones that concern this reporter."""
    events = db.session.scalars(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id == report.case_id)
        .where(
            sa.or_(
                CaseEvent.visibility == Visibility.PUBLIC,
                sa.and_(
                    CaseEvent.visibility == Visibility.REPORTER,
                    sa.or_(CaseEvent.report_id.is_(None), CaseEvent.report_id == report.id),
                ),
            )
        )
        .order_by(CaseEvent.seq)
    ).all()
    return [TimelineEntry(kind=e.kind, at=e.created_at, data=dict(e.data or {})) for e in events]


def get_tracked_report(report_id: int) -> Report | None:
    """A report with what its status page reads, in three queries instead of one per part."""
    return db.session.get(
        Report,
        report_id,
        options=(
            joinedload(Report.case),
            joinedload(Report.category),
            selectinload(Report.evidence),
            selectinload(Report.links),
        ),
    )


def get_status_view(report: Report, locale: str) -> StatusView:
    """What the status page shows to the holder of this report's tracking code."""
    messages = db.session.scalars(
        sa.select(Message)
        .where(Message.report_id == report.id)
        .order_by(Message.id)
        .options(selectinload(Message.evidence))
    ).all()
    # Only whether others reported the same matter, never how many or who.
    first, case_reports = db.session.execute(
        sa.select(sa.func.min(Report.id), sa.func.count(Report.id)).where(
            Report.case_id == report.case_id
        )
    ).one()
    return StatusView(
        reference=report.case.reference or "",
        category=report.category.name(locale),
        status=report.case.status,
        timeline=list_timeline(report),
        messages=[
            MessageItem(
                is_from_reporter=m.direction == "from_reporter",
                body=m.body,
                at=m.created_at,
                evidence=[_evidence_item(e) for e in m.evidence],
            )
            for m in messages
        ],
        evidence=[_evidence_item(e) for e in report.evidence if e.message_id is None],
        decision=get_decision(report),
        description=report.description or "",
        reported_party=report.reported_party or "",
        links=tuple(
            LinkItem(given=link.url_given, canonical=link.url_canonical, platform=link.platform)
            for link in report.links
        ),
        is_shared=first is not None and (case_reports or 0) > 1,
        opened_by_you=first is None or first == report.id,
        received_at=report.created_at,
        learned_on=report.learned_on,
        window_closes_at=report.window_closes_at,
    )
