"""Staff search over every case: the index (one document per case, rewritten in the unit of
work that changes what it holds) and the query (reference, link, handle, then full text).

SQLite searches an FTS5 table kept in step with `case_search` by triggers; PostgreSQL a
generated tsvector column (GIN) and trigram indexes on handles and references; the DDL of both
is in cases/models.py. Reporters' emails are in the index (this search is for staff only), but
never one a custodian holds: finding a case by an address would tell who reported it."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from portal.cases.duplicates.models import normalised_account_expr
from portal.cases.models import Case, CaseEvent, CaseSearch, Status
from portal.cases.workflow import FINISHED
from portal.db import db, utcnow
from portal.evidence.links import LinkRejected, canonicalize_link
from portal.evidence.models import Link
from portal.intake.models import ContactVisibility, Report

DIRTY_KEY = "portal.search_dirty"
INDEXED_CASE_FIELDS = ("reference", "reported_party", "report_count", "merged_into_id")
_URLISH = re.compile(r"^(https?://\S+|www\.\S+|[\w-]+(\.[\w-]+)+/\S*)$", re.IGNORECASE)
_HANDLE = re.compile(r"^@?[\w.]{2,100}$")
# Only these get the partial-handle lookup, which reads a whole word list on SQLite.
_LOOKS_LIKE_HANDLE = re.compile(r"^@|[_.\d]")
_REFERENCE = re.compile(r"^[A-Za-z]{3}-\d{4}-\d{6,}$")  # 7 digits from case 1,000,000
_PARTIAL_REFERENCE = re.compile(r"^([A-Za-z]{3}-?)?\d[\d-]{2,}$")
_WORD = re.compile(r"\w+")
SEARCH_TABLE = cast(sa.Table, CaseSearch.__table__)


# --- the index ---------------------------------------------------------------------------


def _handle(text: str | None) -> str:
    return (text or "").strip().lstrip("@").lower()


def _documents(case_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The search rows of these cases, read with one query per table."""
    docs: dict[int, dict[str, list[str]]] = {}
    for row in db.session.execute(
        sa.select(Case.id, Case.reference, Case.reported_party).where(Case.id.in_(case_ids))
    ):
        docs[row.id] = {
            "reference": [row.reference or ""],
            "handles": [],
            "document": [row.reported_party or ""],
            "emails": [],
        }
    reports = sa.select(
        Report.id,
        Report.case_id,
        Report.reported_party,
        Report.reported_account,
        Report.description,
        Report.contact_email,
        Report.visibility,
        Report.answers,
    ).where(Report.case_id.in_(case_ids))
    held = current_app.config["IDENTITY_CUSTODIAN"]
    case_of_report = {}
    for r in db.session.execute(reports):
        case_of_report[r.id] = r.case_id
        doc = docs[r.case_id]
        doc["handles"].append(_handle(r.reported_account))
        doc["document"] += [r.reported_party or "", r.description or ""]
        doc["document"] += [str(v) for v in (r.answers or {}).values() if isinstance(v, str)]
        if not (held and r.visibility == ContactVisibility.CONFIDENTIAL):
            doc["emails"].append((r.contact_email or "").lower())
    if case_of_report:
        links = sa.select(Link.report_id, Link.url_canonical, Link.account).where(
            Link.report_id.in_(case_of_report)
        )
        for link in db.session.execute(links):
            doc = docs[case_of_report[link.report_id]]
            doc["handles"].append(_handle(link.account))
            doc["document"].append(link.url_canonical or "")
    notes = sa.select(CaseEvent.case_id, CaseEvent.data).where(
        CaseEvent.case_id.in_(case_ids), CaseEvent.kind == "note"
    )
    for note in db.session.execute(notes):
        docs[note.case_id]["document"].append(str(note.data.get("body", "")))
    now = utcnow()
    return [
        {"case_id": case_id, "updated_at": now}
        | {key: " ".join(dict.fromkeys(p for p in parts if p)) for key, parts in doc.items()}
        for case_id, doc in docs.items()
    ]


def reindex_cases(case_ids: Iterable[int]) -> int:
    """Rewrite the search rows of these cases (no commit); returns how many were written."""
    ids = sorted({i for i in case_ids if i is not None})
    written = 0
    for start in range(0, len(ids), 500):
        rows = _documents(ids[start : start + 500])
        if rows:
            db.session.execute(_upsert(), rows)
        written += len(rows)
    return written


def _upsert() -> Any:
    # An upsert, not delete-then-insert: two transactions reindexing one case at once (two
    # reports joining a viral case) would both insert on PostgreSQL and one would fail.
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = insert(SEARCH_TABLE)
    columns = ("reference", "handles", "document", "emails", "updated_at")
    return statement.on_conflict_do_update(
        index_elements=["case_id"], set_={name: statement.excluded[name] for name in columns}
    )


def reindex_case(case: Case) -> None:
    """Rewrite one case's search row now (the unit of work also does it before committing)."""
    db.session.flush()
    reindex_cases([case.id])


def index_is_missing() -> bool:
    """Cases exist but none is in the index: an install upgraded past the search migration."""
    has_cases = db.session.scalar(sa.select(Case.id).limit(1)) is not None
    has_rows = db.session.scalar(sa.select(sa.literal(1)).select_from(SEARCH_TABLE).limit(1))
    return has_cases and has_rows is None


def rebuild_index(batch: int = 2000) -> int:
    """Every case's search row anew (`flask cases reindex`); returns the number of cases."""
    db.session.execute(sa.delete(SEARCH_TABLE))
    last, total = 0, 0
    while True:
        ids = list(
            db.session.scalars(
                sa.select(Case.id).where(Case.id > last).order_by(Case.id).limit(batch)
            )
        )
        if not ids:
            return total
        total += reindex_cases(ids)
        last = ids[-1]


def _touched_cases(session: Session) -> Iterable[int | None]:
    for obj in chain(session.new, session.dirty):
        if isinstance(obj, Case):
            state = sa.inspect(obj)
            if obj in session.new or any(
                state.attrs[name].history.has_changes() for name in INDEXED_CASE_FIELDS
            ):
                yield obj.id
        elif isinstance(obj, Report):
            yield obj.case_id
            yield from sa.inspect(obj).attrs.case_id.history.deleted or ()
        elif isinstance(obj, CaseEvent) and obj.kind == "note":
            yield obj.case_id
        elif isinstance(obj, Link) and obj.report_id is not None:
            yield -obj.report_id  # a report id, resolved to its case before reindexing


@sa.event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: object) -> None:
    touched = {i for i in _touched_cases(session) if i is not None}
    if touched:
        session.info.setdefault(DIRTY_KEY, set()).update(touched)


@sa.event.listens_for(Session, "before_commit")
def _reindex_before_commit(session: Session) -> None:
    if not session.info.get(DIRTY_KEY):
        return
    session.flush()
    touched = session.info.pop(DIRTY_KEY, set())
    report_ids = [-i for i in touched if i < 0]
    if report_ids:
        touched |= set(session.scalars(sa.select(Report.case_id).where(Report.id.in_(report_ids))))
    reindex_cases(i for i in touched if i > 0)


@sa.event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(DIRTY_KEY, None)


# --- the query ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    case: Case
    tab: str  # the queue tab the case lives in
    matched: str  # reference | link | handle | text


def tab_of(case: Case, user_id: int | None, now: datetime) -> str:
    """The queue tab a case appears under (the most specific one)."""
    if case.status in FINISHED:
        return "closed"
    if case.status == Status.NEW:
        return "new"
    if case.status == Status.WAITING_FOR_REPORTER:
        return "waiting"
    if case.due_at is not None and case.due_at < now:
        return "overdue"
    return "mine" if user_id is not None and case.assignee_id == user_id else "open"


def fts5_query(text: str, *, column: str | None = None) -> str | None:
    """An FTS5 query that matches the words of the text as typed: each chunk between spaces a
    phrase, the last one a prefix. Only word characters reach FTS5, so no input is syntax."""
    phrases = [" ".join(_WORD.findall(chunk)) for chunk in text.split()]
    phrases = [p for p in phrases if p]
    if not phrases:
        return None
    query = " ".join(f'"{p}"' for p in phrases) + "*"
    return f"{column} : ({query})" if column else query


def tsquery_prefix(text: str) -> str | None:
    """The PostgreSQL twin of fts5_query: chunks as phrases, the last word a prefix."""
    chunks = [_WORD.findall(chunk) for chunk in text.split()]
    chunks = [words for words in chunks if words]
    if not chunks:
        return None
    phrases = [[f"'{word}'" for word in words] for words in chunks]
    phrases[-1][-1] += ":*"
    return " & ".join(" <-> ".join(words) for words in phrases)


def _as_link(text: str) -> str | None:
    if " " in text or not _URLISH.match(text):
        return None
    url = text if "://" in text else f"https://{text}"
    try:
        return canonicalize_link(url).url_canonical
    except LinkRejected:
        return None


def _ids(query: sa.Select[Any]) -> list[int]:
    return list(db.session.scalars(query))


def _by_reference(text: str, scope: sa.ColumnElement[bool]) -> list[int]:
    return _ids(sa.select(Case.id).where(Case.reference == text.upper(), scope))


def _by_link(url: str, scope: sa.ColumnElement[bool], limit: int) -> list[int]:
    query = (
        sa.select(Report.case_id)
        .join(Link, Link.report_id == Report.id)
        .join(Case, Case.id == Report.case_id)
        .where(Link.url_canonical == url, scope)
        .distinct()
        .limit(limit)
    )
    return _ids(query)


def _by_handle(text: str, scope: sa.ColumnElement[bool], limit: int) -> list[int]:
    handle = _handle(text)
    exact = (
        sa.select(Report.case_id)
        .join(Case, Case.id == Report.case_id)
        .where(normalised_account_expr() == handle, scope)
        .distinct()
        .limit(limit)
    )
    found = _ids(exact)
    if not _LOOKS_LIKE_HANDLE.search(text):
        return found  # a plain word: the word search below finds it among handles too
    if db.engine.dialect.name == "postgresql":
        if len(handle) < 3:
            return found
        partial = (
            sa.select(CaseSearch.case_id, sa.func.similarity(CaseSearch.handles, handle))
            .join(Case, Case.id == CaseSearch.case_id)
            # LIKE, not ILIKE: the index holds handles lower-case, as `handle` is
            .where(CaseSearch.handles.like(f"%{_escape_like(handle)}%", escape="\\"), scope)
        )
        return found + _ranked(partial, limit)
    match = fts5_query(handle, column="handles")
    return found + _ids(_fts(match, scope, limit)) if match else found


def _by_partial_reference(text: str, scope: sa.ColumnElement[bool], limit: int) -> list[int]:
    pattern = f"%{_escape_like(text.upper())}%"
    if db.engine.dialect.name == "postgresql":  # the trigram index answers an infix LIKE
        column: Any = CaseSearch.reference
        query = sa.select(CaseSearch.case_id).join(Case, Case.id == CaseSearch.case_id)
    else:  # a scan of the short reference index: a partial reference is typed rarely
        column = Case.reference
        query = sa.select(Case.id)
    query = query.where(column.like(pattern, escape="\\"), scope)
    return _ids(query.order_by(sa.desc(column)).limit(limit))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


FTS = sa.table("case_search_fts", sa.column("rowid"))
# Ranking looks at the newest matches only: a word in every case costs what a rare one does.
RANK_WINDOW = 500
# PostgreSQL finds those among the newest cases first: ids within a window of the highest,
# widened to where the matches seen so far say RANK_WINDOW of them lie, until it holds them
# (or every case). A common word then reads a few thousand rows, not all its matches; the
# newest RANK_WINDOW matches are the same either way.
FIRST_WINDOW = 5_000


def _newest_matches(query: sa.Select[Any]) -> list[Any]:
    """The rows (case_id, score) of the newest RANK_WINDOW matches of a CaseSearch query."""
    top = db.session.scalar(sa.select(sa.func.max(CaseSearch.case_id))) or 0
    window = FIRST_WINDOW
    while True:
        bounded = query if window >= top else query.where(CaseSearch.case_id > top - window)
        rows = db.session.execute(
            bounded.order_by(CaseSearch.case_id.desc()).limit(RANK_WINDOW)
        ).all()
        if len(rows) >= RANK_WINDOW or window >= top:
            return list(rows)
        wanted = window * RANK_WINDOW * 5 // (4 * len(rows)) if rows else window * 10
        window = max(2 * window, wanted)


def _ranked(query: sa.Select[Any], limit: int) -> list[int]:
    """Case ids of the newest matches of a (case_id, score) query, best score first."""
    rows = _newest_matches(query)
    rows.sort(key=lambda row: (-row[1], -row[0]))
    return [row[0] for row in rows[:limit]]


def _fts(match: str, scope: sa.ColumnElement[bool], limit: int) -> sa.Select[Any]:
    table: sa.ColumnElement[Any] = sa.literal_column("case_search_fts")
    newest = (
        sa.select(FTS.c.rowid.label("case_id"), sa.func.bm25(table, 5.0, 1.0, 1.0).label("s"))
        .select_from(FTS)
        .join(Case, Case.id == FTS.c.rowid)
        .where(table.op("MATCH")(match), scope)
        .order_by(FTS.c.rowid.desc())
        .limit(RANK_WINDOW)
        .subquery()
    )
    return sa.select(newest.c.case_id).order_by(newest.c.s, newest.c.case_id.desc()).limit(limit)


def _by_text(text: str, scope: sa.ColumnElement[bool], limit: int) -> list[int]:
    if db.engine.dialect.name == "postgresql":
        tsv: sa.ColumnElement[Any] = sa.literal_column("case_search.tsv")
        simple: sa.ColumnElement[Any] = sa.literal_column("'simple'")
        query: sa.ColumnElement[Any] = sa.func.websearch_to_tsquery(simple, text)
        prefixed = tsquery_prefix(text)
        if prefixed:  # the words as typed, the last one a prefix, or the web-search reading
            query = query.op("||")(sa.func.to_tsquery(simple, prefixed))
        matches = (
            sa.select(CaseSearch.case_id, sa.func.ts_rank(tsv, query))
            .join(Case, Case.id == CaseSearch.case_id)
            .where(tsv.op("@@")(query), scope)
        )
        return _ranked(matches, limit)
    match = fts5_query(text)
    return _ids(_fts(match, scope, limit)) if match else []


def search_cases(
    text: str,
    scope: sa.ColumnElement[bool],
    *,
    user_id: int | None = None,
    now: datetime | None = None,
    limit: int = 50,
) -> list[SearchHit]:
    """Cases in scope that match the text, best first, with the tab each lives in: an exact
    reference, then a link (canonicalised), then an account handle, then the words."""
    text = " ".join(text.split())[:200]
    if not text:
        return []
    found: dict[int, str] = {}

    def add(ids: Iterable[int], how: str) -> None:
        for case_id in ids:
            found.setdefault(case_id, how)

    if _REFERENCE.match(text):
        add(_by_reference(text, scope), "reference")
    elif _PARTIAL_REFERENCE.match(text):
        add(_by_partial_reference(text, scope, limit), "reference")
    url = _as_link(text)
    if url:  # a link is matched whole; its words (https, www, com) would match everything
        add(_by_link(url, scope, limit), "link")
    else:
        if _HANDLE.match(text):
            add(_by_handle(text, scope, limit), "handle")
        if len(found) < limit:  # else no word match would be shown: the page is full
            add(_by_text(text, scope, limit), "text")
    ids = list(found)[:limit]
    cases = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Case)
            .where(Case.id.in_(ids))
            .options(
                selectinload(Case.category),
                selectinload(Case.region),
                selectinload(Case.team),
                selectinload(Case.assignee),
            )
        )
    }
    now = now or utcnow()
    return [SearchHit(cases[i], tab_of(cases[i], user_id, now), found[i]) for i in ids]
