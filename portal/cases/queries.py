"""Reads on cases: the triage queue (keyset pages, tab counts) and one case with its reports."""

import base64
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from portal.accounts.models import Role, User
from portal.cases.identity.models import CaseRisk
from portal.cases.models import CannedReply, Case, CaseEvent, Message, ReportLabel, Status
from portal.cases.workflow import FINISHED, OPEN
from portal.db import UTCDateTime, db
from portal.intake.findings.models import Finding
from portal.intake.models import Report

TABS = ("new", "mine", "open", "overdue", "waiting", "closed", "all")
SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {  # name -> (column, descending)
    "newest": (Case.created_at, True),
    "oldest": (Case.created_at, False),
    "due": (Case.due_at, False),
    "window": (Case.window_closes_at, False),  # the nearest closing legal window first
    "reports": (Case.report_count, True),
    "priority": (Case.priority, True),
}
NULLS_LAST = (Case.due_at, Case.window_closes_at)  # ascending sorts of optional moments
OPEN_VALUES = [str(s) for s in OPEN]
FINISHED_VALUES = [str(s) for s in FINISHED]


class InvalidCursor(ValueError):
    """The `after` parameter was not made by this portal for this sort."""


@dataclass
class QueueFilters:
    tab: str = "open"
    status: str | None = None
    category_id: int | None = None
    region_id: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None  # 0: unassigned
    is_overdue: bool = False
    min_reports: int | None = None
    q: str = ""
    sort: str = "newest"
    after: str | None = None


@dataclass
class QueuePage:
    cases: list[Case]
    next_cursor: str | None
    extra: dict[str, Any] = field(default_factory=dict)


def scope(user: User) -> sa.ColumnElement[bool]:
    """The cases a member of staff may see: admins all, others only their team's."""
    if user.role == Role.ADMIN:
        return sa.true()
    if user.team_id is None:
        return sa.false()
    return Case.team_id == user.team_id


def get_case_for(user: User, case_id: int) -> Case | None:
    """The case when the user may see it, else None (the view answers 404 either way)."""
    return db.session.scalar(sa.select(Case).where(Case.id == case_id, scope(user)))


def peek_case_for(user: User, case_id: int) -> sa.Row[Any] | None:
    """The case's id, team, page version, status and deadline when the user may see it, else
    None: what a kept case page is found by, without loading the case."""
    if user.role != Role.ADMIN and user.team_id is None:
        return None
    kind = "all" if user.role == Role.ADMIN else "team"
    params = {"case_id": case_id, "team_id": user.team_id}
    return db.session.connection().execute(_peek_statement(kind), params).first()


@functools.cache
def _peek_statement(kind: str) -> sa.Select[Any]:
    team_scope = sa.true() if kind == "all" else Case.team_id == sa.bindparam("team_id")
    columns = (Case.id, Case.team_id, Case.page_version, Case.status, Case.due_at)
    return cast(
        sa.Select[Any], sa.select(*columns).where(Case.id == sa.bindparam("case_id"), team_scope)
    )


def next_due(user: User, *, after: datetime) -> datetime | None:
    """The earliest deadline after `after` of an open case in the user's scope."""
    return db.session.scalar(
        sa.select(sa.func.min(Case.due_at)).where(
            scope(user), Case.due_at > after, Case.status.in_(OPEN_VALUES)
        )
    )


def _tab_condition(tab: str, user: User, now: datetime) -> sa.ColumnElement[bool]:
    if tab == "new":
        return Case.status == Status.NEW
    if tab == "mine":
        return sa.and_(Case.assignee_id == user.id, Case.status.in_(OPEN_VALUES))
    if tab == "overdue":
        return sa.and_(Case.due_at < now, Case.status.in_(OPEN_VALUES))
    if tab == "waiting":
        return Case.status == Status.WAITING_FOR_REPORTER
    if tab == "closed":
        return Case.status.in_(FINISHED_VALUES)
    if tab == "all":  # every case in the user's scope, open or finished
        return sa.true()
    return Case.status.in_(OPEN_VALUES)


def _conditions(user: User, f: QueueFilters, now: datetime) -> list[sa.ColumnElement[bool]]:
    conds = [scope(user), _tab_condition(f.tab, user, now)]
    simple = {Case.status: f.status, Case.category_id: f.category_id, Case.region_id: f.region_id}
    if user.role == Role.ADMIN:
        simple[Case.team_id] = f.team_id
    conds += [col == value for col, value in simple.items() if value]
    if f.assignee_id == 0:
        conds.append(Case.assignee_id.is_(None))
    elif f.assignee_id:
        conds.append(Case.assignee_id == f.assignee_id)
    if f.is_overdue:
        conds += [Case.due_at < now, Case.status.in_(OPEN_VALUES)]
    if f.min_reports:
        conds.append(Case.report_count >= f.min_reports)
    return conds


def queue_statement(
    user: User, filters: QueueFilters, *, now: datetime, limit: int
) -> sa.Select[Any]:
    """The select of one queue page (limit + 1 rows, to know whether there is a next page);
    InvalidCursor for a cursor we did not issue."""
    column, descending = SORTS.get(filters.sort, SORTS["newest"])
    query = sa.select(Case).where(*_conditions(user, filters, now))
    if filters.after:
        query = query.where(_after(column, descending, decode_cursor(filters.after, filters.sort)))
    order = [column.desc(), Case.id.desc()] if descending else [column.asc(), Case.id.asc()]
    if column in NULLS_LAST:
        order = [column.asc().nulls_last(), Case.id.asc()]
    return query.order_by(*order).limit(limit + 1)


def queue_versions(
    user: User, filters: QueueFilters, *, now: datetime, limit: int
) -> list[sa.Row[Any]]:
    """The ids, page versions, statuses and deadlines of one queue page's rows (and the one
    after it): what a kept queue page is found by (cases/kept.py)."""
    statement = _versions_statement(
        user.role, user.team_id, user.id, tuple(vars(filters).items()), limit
    )
    return list(db.session.connection().execute(statement, {"now": now}))


@functools.lru_cache(maxsize=512)
def _versions_statement(
    role: str, team_id: int | None, user_id: int, filters: tuple[tuple[str, Any], ...], limit: int
) -> sa.Select[Any]:
    """queue_statement's columns for the key, built once per viewer and filters, `now` bound
    at execution (building the statement cost more than running it)."""
    user = cast(User, SimpleNamespace(role=role, team_id=team_id, id=user_id))
    now = cast(datetime, sa.bindparam("now", type_=UTCDateTime))
    statement = queue_statement(user, QueueFilters(**dict(filters)), now=now, limit=limit)
    columns = (Case.id, Case.page_version, Case.status, Case.due_at)
    return cast(sa.Select[Any], statement.with_only_columns(*columns))


def list_queue(
    user: User,
    filters: QueueFilters,
    *,
    now: datetime,
    limit: int = 50,
    references_loaded: bool = False,
) -> QueuePage:
    """One page of the queue after the cursor; InvalidCursor for a cursor we did not issue.
    With `references_loaded` (every category, region and team already in the session, as the
    queue's filter form loads them) only the assignees are loaded with the page."""
    column, _ = SORTS.get(filters.sort, SORTS["newest"])
    # selectinload, not joins: the page query stays a plain index walk that stops at the limit
    # (with joins PostgreSQL misjudged deep pages and sorted every row before the cursor).
    loads = [selectinload(Case.assignee)]
    if not references_loaded:
        loads += [
            selectinload(Case.category),
            selectinload(Case.region),
            selectinload(Case.team),
        ]
    query = queue_statement(user, filters, now=now, limit=limit).options(*loads)
    cases = list(db.session.scalars(query))
    next_cursor = None
    if len(cases) > limit:
        cases = cases[:limit]
        last = cases[-1]
        next_cursor = encode_cursor(filters.sort, getattr(last, column.key), last.id)
    return QueuePage(cases, next_cursor)


def _after(
    column: InstrumentedAttribute[Any], descending: bool, key: tuple[Any, int]
) -> sa.ColumnElement[bool]:
    # Row-value comparisons, so that PostgreSQL seeks the (…, key, id) index instead of
    # filtering every row before the cursor: a deep page costs what the first one does.
    value, last_id = key
    row = sa.tuple_(column, Case.id)
    if column in NULLS_LAST:  # ascending, NULLs last
        if value is None:
            return sa.and_(column.is_(None), Case.id > last_id)
        return sa.or_(row > sa.tuple_(value, last_id), column.is_(None))
    return row < sa.tuple_(value, last_id) if descending else row > sa.tuple_(value, last_id)


def encode_cursor(sort: str, value: Any, last_id: int) -> str:
    """An opaque, URL-safe cursor: the sort, its key of the last row, and that row's id."""
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([sort, value, last_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    """The key and id a cursor carries; InvalidCursor when it is malformed or for another sort."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        got_sort, value, last_id = json.loads(raw)
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["t"])
            if value.tzinfo is None:
                raise ValueError("naive time")
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise InvalidCursor() from None
    column, _ = SORTS.get(sort, SORTS["newest"])
    wants_time = column in (Case.created_at, *NULLS_LAST)
    value_ok = isinstance(value, datetime) if wants_time else type(value) is int
    if (
        got_sort != sort
        or type(last_id) is not int
        or not (value_ok or (value is None and column in NULLS_LAST))
    ):
        raise InvalidCursor()
    return value, last_id


def count_tabs(user: User, *, now: datetime, cap: int) -> dict[str, tuple[int, bool]]:
    """Cases per tab in the user's scope, counted up to `cap` (True when there are more), in
    one statement: each tab a capped count as a scalar subquery."""
    if user.role == Role.ADMIN:
        kind = "all"
    elif user.team_id is None:
        return {tab: (0, False) for tab in TABS}
    else:
        kind = "team"
    params = {"team_id": user.team_id, "user_id": user.id, "now": now, "cap": cap + 1}
    row = db.session.connection().execute(_count_statement(kind), params).one()
    return {tab: (min(n or 0, cap), (n or 0) > cap) for tab, n in zip(TABS, row, strict=True)}


@functools.cache
def _count_statement(kind: str) -> sa.Select[Any]:
    """The tab counts' statement, built once per scope kind with bound parameters (building
    seven subqueries cost more than running them)."""
    team_scope = sa.true() if kind == "all" else Case.team_id == sa.bindparam("team_id")
    user = cast(User, SimpleNamespace(id=sa.bindparam("user_id")))
    now = cast(datetime, sa.bindparam("now", type_=UTCDateTime))
    counts = [
        sa.select(sa.func.count())
        .select_from(
            sa.select(Case.id)
            .where(team_scope, _tab_condition(tab, user, now))
            .limit(sa.bindparam("cap", type_=sa.Integer))
            .subquery()
        )
        .scalar_subquery()
        for tab in TABS
    ]
    return sa.select(*counts)


def load_case_page(case: Case) -> list[Report]:
    """The reports of a case with their evidence, links and messages, in few queries."""
    return list(
        db.session.scalars(
            sa.select(Report)
            .where(Report.case_id == case.id)
            .order_by(Report.created_at, Report.id)
            .options(
                selectinload(Report.evidence),
                selectinload(Report.links),
                selectinload(Report.messages).selectinload(Message.evidence),
                selectinload(Report.messages).joinedload(Message.author),
                joinedload(Report.region),
            )
        )
    )


def list_report_labels(case: Case) -> dict[int, str]:
    """Report id -> its label in this case, also for reports that have since left it."""
    rows = db.session.execute(
        sa.select(ReportLabel.report_id, ReportLabel.label).where(ReportLabel.case_id == case.id)
    )
    return {row.report_id: row.label for row in rows}


def list_events(case: Case) -> list[CaseEvent]:
    """The full history of a case, oldest first, with actors."""
    return list(
        db.session.scalars(
            sa.select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.seq)
            .options(joinedload(CaseEvent.actor))
        )
    )


def list_transfers_away(case_id: int, team_id: int | None) -> list[CaseEvent]:
    """The transfers of a case out of this team, oldest first: what the sending team still
    sees of a case it can no longer open."""
    if team_id is None:
        return []
    events = db.session.scalars(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id == case_id, CaseEvent.kind == "transferred")
        .order_by(CaseEvent.seq)
        .options(joinedload(CaseEvent.actor), joinedload(CaseEvent.case))
    )
    return [event for event in events if (event.data or {}).get("from_team_id") == team_id]


def list_team_members(team_id: int | None, *, roles: tuple[str, ...] = ()) -> list[User]:
    """Active staff of a team, by name."""
    if team_id is None:
        return []
    query = sa.select(User).where(User.team_id == team_id, User.is_active.is_(True))
    if roles:
        query = query.where(User.role.in_(roles))
    return list(db.session.scalars(query.order_by(User.name)))


def list_assignable(team_id: int | None) -> list[tuple[User, int]]:
    """Active staff of a team with how many open cases each holds, by name."""
    members = list_team_members(team_id)
    if not members:
        return []
    counts = dict(
        db.session.execute(
            sa.select(Case.assignee_id, sa.func.count())
            .where(Case.assignee_id.in_([u.id for u in members]), Case.status.in_(OPEN_VALUES))
            .group_by(Case.assignee_id)
        ).all()
    )
    return [(user, counts.get(user.id, 0)) for user in members]


def list_canned_replies(
    *, category_id: int | None = None, status: str | None = None, only_matching: bool = False
) -> list[CannedReply]:
    """Canned replies; when matching, those for this category/status or for any, the most
    specific first."""
    query = sa.select(CannedReply).order_by(CannedReply.title, CannedReply.id)
    if only_matching:  # the ones written for this category and status come first
        query = (
            query.where(
                sa.or_(CannedReply.category_id.is_(None), CannedReply.category_id == category_id),
                sa.or_(CannedReply.status.is_(None), CannedReply.status == status),
            )
            .order_by(None)
            .order_by(
                CannedReply.category_id.is_(None),
                CannedReply.status.is_(None),
                CannedReply.title,
                CannedReply.id,
            )
        )
    return list(db.session.scalars(query.options(joinedload(CannedReply.category))))


def list_finding_channels(case_ids: list[int]) -> dict[int, list[str]]:
    """The staff-intake channels among each listed case's reports (the queue's marks)."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        sa.select(Report.case_id, Finding.channel)
        .join(Finding, Finding.report_id == Report.id)
        .where(Report.case_id.in_(case_ids))
        .distinct()
        .order_by(Report.case_id, Finding.channel)
    )
    found: dict[int, list[str]] = {}
    for case_id, channel in rows:
        found.setdefault(case_id, []).append(channel)
    return found


def list_at_risk(case_ids: Iterable[int]) -> set[int]:
    """Which of these cases are at risk (one query, for the queue)."""
    ids = list(case_ids)
    if not ids:
        return set()
    merged = sa.select(Case.merged_into_id).join(CaseRisk, CaseRisk.case_id == Case.id)
    rows = db.session.scalars(
        sa.select(Case.id).where(
            Case.id.in_(ids),
            sa.or_(
                Case.id.in_(sa.select(CaseRisk.case_id).where(CaseRisk.is_at_risk.is_(True))),
                Case.id.in_(merged.where(CaseRisk.is_at_risk.is_(True))),
            ),
        )
    ).all()
    return set(rows)
