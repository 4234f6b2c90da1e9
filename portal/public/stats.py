"""Transparency statistics from aggregates: recomputed in the database by `flask public
refresh-stats`, read per request from the small aggregate tables (their size grows with
months x categories x regions, not with cases) and cached in-process for a short time."""

import logging
import time
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.capture.queries import count_removed_captures
from portal.cases.models import Case, Status
from portal.cases.referrals.models import Referral
from portal.db import db, utcnow
from portal.public.models import (
    StatCell,
    StatCellDelta,
    StatDuration,
    StatDurationDelta,
    StatReferral,
    StatReferralDelta,
    StatRun,
)

logger = logging.getLogger(__name__)
DONE = (Status.RESOLVED, Status.CLOSED)
MAX_HOURS = 24 * 3660


def _month(column: Any) -> Any:
    if db.engine.dialect.name == "postgresql":
        return sa.cast(sa.func.date_trunc("month", column), sa.Date)
    return sa.func.date(column, "start of month")


def _hours(start: Any, end: Any) -> Any:
    # A hair added so that 5 h computed as 4.99999 (julianday is a float) lands in hour 5.
    if db.engine.dialect.name == "postgresql":
        return sa.extract("epoch", end - start) / 3600.0 + 1e-6
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 24.0 + 1e-6


def _bucket(hours: Any) -> Any:
    """Hours under a day, 6-hour steps to three days, then days, then weeks after a month:
    a small histogram whose median is still read in the unit the page shows."""
    return sa.case(
        (hours < 24, _floor(hours)),
        (hours < 72, _floor(hours / 6) * 6),
        (hours < 720, _floor(hours / 24) * 24),
        else_=_floor(hours / 168) * 168,
    )


def _floor(value: Any) -> Any:
    # PostgreSQL's CAST rounds; SQLite's truncates (the same as floor for durations >= 0).
    if db.engine.dialect.name == "postgresql":
        return sa.cast(sa.func.floor(value), sa.Integer)
    return sa.cast(value, sa.Integer)


CELL_COLUMNS = [
    "month",
    "category_id",
    "region_id",
    "team_id",
    "status",
    "outcome",
    "n",
    "n_resolved",
    "n_in_time",
]
DURATION_COLUMNS = ["month", "category_id", "region_id", "kind", "hours", "n"]
REFERRAL_COLUMNS = ["month", "category_id", "region_id", "body", "status", "sanction_applied", "n"]
DURATION_KINDS = ("response", "resolution")
DELTAS = (StatCellDelta, StatDurationDelta, StatReferralDelta)


def cell_rows(scope: Any, sign: int = 1) -> sa.Select[Any]:
    """The StatCell rows (CELL_COLUMNS) of the live cases in scope, counts times sign."""
    month = _month(Case.created_at).label("month")
    is_done = sa.and_(Case.status.in_(DONE), Case.resolved_at.is_not(None))
    in_time = sa.and_(is_done, Case.resolved_at <= Case.due_at)
    keys = (month, Case.category_id, Case.region_id, Case.team_id, Case.status, Case.outcome)
    return (
        sa.select(
            *keys,
            sign * sa.func.count(),
            sign * sa.func.sum(sa.case((is_done, 1), else_=0)),
            sign * sa.func.sum(sa.case((in_time, 1), else_=0)),
        )
        .where(Case.merged_into_id.is_(None), scope)
        .group_by(*keys)
    )


def duration_rows(kind: str, scope: Any, sign: int = 1) -> sa.Select[Any]:
    """The StatDuration histogram rows (DURATION_COLUMNS) of one kind for the cases in scope."""
    month = _month(Case.created_at).label("month")
    cond: sa.ColumnElement[bool]
    if kind == "response":
        end, cond = Case.first_response_at, Case.first_response_at.is_not(None)
    else:
        end = Case.resolved_at
        cond = sa.and_(Case.status.in_(DONE), Case.resolved_at.is_not(None))
    bucket = _bucket(_hours(Case.created_at, end)).label("hours")
    return (
        sa.select(
            month,
            Case.category_id,
            Case.region_id,
            sa.literal(kind),
            bucket,
            sign * sa.func.count(),
        )
        .where(Case.merged_into_id.is_(None), cond, scope)
        .group_by(month, Case.category_id, Case.region_id, bucket)
    )


def referral_rows(scope: Any, sign: int = 1) -> sa.Select[Any]:
    """The StatReferral rows (REFERRAL_COLUMNS) of the referrals of the cases in scope."""
    month = _month(Case.created_at).label("month")
    keys = (
        month,
        Case.category_id,
        Case.region_id,
        Referral.body,
        Referral.status,
        Referral.sanction_applied,
    )
    return (
        sa.select(*keys, sign * sa.func.count())
        .join(Case, Case.id == Referral.case_id)
        .where(scope)
        .group_by(*keys)
    )


def refresh_stats() -> int:
    """Recompute every aggregate from the cases in a few GROUP BY statements (flushes); the
    changes journaled by writers so far are in the result, so they are dropped."""
    for model in (StatCell, StatDuration, StatReferral, *DELTAS):
        db.session.execute(sa.delete(model))
    everything = sa.true()
    db.session.execute(sa.insert(StatCell).from_select(CELL_COLUMNS, cell_rows(everything)))
    for kind in DURATION_KINDS:
        db.session.execute(
            sa.insert(StatDuration).from_select(DURATION_COLUMNS, duration_rows(kind, everything))
        )
    _rollup()
    db.session.execute(
        sa.insert(StatReferral).from_select(REFERRAL_COLUMNS, referral_rows(everything))
    )
    return record_run()


def record_run(total: int | None = None) -> int:
    """Note when the aggregates were brought up to date; the number of cases they count
    (summed from the aggregates unless the caller knows it)."""
    if total is None:
        total = db.session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(StatCell.n), 0)).where(
                StatCell.is_rollup.is_(True)
            )
        ).scalar_one()
    db.session.add(
        StatRun(computed_at=utcnow(), cases=total, removed_posts=count_removed_captures())
    )
    db.session.flush()
    logger.info("Transparency statistics brought up to date: %d cases", total)
    return int(total)


def _rollup() -> None:
    """Add the all-regions rows, summed from the per-region ones."""
    c = StatCell
    keys = [c.month, c.category_id, c.team_id, c.status, c.outcome]
    db.session.execute(
        sa.insert(StatCell).from_select(
            [
                "month",
                "category_id",
                "team_id",
                "status",
                "outcome",
                "n",
                "n_resolved",
                "n_in_time",
                "is_rollup",
            ],
            sa.select(
                *keys,
                sa.func.sum(c.n),
                sa.func.sum(c.n_resolved),
                sa.func.sum(c.n_in_time),
                sa.true(),
            ).group_by(*keys),
        )
    )
    d = StatDuration
    keys = [d.month, d.category_id, d.kind, d.hours]
    db.session.execute(
        sa.insert(StatDuration).from_select(
            ["month", "category_id", "kind", "hours", "n", "is_rollup"],
            sa.select(*keys, sa.func.sum(d.n), sa.true()).group_by(*keys),
        )
    )


def _filtered(model: Any, filters: dict[str, Any], per_region: bool = False) -> list[Any]:
    conds = []
    if hasattr(model, "is_rollup"):
        conds.append(model.is_rollup.is_(not (per_region or filters.get("region_id"))))
    if filters.get("month_from"):
        conds.append(model.month >= filters["month_from"])
    if filters.get("month_to"):
        conds.append(model.month <= filters["month_to"])
    if filters.get("category_id"):
        conds.append(model.category_id == filters["category_id"])
    if filters.get("region_id"):
        conds.append(model.region_id == filters["region_id"])
    return conds


def _grouped(column: Any, filters: dict[str, Any]) -> list[tuple[Any, int]]:
    per_region = column is StatCell.region_id
    rows = db.session.execute(
        sa.select(column, sa.func.sum(StatCell.n))
        .where(*_filtered(StatCell, filters, per_region))
        .group_by(column)
        .order_by(column)
    )
    return [(key, int(n)) for key, n in rows]


def median_hours(histogram: list[tuple[int, int]]) -> tuple[int | None, int]:
    """The median bucket of a sorted (hours, count) histogram, and how many cases it covers."""
    total = sum(n for _h, n in histogram)
    if not total:
        return None, 0
    seen = 0
    for hours, n in histogram:
        seen += n
        if seen * 2 >= total:
            return hours, total
    return histogram[-1][0], total


def compute_transparency(filters: dict[str, Any]) -> dict[str, Any]:
    """Every figure of the transparency page for one filter (raw counts, not yet suppressed)."""
    where = _filtered(StatCell, filters)
    totals = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(StatCell.n), 0),
            sa.func.coalesce(sa.func.sum(StatCell.n_resolved), 0),
            sa.func.coalesce(sa.func.sum(StatCell.n_in_time), 0),
        ).where(*where)
    ).one()
    medians = {}
    for kind in ("response", "resolution"):
        rows = db.session.execute(
            sa.select(StatDuration.hours, sa.func.sum(StatDuration.n))
            .where(StatDuration.kind == kind, *_filtered(StatDuration, filters))
            .group_by(StatDuration.hours)
            .order_by(StatDuration.hours)
        ).all()
        medians[kind] = median_hours([(int(h), int(n)) for h, n in rows])
    referrals = db.session.execute(
        sa.select(
            StatReferral.body,
            StatReferral.status,
            StatReferral.sanction_applied,
            sa.func.sum(StatReferral.n),
        )
        .where(*_filtered(StatReferral, filters))
        .group_by(StatReferral.body, StatReferral.status, StatReferral.sanction_applied)
        .order_by(StatReferral.body, StatReferral.status, StatReferral.sanction_applied)
    ).all()
    run = db.session.execute(
        sa.select(StatRun.computed_at, StatRun.removed_posts).order_by(StatRun.id.desc()).limit(1)
    ).first()
    return {
        "total": int(totals[0]),
        "resolved": int(totals[1]),
        "in_time": int(totals[2]),
        "by_status": _grouped(StatCell.status, filters),
        "by_category": _grouped(StatCell.category_id, filters),
        "by_region": _grouped(StatCell.region_id, filters),
        "by_team": _grouped(StatCell.team_id, filters),
        "by_month": _grouped(StatCell.month, filters),
        "by_outcome": _grouped(StatCell.outcome, filters),
        "median_response": medians["response"],
        "median_resolution": medians["resolution"],
        "referrals": [(b, s, a, int(n)) for b, s, a, n in referrals],
        "computed_at": run.computed_at if run else None,
        "removed_posts": run.removed_posts if run else 0,
    }


def get_transparency(filters: dict[str, Any]) -> dict[str, Any]:
    """compute_transparency(), cached per filter for STATS_CACHE_SECONDS in this process."""
    cache = current_app.extensions.setdefault("public_stats_cache", {})
    key = tuple(sorted((k, str(v)) for k, v in filters.items() if v))
    now = time.monotonic()
    hit = cache.get(key)
    if hit and hit[0] > now:
        return hit[1]
    if len(cache) > 512:
        cache.clear()
    result = compute_transparency(filters)
    cache[key] = (now + current_app.config["STATS_CACHE_SECONDS"], result)
    return result


def clear_cache() -> None:
    """Forget cached figures (after a refresh in this process)."""
    current_app.extensions.get("public_stats_cache", {}).clear()
