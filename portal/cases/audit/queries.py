"""Verifying the audit trail: every case's hash chain, for `flask audit verify` and the audit
pages."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.cases.history import ChainCheck, check_events, verify_chain
from portal.cases.models import Case, CaseEvent
from portal.db import db


@dataclass(frozen=True)
class BrokenChain:
    case_id: int
    reference: str | None
    seq: int
    kind: str | None


def iter_chain_checks(
    scope: sa.ColumnElement[bool] | None = None, batch: int = 500
) -> Iterator[ChainCheck]:
    """Every case's chain (within scope), a batch of cases at a time (constant memory)."""
    last_id = 0
    table = CaseEvent.__table__
    scope = sa.true() if scope is None else scope
    while True:
        ids = list(
            db.session.scalars(
                sa.select(Case.id).where(Case.id > last_id, scope).order_by(Case.id).limit(batch)
            )
        )
        if not ids:
            return
        rows = db.session.execute(
            sa.select(table).where(table.c.case_id.in_(ids)).order_by(table.c.case_id, table.c.seq)
        ).all()
        by_case: dict[int, list[sa.Row[Any]]] = {case_id: [] for case_id in ids}
        for row in rows:
            by_case[row.case_id].append(row)
        for case_id in ids:
            yield check_events(case_id, by_case[case_id])
        last_id = ids[-1]


@dataclass
class AuditSummary:
    cases: int
    events: int
    broken: list[BrokenChain]

    @property
    def is_intact(self) -> bool:
        return not self.broken


def broken_chain(check: ChainCheck) -> BrokenChain:
    assert check.first_bad_seq is not None  # called for broken chains only
    reference = db.session.scalar(sa.select(Case.reference).where(Case.id == check.case_id))
    kind = db.session.scalar(
        sa.select(CaseEvent.kind).where(
            CaseEvent.case_id == check.case_id, CaseEvent.seq == check.first_bad_seq
        )
    )
    return BrokenChain(check.case_id, reference, check.first_bad_seq, kind)


def verify_all(scope: sa.ColumnElement[bool] | None = None) -> AuditSummary:
    """Verify every case's chain; name the first altered event of each broken one."""
    summary = AuditSummary(0, 0, [])
    for check in iter_chain_checks(scope):
        summary.cases += 1
        summary.events += check.events
        if not check.is_intact:
            summary.broken.append(broken_chain(check))
    return summary


@dataclass(frozen=True)
class CaseAudit:
    check: ChainCheck
    head_hash: str | None
    events: list[CaseEvent]


def get_case_audit(case: Case) -> CaseAudit:
    """One case's chain check, its head hash and its events."""
    check = verify_chain(case.id)
    events = list(
        db.session.scalars(
            sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        )
    )
    return CaseAudit(check, events[-1].hash if events else None, events)
