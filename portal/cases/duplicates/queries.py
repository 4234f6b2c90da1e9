"""Duplicates: a new report joins an open case on a matching link; near-identical screenshots
and the same reported account within a time window are suggested to officers."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, aliased

from portal.cases.duplicates.models import (
    BANDS,
    Decision,
    DuplicateDecision,
    PhashBand,
    band_keys,
    normalised_account_expr,
)
from portal.cases.history import record_event
from portal.cases.models import Case
from portal.cases.workflow import OPEN
from portal.db import db
from portal.evidence.models import Evidence, Link
from portal.intake.models import Report

logger = logging.getLogger(__name__)

OPEN_VALUES = [str(s) for s in OPEN]
CHUNK = 900  # stay under SQLite's bound-parameter limit
OPEN_EVIDENCE_CAP = 3000  # screenshots of open cases compared one by one, below this many


def open_case_clause() -> sa.ColumnElement[bool]:
    """A case still being worked on and not merged into another one."""
    return sa.and_(Case.status.in_(OPEN_VALUES), Case.merged_into_id.is_(None))


def normalise_account(handle: str | None) -> str:
    """A reported account as compared: trimmed, lower-case, without a leading "@"."""
    return (handle or "").strip().lstrip("@").lower()


# Auto-join -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JoinMatch:
    case: Case
    url: str

    @property
    def event_data(self) -> dict[str, str]:
        return {"matched_on": "link", "url": self.url}


def find_join(report: Report) -> JoinMatch | None:
    """The oldest open case holding a report with one of this report's canonical links."""
    urls = sorted({link.url_canonical for link in report.links if link.url_canonical})
    if not urls:
        return None
    query = (
        sa.select(Case, Link.url_canonical)
        .join(Report, Report.case_id == Case.id)
        .join(Link, Link.report_id == Report.id)
        .where(Link.url_canonical.in_(urls), open_case_clause())
        .order_by(Case.created_at, Case.id)
        .limit(1)
    )
    if report.id is not None:
        query = query.where(Report.id != report.id)
    with db.session.no_autoflush:  # the new report may not be insertable yet
        row = db.session.execute(query).first()
    return JoinMatch(row[0], cast(str, row[1])) if row else None  # the url matched: not NULL


def find_case_to_join(report: Report) -> Case | None:
    """The open case a new report joins automatically (exact canonical link match), if any."""
    match = find_join(report)
    return match.case if match else None


# Perceptual-hash bands: written with every new Evidence row ---------------------------------


@sa.event.listens_for(Session, "before_flush")
def _index_new_evidence(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.new):
        if isinstance(obj, Evidence) and obj.phash:
            session.add_all(
                PhashBand(evidence=obj, band_key=key, phash=obj.phash)
                for key in band_keys(obj.phash)
            )


def backfill_phash_bands(batch: int = 5000) -> int:
    """Index evidence rows written without the ORM (bulk loads); returns how many."""
    done = 0
    while True:
        rows = db.session.execute(
            sa.select(Evidence.id, Evidence.phash)
            .where(~sa.exists().where(PhashBand.evidence_id == Evidence.id))
            .order_by(Evidence.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        db.session.execute(
            sa.insert(PhashBand),
            [
                {"evidence_id": row.id, "band_key": key, "phash": row.phash}
                for row in rows
                for key in band_keys(row.phash)
            ],
        )
        done += len(rows)


def _keys_within(phash: str, radius: int) -> set[int]:
    """Band keys of every hash differing from phash by at most `radius` bits in some band."""
    keys = set()
    for key in band_keys(phash):
        for r in range(radius + 1):
            for bits in combinations(range(16), r):
                flipped = key
                for bit in bits:
                    flipped ^= 1 << bit
                keys.add(flipped)
    return keys


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two hex perceptual hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


# Suggestions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidencePair:
    mine: Evidence
    theirs: Evidence
    distance: int


@dataclass
class Suggestion:
    other_case: Case
    reasons: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[EvidencePair] = field(default_factory=list)

    @property
    def best_distance(self) -> int:
        return min((p.distance for p in self.pairs), default=99)


def _similar_evidence(
    case: Case, threshold: int, others: sa.ColumnElement[bool]
) -> dict[int, list[tuple[int, int, int]]]:
    """other case id -> [(my evidence id, their evidence id, distance)] within threshold."""
    mine = db.session.execute(
        sa.select(Evidence.id, Evidence.phash).join(Report).where(Report.case_id == case.id)
    ).all()
    if not mine:
        return {}
    my_values = [(int(m.phash, 16), m.id) for m in mine]
    found: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    # Open cases are few on an install that keeps up (finished ones stay out of suggestions):
    # compare with every screenshot of theirs, a cost that follows the open work, not the
    # archive; past OPEN_EVIDENCE_CAP of them, the band index finds the candidates. The query
    # starts from the list of open case ids: without statistics SQLite would otherwise walk
    # the cases through the index of "merged into nothing", which holds nearly all of them.
    listed = aliased(Case)
    open_ids = sa.select(listed.id).where(listed.status.in_(OPEN_VALUES))
    rows = db.session.execute(
        sa.select(Evidence.id, Evidence.phash, Report.case_id)
        .join(Report, Report.id == Evidence.report_id)
        .join(Case, Case.id == Report.case_id)
        .where(Case.id.in_(open_ids), others, Evidence.phash.is_not(None))
        .limit(OPEN_EVIDENCE_CAP + 1)
    ).all()
    if len(rows) <= OPEN_EVIDENCE_CAP:
        for row in rows:
            value = int(row.phash, 16)
            distance, mine_id = min(((value ^ v).bit_count(), i) for v, i in my_values)
            if distance <= threshold:
                found[row.case_id].append((mine_id, row.id, distance))
        return found
    return _similar_by_bands({m.phash for m in mine}, my_values, threshold, others)


def _similar_by_bands(
    phashes: set[str],
    my_values: list[tuple[int, int]],
    threshold: int,
    others: sa.ColumnElement[bool],
) -> dict[int, list[tuple[int, int, int]]]:
    """_similar_evidence through the perceptual-hash bands (many open screenshots)."""
    # Multi-index hashing: two hashes within `threshold` bits agree within
    # threshold // BANDS bits on at least one band, so this candidate set misses none.
    keys: set[int] = set()
    for phash in phashes:
        keys |= _keys_within(phash, threshold // BANDS)
    hits: dict[int, tuple[int, int]] = {}  # their evidence id -> (distance, my evidence id)
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        rows = db.session.execute(
            sa.select(PhashBand.evidence_id, PhashBand.phash).where(
                PhashBand.band_key.in_(ordered[start : start + CHUNK])
            )
        ).all()
        for row in rows:
            if row.evidence_id not in hits:
                value = int(row.phash, 16)
                hits[row.evidence_id] = min(((value ^ v).bit_count(), i) for v, i in my_values)
    close = [evidence_id for evidence_id, (d, _) in hits.items() if d <= threshold]
    found: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for start in range(0, len(close), CHUNK):
        for evidence_id, case_id in db.session.execute(
            sa.select(Evidence.id, Report.case_id)
            .join(Report, Report.id == Evidence.report_id)
            .join(Case, Case.id == Report.case_id)
            .where(Evidence.id.in_(close[start : start + CHUNK]), others)
        ):
            distance, mine_id = hits[evidence_id]
            found[case_id].append((mine_id, evidence_id, distance))
    return found


def _same_account(
    case: Case, window: timedelta, others: sa.ColumnElement[bool]
) -> dict[int, dict[str, Any]]:
    """other case id -> {"account", "hours"} for reports on the same account within the window."""
    mine: dict[str, list[datetime]] = defaultdict(list)
    for report in case.reports:
        if normalise_account(report.reported_account):
            mine[normalise_account(report.reported_account)].append(report.created_at)
    if not mine:
        return {}
    earliest = min(min(times) for times in mine.values()) - window
    latest = max(max(times) for times in mine.values()) + window
    account = normalised_account_expr().label("account")
    rows = db.session.execute(
        sa.select(Report.case_id, account, Report.created_at)
        .join(Case, Case.id == Report.case_id)
        .where(
            normalised_account_expr().in_(sorted(mine)),
            others,
            Report.created_at.between(earliest, latest),
        )
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        gap = min(abs(row.created_at - t) for t in mine[row.account])
        hours = round(gap.total_seconds() / 3600, 1)
        if gap <= window and (row.case_id not in found or hours < found[row.case_id]["hours"]):
            found[row.case_id] = {"kind": "account", "account": row.account, "hours": hours}
    return found


def _same_link(case: Case, others: sa.ColumnElement[bool]) -> dict[int, dict[str, Any]]:
    """other case id -> {"kind": "link", "url"} for open cases linking to a post this case
    links to (a report joins such a case by itself; this catches those that did not, e.g.
    after a merge was undone or a link was added later)."""
    # Two short queries, not one join: this case's few links first, then the others by value.
    # On PostgreSQL the joined form was planned from stale statistics right after a bulk load
    # (the demo) and ran for minutes; a list of values always takes the url_canonical index.
    mine = db.session.scalars(
        sa.select(Link.url_canonical)
        .join(Report)
        .where(Report.case_id == case.id, Link.url_canonical.is_not(None))
        .distinct()
    ).all()
    if not mine:
        return {}
    rows = db.session.execute(
        sa.select(Report.case_id, sa.func.min(Link.url_canonical))
        .select_from(Link)
        .join(Report, Report.id == Link.report_id)
        .join(Case, Case.id == Report.case_id)
        .where(Link.url_canonical.in_(mine), others)
        .group_by(Report.case_id)
    ).all()
    return {case_id: {"kind": "link", "url": url} for case_id, url in rows}


def rejected_partners(case: Case) -> set[int]:
    """Ids of cases an officer said are not the same matter as this one."""
    rows = db.session.execute(
        sa.select(DuplicateDecision.case_a_id, DuplicateDecision.case_b_id).where(
            DuplicateDecision.decision == Decision.REJECTED,
            sa.or_(DuplicateDecision.case_a_id == case.id, DuplicateDecision.case_b_id == case.id),
        )
    ).all()
    return {a if b == case.id else b for a, b in rows}


def list_duplicate_suggestions(
    case: Case, scope: sa.ColumnElement[bool] | None = None
) -> list[Suggestion]:
    """Open cases that look like the same matter (link, screenshots, account), strongest
    first."""
    config = current_app.config
    others = sa.and_(
        Case.id != case.id, open_case_clause(), scope if scope is not None else sa.true()
    )
    images = _similar_evidence(case, config["DUPLICATE_PHASH_DISTANCE"], others)
    accounts = _same_account(
        case, timedelta(hours=config["DUPLICATE_ACCOUNT_WINDOW_HOURS"]), others
    )
    links = _same_link(case, others)
    ids = (set(images) | set(accounts) | set(links)) - rejected_partners(case)
    if not ids:
        return []
    cases = {c.id: c for c in db.session.scalars(sa.select(Case).where(Case.id.in_(ids)))}
    evidence_ids = {e for pairs in images.values() for p in pairs for e in p[:2]}
    evidence = (
        {
            e.id: e
            for e in db.session.scalars(sa.select(Evidence).where(Evidence.id.in_(evidence_ids)))
        }
        if evidence_ids
        else {}
    )
    suggestions = []
    for other_id in sorted(ids):
        suggestion = Suggestion(cases[other_id])
        if other_id in links:
            suggestion.reasons.append(links[other_id])
        pairs = sorted(images.get(other_id, []), key=lambda p: (p[2], p[1]))
        suggestion.pairs = [EvidencePair(evidence[a], evidence[b], d) for a, b, d in pairs]
        if pairs:
            suggestion.reasons.append(
                {"kind": "screenshot", "count": len(pairs), "distance": pairs[0][2]}
            )
        if other_id in accounts:
            suggestion.reasons.append(accounts[other_id])
        suggestions.append(suggestion)
    suggestions.sort(key=lambda s: (-len(s.reasons), s.best_distance, s.other_case.id))
    return suggestions


def _pair(a: Case, b: Case) -> tuple[int, int]:
    return (a.id, b.id) if a.id < b.id else (b.id, a.id)


def record_decision(*, case: Case, other: Case, decision: str, actor: Any) -> DuplicateDecision:
    """Store an officer's answer to a suggestion (flushes)."""
    low, high = _pair(case, other)
    row = DuplicateDecision(
        case_a_id=low, case_b_id=high, decision=decision, actor_id=getattr(actor, "id", None)
    )
    db.session.add(row)
    db.session.flush()
    return row


def reject_suggestion(*, case: Case, other: Case, actor: Any) -> None:
    """ "Not a duplicate": the pair is no longer suggested; recorded on both cases."""
    record_decision(case=case, other=other, decision=Decision.REJECTED, actor=actor)
    record_event(case, "duplicate_rejected", actor=actor, data={"other": other.reference})
    record_event(other, "duplicate_rejected", actor=actor, data={"other": case.reference})
    logger.info(
        "Cases %s and %s marked as not duplicates by user %s",
        case.id,
        other.id,
        getattr(actor, "id", None),
    )
