"""The case history: append-only CaseEvents, hash-chained per case so any later edit shows."""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.cases.models import Case, CaseEvent, Visibility
from portal.db import db, utcnow

GENESIS = "0" * 64


def event_digest(event: CaseEvent | sa.Row[Any]) -> str:
    """SHA-256 over the previous hash and every field that matters, in a canonical form."""
    payload = {
        "case_id": event.case_id,
        "seq": event.seq,
        "kind": event.kind,
        "visibility": event.visibility,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "report_id": event.report_id,
        "data": event.data,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
    }
    body = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256((event.prev_hash + body).encode()).hexdigest()


def record_event(
    case: Case,
    kind: str,
    *,
    visibility: str = Visibility.INTERNAL,
    actor: Any = None,
    report: Any = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one event to the case's chain (flushes; the caller commits)."""
    if case.id is None:
        db.session.flush()
    last = db.session.execute(
        sa.select(CaseEvent.seq, CaseEvent.hash)
        .where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.seq.desc())
        .limit(1)
    ).first()
    event = CaseEvent(
        case_id=case.id,
        seq=(last.seq + 1) if last else 1,
        kind=kind,
        visibility=str(visibility),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or ("reporter" if report else "system"),
        report_id=getattr(report, "id", None),
        data=data or {},
        created_at=utcnow(),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event_digest(event)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    case_id: int
    events: int
    first_bad_seq: int | None  # None when the chain is intact

    @property
    def is_intact(self) -> bool:
        return self.first_bad_seq is None


def verify_chain(case_id: int) -> ChainCheck:
    """Recompute the chain of one case; name the first event whose hash or link is wrong."""
    events = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
    ).all()
    return check_events(case_id, events)


def check_events(case_id: int, events: Sequence[CaseEvent | sa.Row[Any]]) -> ChainCheck:
    """The chain rule over one case's events already loaded in order of seq."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if (
            event.seq != expected_seq
            or event.prev_hash != prev
            or event_digest(event) != event.hash
        ):
            return ChainCheck(case_id, len(events), event.seq)
        prev = event.hash
    return ChainCheck(case_id, len(events), None)
