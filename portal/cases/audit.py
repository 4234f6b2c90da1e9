"""The audit trail: CaseEvents are append-only (ORM guard, PostgreSQL trigger) and every
case's hash chain can be verified, by `flask audit verify` and on the audit pages."""

import sys
from collections.abc import Iterator
from dataclasses import dataclass

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.cases.cli import audit_cli
from portal.cases.history import GENESIS, ChainCheck, event_digest, verify_chain
from portal.cases.models import Case, CaseEvent
from portal.db import db


class AppendOnlyViolation(RuntimeError):
    """Something tried to change or delete a recorded case event."""


@sa.event.listens_for(Session, "before_flush")
def _refuse_event_changes(session: Session, _context: object, _instances: object) -> None:
    for obj in session.deleted:
        if isinstance(obj, CaseEvent):
            raise AppendOnlyViolation("case events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, CaseEvent) and session.is_modified(obj, include_collections=False):
            raise AppendOnlyViolation("case events cannot be changed")


@sa.event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_event_changes(state: sa.orm.ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is CaseEvent:
        raise AppendOnlyViolation("case events cannot be changed")


# PostgreSQL also refuses UPDATE and DELETE from any client, not only from this application.
TRIGGER_FUNCTION = sa.DDL(
    "CREATE OR REPLACE FUNCTION case_event_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'case_event is append-only'; END; $$ LANGUAGE plpgsql"
)
TRIGGER = sa.DDL(
    "CREATE TRIGGER case_event_append_only BEFORE UPDATE OR DELETE ON case_event "
    "FOR EACH ROW EXECUTE FUNCTION case_event_append_only()"
)
for _ddl in (TRIGGER_FUNCTION, TRIGGER):
    sa.event.listen(CaseEvent.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))


@dataclass(frozen=True)
class BrokenChain:
    case_id: int
    reference: str | None
    seq: int
    kind: str | None


def check_events(case_id: int, events: list) -> ChainCheck:  # noqa: ANN001 (rows or models)
    """The rule of history.verify_chain applied to already-loaded events of one case."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if (event.seq != expected_seq or event.prev_hash != prev
                or event_digest(event) != event.hash):
            return ChainCheck(case_id, len(events), event.seq)
        prev = event.hash
    return ChainCheck(case_id, len(events), None)


def iter_chain_checks(scope: sa.ColumnElement[bool] | None = None,
                      batch: int = 500) -> Iterator[ChainCheck]:
    """Every case's chain (within scope), a batch of cases at a time (constant memory)."""
    last_id = 0
    table = CaseEvent.__table__
    scope = sa.true() if scope is None else scope
    while True:
        ids = list(db.session.scalars(
            sa.select(Case.id).where(Case.id > last_id, scope).order_by(Case.id).limit(batch)))
        if not ids:
            return
        rows = db.session.execute(
            sa.select(table).where(table.c.case_id.in_(ids))
            .order_by(table.c.case_id, table.c.seq)
        ).all()
        by_case: dict[int, list] = {case_id: [] for case_id in ids}
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


def _broken(check: ChainCheck) -> BrokenChain:
    reference = db.session.scalar(sa.select(Case.reference).where(Case.id == check.case_id))
    kind = db.session.scalar(sa.select(CaseEvent.kind).where(
        CaseEvent.case_id == check.case_id, CaseEvent.seq == check.first_bad_seq))
    return BrokenChain(check.case_id, reference, check.first_bad_seq, kind)


def verify_all(scope: sa.ColumnElement[bool] | None = None) -> AuditSummary:
    """Verify every case's chain; name the first altered event of each broken one."""
    summary = AuditSummary(0, 0, [])
    for check in iter_chain_checks(scope):
        summary.cases += 1
        summary.events += check.events
        if not check.is_intact:
            summary.broken.append(_broken(check))
    return summary


@dataclass(frozen=True)
class CaseAudit:
    check: ChainCheck
    head_hash: str | None
    events: list[CaseEvent]


def get_case_audit(case: Case) -> CaseAudit:
    """One case's chain check, its head hash and its events."""
    check = verify_chain(case.id)
    events = list(db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)))
    return CaseAudit(check, events[-1].hash if events else None, events)


@audit_cli.command("verify")
@click.option("--case", "reference", help="Only this case (its reference, e.g. ADU-2026-000123).")
def verify_command(reference: str | None) -> None:
    """Recompute the hash chains; exit 1 and name the first altered event of a broken case."""
    if reference:
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        if case is None:
            click.echo(f"No case {reference}", err=True)
            sys.exit(2)
        check = verify_chain(case.id)
        summary = AuditSummary(1, check.events, [] if check.is_intact else [_broken(check)])
    else:
        summary = verify_all()
    for bad in summary.broken:
        click.echo(f"ALTERED: {bad.reference} at event #{bad.seq} ({bad.kind})")
    if not summary.is_intact:
        click.echo(f"FAILED: {len(summary.broken)} of {summary.cases} cases have an altered "
                   "history")
        sys.exit(1)
    click.echo(f"OK: {summary.cases} cases, {summary.events} events intact")
