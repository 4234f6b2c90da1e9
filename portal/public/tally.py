"""The transparency aggregates kept up to date on write: every flush that changes what a case
counts for (its month, category, region, team, status, outcome, times, merge, referrals) appends
the case's contribution before (negated) and after the flush to the delta tables, in the same
transaction; `flask public refresh-stats` folds the deltas into the aggregates, so its cost
follows the number of changes since the last run, not the number of cases."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.cases.models import Case
from portal.cases.referrals.models import Referral
from portal.db import db
from portal.public.models import (
    StatCell,
    StatCellDelta,
    StatDuration,
    StatDurationDelta,
    StatReferral,
    StatReferralDelta,
    StatRun,
)
from portal.public.stats import (
    CELL_COLUMNS,
    DELTAS,
    DURATION_COLUMNS,
    DURATION_KINDS,
    REFERRAL_COLUMNS,
    cell_rows,
    duration_rows,
    record_run,
    referral_rows,
    refresh_stats,
)

logger = logging.getLogger(__name__)
PENDING_KEY = "stats_cases_before_flush"
COUNTED_FIELDS = (
    "created_at",
    "category_id",
    "region_id",
    "team_id",
    "status",
    "outcome",
    "due_at",
    "first_response_at",
    "resolved_at",
    "merged_into_id",
    "category",  # relationships: set through them, the id columns change only in the flush
    "region",
    "team",
)
# (aggregate, its delta table, key columns, summed columns, whether it has rollup rows)
FOLDS = (
    (StatCell, StatCellDelta, CELL_COLUMNS[:6], CELL_COLUMNS[6:], True),
    (StatDuration, StatDurationDelta, DURATION_COLUMNS[:5], DURATION_COLUMNS[5:], True),
    (StatReferral, StatReferralDelta, REFERRAL_COLUMNS[:6], REFERRAL_COLUMNS[6:], False),
)


def _case_id(obj: Any) -> int | None:
    """The id of the case a new or changed referral belongs to, if it is known yet."""
    if obj.case_id is not None:
        return int(obj.case_id)
    case = obj.__dict__.get("case")
    return getattr(case, "id", None)


def _touched(session: Session) -> set[int]:
    """Ids of the existing cases whose contribution this flush may change."""
    ids: set[Any] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Case):
            state = sa.inspect(obj)
            if obj in session.deleted or any(
                state.attrs[f].history.has_changes() for f in COUNTED_FIELDS
            ):
                ids.add(obj.id)  # None for a new case: it has no contribution yet
        elif isinstance(obj, Referral):
            ids.add(_case_id(obj))
            ids.update(sa.inspect(obj).attrs.case_id.history.deleted or ())
    ids.discard(None)
    return ids


def journal(session: Session, case_ids: Iterable[int], sign: int) -> None:
    """Append the contribution of these cases, times sign, to the delta tables."""
    ids = sorted(case_ids)
    if not ids:
        return
    scope = Case.id.in_(ids)
    session.execute(sa.insert(StatCellDelta).from_select(CELL_COLUMNS, cell_rows(scope, sign)))
    for kind in DURATION_KINDS:
        session.execute(
            sa.insert(StatDurationDelta).from_select(
                DURATION_COLUMNS, duration_rows(kind, scope, sign)
            )
        )
    session.execute(
        sa.insert(StatReferralDelta).from_select(REFERRAL_COLUMNS, referral_rows(scope, sign))
    )


@sa.event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: object, _instances: object) -> None:
    before = _touched(session)
    session.info[PENDING_KEY] = before
    journal(session, before, -1)


@sa.event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    before = session.info.pop(PENDING_KEY, set())
    new = {obj.id for obj in session.new if isinstance(obj, Case)}
    journal(session, before | new | _new_referral_cases(session), 1)


def _new_referral_cases(session: Session) -> set[int]:
    return {
        int(obj.case_id)
        for obj in session.new
        if isinstance(obj, Referral) and obj.case_id is not None
    }


def update_stats(*, full: bool = False) -> int:
    """Bring the aggregates up to date (flushes): fold the deltas written since the last run,
    or recompute everything when asked or when the aggregates were never computed."""
    _serialise()
    if full or db.session.execute(sa.select(StatRun.id).limit(1)).first() is None:
        return refresh_stats()
    last = db.session.execute(sa.select(StatRun.cases).order_by(StatRun.id.desc()).limit(1))
    total = last.scalar_one()
    for model, delta, keys, sums, has_rollup in FOLDS:
        added = _fold(model, delta, keys, sums, has_rollup)
        if model is StatCell:
            total += added
    return record_run(total)


def _serialise() -> None:
    """One refresh at a time, and (PostgreSQL) no writer between reading the cases and
    forgetting the deltas of a full recompute: writers append deltas after it commits."""
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{d.__tablename__}"' for d in DELTAS)
        db.session.execute(sa.text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


def _fold(model: Any, delta: Any, keys: list[str], sums: list[str], has_rollup: bool) -> int:
    """Take every delta row (exactly the rows deleted) and add them to the aggregate rows of
    their months, in a few statements whatever the number of rows; returns the change in n."""
    taken = db.session.execute(
        sa.delete(delta).returning(*(delta.__table__.c[c] for c in keys + sums)),
        execution_options={"synchronize_session": False},
    ).all()
    if not taken:
        return 0
    changes = _summed(taken, len(keys), len(sums), has_rollup)
    table = model.__table__
    current = _current(table, keys, sums, has_rollup, set(changes))
    inserts, updates, deletes = [], [], []
    for key, change in changes.items():
        if not any(change):
            continue
        row_id, old = current.get(key, (None, [0] * len(sums)))
        new = [a + b for a, b in zip(old, change, strict=True)]
        if row_id is None:
            fields = dict(zip(keys, key[1:], strict=True)) | dict(zip(sums, new, strict=True))
            inserts.append(fields | ({"is_rollup": key[0]} if has_rollup else {}))
        elif new[0] == 0:
            deletes.append(row_id)
        else:
            updates.append(
                {"row_id": row_id} | {f"new_{c}": v for c, v in zip(sums, new, strict=True)}
            )
    if inserts:
        db.session.execute(sa.insert(table), inserts)
    if updates:
        statement = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("row_id"))
            .values({c: sa.bindparam(f"new_{c}") for c in sums})
        )
        db.session.connection().execute(statement, updates)
    if deletes:
        db.session.execute(sa.delete(table).where(table.c.id.in_(deletes)))
    logger.info(
        "Folded %d %s rows into %d aggregates", len(taken), delta.__tablename__, len(changes)
    )
    return sum(int(row[len(keys)]) for row in taken)


def _summed(taken: Any, n_keys: int, n_sums: int, has_rollup: bool) -> dict[tuple, list[int]]:
    """The delta rows summed per (is_rollup, *key), each also counted in its rollup row."""
    changes: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * n_sums)
    for row in taken:
        key, values = tuple(row[:n_keys]), row[n_keys:]
        targets = [(False, *key)]
        if has_rollup:  # the all-regions row (region_id is the third key everywhere)
            targets.append((True, *key[:2], None, *key[3:]))
        for target in targets:
            total = changes[target]
            for i, value in enumerate(values):
                total[i] += int(value)
    return changes


def _current(table: sa.Table, keys: list[str], sums: list[str], has_rollup: bool, wanted: set):
    """{(is_rollup, *key): (id, sums)} of the aggregate rows that these keys may touch."""
    # the rows of these keys: with a region by (month, category, region), the rest (rollups,
    # cases without a region) by month and category; ix_..._month_category serves both
    with_region = sorted({key[1:4] for key in wanted if key[3] is not None})
    pairs = sorted({key[1:3] for key in wanted})
    flag = [table.c.is_rollup] if has_rollup else [sa.literal(False)]
    c = table.c
    columns = sa.select(c.id, *flag, *(c[name] for name in keys + sums))
    # an OR of equalities, in chunks: SQLite seeks the index for each, where it would scan the
    # whole index for a row-value IN list
    wheres = [
        sa.and_(c.month == m, c.category_id == k, c.region_id == r) for m, k, r in with_region
    ] + [sa.and_(c.month == m, c.category_id == k, c.region_id.is_(None)) for m, k in pairs]
    found = {}
    for start in range(0, len(wheres), 200):
        for row in db.session.execute(columns.where(sa.or_(*wheres[start : start + 200]))):
            found[(bool(row[1]), *row[2 : 2 + len(keys)])] = (row[0], list(row[2 + len(keys) :]))
    return found
