"""The database: declarative base, shared column types, and the one transaction boundary."""

import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry
from werkzeug.exceptions import ServiceUnavailable

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The base of every model. mypy cannot take an attribute (db.Model) as a base class, so it is
# shown the declarative base that db.Model is built from.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

logger = logging.getLogger(__name__)

# The undo actions (e.g. delete a stored file) of each open unit of work, innermost last.
_undo: ContextVar[tuple[list[Callable[[], None]], ...]] = ContextVar("unit_undo", default=())
# How the next SQLite transaction begins: True inside a unit of work (BEGIN IMMEDIATE), False
# while a failed unit undoes its side effects (plain BEGIN), None elsewhere (by the context).
_immediate: ContextVar[bool | None] = ContextVar("unit_immediate", default=None)
RETRY_AFTER_SECONDS = 5


class DatabaseBusy(ServiceUnavailable):
    """The database stayed busy past the wait (SQLite's busy timeout, PostgreSQL's lock
    timeout) or the connection was lost: nothing was stored; try again in a few seconds."""

    portal_message = _l(
        "The portal is busy right now and nothing you sent was saved. Please try again in a moment."
    )

    def __init__(self) -> None:
        super().__init__(description=self.portal_message, retry_after=RETRY_AFTER_SECONDS)


def is_busy(err: BaseException) -> bool:
    """Whether a database error means "busy or away, try again" rather than a bug."""
    if isinstance(err, sa.exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(err, sa.exc.OperationalError):
        return False
    if isinstance(err.orig, sqlite3.OperationalError):  # also "no such table", "disk I/O"
        text = str(err.orig).lower()
        return "locked" in text or "busy" in text
    return True  # PostgreSQL: lock or statement timeout, connection lost, server shutting down


def utcnow() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores naive UTC, returns aware UTC, on every database."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class EditError(ValueError):
    """An admin's edit was refused; the message is for the form."""


class StaleEdit(EditError):
    """The row changed since the form was opened."""


def edit_version(row: Any) -> str:
    """A short digest of a row's editable values (its model's `editable`), carried by its form."""
    values = {name: getattr(row, name) for name in type(row).editable}
    body = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()[:20]


def check_version(row: Any, version: str) -> None:
    """Raise StaleEdit when the row's editable values changed since `version` was taken."""
    if version != edit_version(row):
        raise StaleEdit(
            str(
                _l(
                    "Someone else changed this while you were editing it. "
                    "Reload the page to see their changes, then edit again."
                )
            )
        )


def on_failure(undo: Callable[[], None]) -> None:
    """Register what undoes a side effect outside the database (a stored file) should the
    enclosing unit of work fail; outside a unit of work it is not needed and dropped."""
    units = _undo.get()
    if units:
        units[0].append(undo)  # the outermost unit decides: inner units join it


@contextmanager
def unit_of_work() -> Iterator[None]:
    """The one transaction boundary of every request, command and job: commit at the end, or
    roll back, undo the side effects registered with on_failure(), and re-raise.

    Views and commands wrap the operations they call in `with unit_of_work():` and catch a
    refusal (a domain error, StaleDataError) outside the block, so it is flashed or reported
    after the rollback. Reads made before the block share its database transaction. Jobs that
    must not hold a transaction across network work (capture jobs, the mail sender) open one
    unit per step themselves and are called outside any unit.

    On SQLite the unit's transaction begins IMMEDIATE, at its first query: the write lock is
    held from there to the commit, so slow work (decoding and storing images) belongs before
    the first query. A read-only transaction left open by the caller is ended first (reads of
    a request begin plain), so that the unit's own BEGIN takes the lock.

    The rollback comes first so that the undo actions run without holding the SQLite write
    lock. A unit of work opened inside another joins it: only the outermost commits. When the
    database stays busy, DatabaseBusy (a 503 with Retry-After) replaces the database's error.
    """
    if _undo.get():
        yield
        return
    _end_read_transaction()
    undo: list[Callable[[], None]] = []
    token = _undo.set((undo,))
    immediate = _immediate.set(True)
    try:
        yield
        db.session.commit()
    except BaseException as err:
        db.session.rollback()
        _immediate.set(False)  # the undo reads (which files are referenced) take no lock
        for action in reversed(undo):
            try:
                action()
            except Exception:  # the database may be what failed: the sweep finishes the job
                logger.exception("Could not undo a side effect of a failed unit of work")
        if is_busy(err):
            logger.warning("Database busy; refused with Retry-After: %s", getattr(err, "orig", err))
            raise DatabaseBusy() from err
        raise
    finally:
        _immediate.reset(immediate)
        _undo.reset(token)


def _end_read_transaction() -> None:
    """End the session's transaction if it only read, so the unit begins its own."""
    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.commit()


def configure_sqlite(engine: sa.Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for units of work.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's "begin" event
    decides: a unit of work (and anything outside a request: CLI, worker, tests) takes the
    write lock up front, so two writers queue on the busy timeout instead of failing with
    SQLITE_BUSY mid-transaction; a request's reads outside a unit begin plain (WAL readers
    never wait), so a request holds the lock only while its unit runs.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        immediate = _immediate.get()
        if immediate is None:
            immediate = not has_request_context()
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
