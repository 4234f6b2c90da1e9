"""Reads of the privacy area: what the schedule would erase now, holds, runs, and what the
portal holds about one reporter."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.cases.models import Case, CaseEvent, Message
from portal.cases.referrals.models import Referral, ReferralStatus
from portal.db import db
from portal.evidence.models import Evidence
from portal.intake.models import Report
from portal.privacy.models import LegalHold, PendingFileRemoval, RetentionRun
from portal.privacy.policy import Kind, Rule, notice_version, parse_schedule


def get_schedule() -> tuple[Rule, ...]:
    """This install's retention rules (RETENTION_SCHEDULE)."""
    return parse_schedule(current_app.config["RETENTION_SCHEDULE"])


def current_notice_version() -> str:
    """The version of the privacy notice shown now (changes when the schedule changes)."""
    return notice_version(get_schedule())


@dataclass(frozen=True)
class DueItem:
    """One kind of one report's data that a rule says must go now, or why it stays."""

    kind: Kind
    case_id: int
    reference: str
    report_id: int
    rule: Rule
    ended_at: datetime
    blocked: str | None  # "legal_hold" | "referral_open" | "case_changed"; None: it goes

    def describe(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "case": self.reference,
            "report_id": self.report_id,
            "outcome": "skipped" if self.blocked else "erased",
            "reason": self.blocked,
        }


def _ended_at() -> Any:
    """When each case last changed status (the moment it became what it is now)."""
    return (
        sa.select(CaseEvent.case_id, sa.func.max(CaseEvent.created_at).label("ended_at"))
        .where(CaseEvent.kind == "status_changed")
        .group_by(CaseEvent.case_id)
        .subquery()
    )


def _holds_data(kind: Kind) -> sa.ColumnElement[bool]:
    if kind == Kind.CONTACT:
        return sa.or_(
            Report.contact_name.is_not(None),
            Report.contact_email.is_not(None),
            Report.contact_phone.is_not(None),
        )
    if kind == Kind.MESSAGES:
        return sa.exists().where(Message.report_id == Report.id, Message.body != "")
    return sa.exists().where(Evidence.report_id == Report.id)


def list_due(*, now: datetime, rules: tuple[Rule, ...] | None = None) -> list[DueItem]:
    """Every report's data that the rules say must be erased at `now`, oldest case first,
    each with what blocks it (a legal hold; an open referral for screenshots)."""
    ended = _ended_at()
    held = set(
        db.session.scalars(sa.select(LegalHold.case_id).where(LegalHold.lifted_at.is_(None)))
    )
    referred = set(
        db.session.scalars(
            sa.select(Referral.case_id).where(Referral.status == ReferralStatus.OPEN)
        )
    )
    items: dict[tuple[Kind, int], DueItem] = {}
    for rule in rules if rules is not None else get_schedule():
        query = (
            sa.select(Report.id, Case.id, Case.reference, ended.c.ended_at)
            .join(Case, Case.id == Report.case_id)
            .join(ended, ended.c.case_id == Case.id)
            .where(
                Case.status == rule.status,
                ended.c.ended_at <= now - timedelta(days=rule.days),
                _holds_data(rule.kind),
            )
            .order_by(ended.c.ended_at, Report.id)
        )
        if rule.reason:
            query = query.where(Case.rejection_reason == rule.reason)
        for report_id, case_id, reference, ended_at in db.session.execute(query):
            blocked = None
            if case_id in held:
                blocked = "legal_hold"
            elif rule.kind == Kind.SCREENSHOTS and case_id in referred:
                blocked = "referral_open"
            items.setdefault(
                (rule.kind, report_id),
                DueItem(rule.kind, case_id, reference or "", report_id, rule, ended_at, blocked),
            )
    return sorted(items.values(), key=lambda i: (i.ended_at, i.report_id, i.kind))


def get_active_hold(case_id: int) -> LegalHold | None:
    """The legal hold in force on a case, if any."""
    return db.session.scalar(
        sa.select(LegalHold).where(LegalHold.case_id == case_id, LegalHold.lifted_at.is_(None))
    )


def list_active_holds() -> list[LegalHold]:
    """Every legal hold in force, newest first (admin page)."""
    return list(
        db.session.scalars(
            sa.select(LegalHold)
            .where(LegalHold.lifted_at.is_(None))
            .order_by(LegalHold.placed_at.desc())
        )
    )


def get_last_run() -> RetentionRun | None:
    """The latest run of the schedule (finished or interrupted)."""
    return db.session.scalar(sa.select(RetentionRun).order_by(RetentionRun.id.desc()).limit(1))


def list_pending_removals(limit: int = 300) -> list[str]:
    """Keys of stored files an erasure committed to remove and that are not removed yet."""
    return list(
        db.session.scalars(
            sa.select(PendingFileRemoval.key).order_by(PendingFileRemoval.key).limit(limit)
        )
    )


def list_erasures(report: Report) -> list[CaseEvent]:
    """The "erased" and "contact_corrected" events of one report, oldest first."""
    return list(
        db.session.scalars(
            sa.select(CaseEvent)
            .where(
                CaseEvent.report_id == report.id,
                CaseEvent.kind.in_(("erased", "contact_corrected")),
            )
            .order_by(CaseEvent.created_at, CaseEvent.id)
        )
    )
