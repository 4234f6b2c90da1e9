"""The staff pages kept in the shared cache (Flask-Caching): the case page and the queue.

A kept page is found under everything that decides what it shows: the case's page version
(cases/freshness.py, bumped in the transaction of every write to it), a token renewed after
every commit of rows any case page shows (names, teams, categories: `REFERENCE`) and one
renewed after every change to what duplicate suggestions are computed from (`DUPLICATES`),
the viewer (id, role, team), the language, the local date and hour (deadlines and windows
are shown relative to them), the address with its arguments, and whatever else the caller
adds. A queue page adds a token renewed after every commit that bumps a case of the viewer's
team, or any case for an admin (`CASES`, `queue_generation`), and is kept only until the next
deadline of a case in its scope passes (a row turns overdue, a tab count moves): it is found
without the database. The caller checks access before asking.

Never kept: a page with a flashed message (the flash would be shown again), a rendering the
caller says must not be kept (one that shows a confidential reporter's contact), one that
wrote to the session. The viewer's CSRF token is put back as a marker in the kept copy and
filled in afresh for each request, as the public page cache does (portal/pagecache.py).
"""

import hashlib
from collections.abc import Callable, Hashable
from itertools import chain
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context, request, session
from flask.sansio.app import App
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.cases.duplicates.models import DuplicateDecision
from portal.cases.freshness import on_case_change, on_every_case_change
from portal.cases.models import Case
from portal.clock import local_now
from portal.db import db
from portal.evidence.models import Evidence, Link
from portal.extensions import cache
from portal.i18n import current_language
from portal.intake.models import Report
from portal.pagecache import renew, tokens

CSRF_MARK = "__staff-csrf-token__"
REFERENCE = "staff-generation:reference"
DUPLICATES = "staff-generation:duplicates"
# Renewed after every commit that bumps a case's page version: what a queue page shows (its
# rows, the tab counts) changes only with such a commit, or with the clock. One for every
# case (an admin's queue), and one per team, renewed for the teams the cases were with.
CASES = "staff-generation:cases"
DEFAULT_SECONDS = 600  # STAFF_PAGE_CACHE_SECONDS; a kept page is never stale, only evicted
# What duplicate suggestions are computed from: reports, their screenshots and links, which
# cases are open and in whose scope, and the officers' answers to suggestions.
DUPLICATE_INPUTS = (Report, Evidence, Link, DuplicateDecision)
DUPLICATE_CASE_FIELDS = ("status", "merged_into_id", "team_id")
_CHANGED_KEY = "portal.duplicate_inputs_changed"


def seconds() -> int:
    config = current_app.config
    return int(config.get("STAFF_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))


def generation(name: str) -> str:
    """The current token of a generation (a new one when the cache has none)."""
    return tokens(name)[0]


def viewer_parts(user: User, *generations: str) -> tuple[Hashable, ...]:
    """What of the viewer, the request and the time every staff page depends on, with the
    reference generation and the page's own `generations` (read from the cache at once)."""
    now = local_now()
    return (
        user.id,
        user.role,
        user.team_id,
        current_language(),
        now.date().isoformat(),
        now.hour,
        request.full_path,
        *tokens(REFERENCE, *generations),
    )


def may_keep() -> bool:
    return request.method == "GET" and "_flashes" not in session and seconds() > 0


def kept_page(
    parts: tuple[Hashable, ...],
    render: Callable[[], str],
    keep: Callable[[], bool] = lambda: True,
    keep_for: Callable[[], int] | None = None,
) -> str:
    """The page render() makes, from the cache when it is kept under `parts` (which the
    caller builds with viewer_parts and its own), else rendered and kept when keep() says so,
    for STAFF_PAGE_CACHE_SECONDS or, when the caller gives `keep_for`, as many seconds as it
    says after rendering (0: not at all)."""
    if not may_keep():
        return render()
    key = "staff|" + hashlib.sha256(repr(parts).encode()).hexdigest()
    token = generate_csrf()
    html = cache.get(key)
    if html is not None:
        return str(html).replace(CSRF_MARK, token)
    html = render()
    timeout = seconds() if keep_for is None else min(seconds(), keep_for())
    if timeout > 0 and keep() and "_flashes" not in session and not _wrote():
        cache.set(key, html.replace(token, CSRF_MARK), timeout=timeout)
    return html


def _wrote() -> bool:
    """Whether rendering changed something in the database session (a recorded showing)."""
    current = db.session()
    return bool(current.new or current.dirty or current.deleted)


def init_app(app: App) -> None:
    """Renew the reference generation after every commit of rows every case page shows, and
    the cases' generation after every commit that bumps a case."""
    on_every_case_change(app, lambda: renew(REFERENCE))
    on_case_change(app, renew_queues)


def queue_generation(user: User) -> str:
    """The name of the token the user's queue is kept under: their team's, or, for an admin
    (and anyone without a team), every case's."""
    if user.role == Role.ADMIN or user.team_id is None:
        return CASES
    return f"{CASES}:team={user.team_id}"


def renew_queues(_case_ids: set[int], teams: set[int]) -> None:
    """After a commit that bumped cases: every case's queue token, and their teams'."""
    renew(CASES, *(f"{CASES}:team={team}" for team in sorted(teams)))


def _changes_duplicate_inputs(session: Session) -> bool:
    for obj in chain(session.new, session.deleted):
        if isinstance(obj, (*DUPLICATE_INPUTS, Case)):
            return True
    for obj in session.dirty:
        if isinstance(obj, DUPLICATE_INPUTS) and session.is_modified(obj):
            return True
        if isinstance(obj, Case):
            state = sa.inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in DUPLICATE_CASE_FIELDS):
                return True
    return False


@sa.event.listens_for(Session, "after_flush")
def _note_duplicate_inputs(session: Session, _context: object) -> None:
    if not session.info.get(_CHANGED_KEY) and _changes_duplicate_inputs(session):
        session.info[_CHANGED_KEY] = True


@sa.event.listens_for(Session, "after_commit")
def _renew_duplicates(session: Session) -> None:
    if session.info.pop(_CHANGED_KEY, False) and has_app_context():
        try:
            renew(DUPLICATES)
        except Exception:  # the commit stands; kept pages run out with their cache time
            current_app.logger.exception("renewing the duplicates' generation failed")


@sa.event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CHANGED_KEY, None)


def as_key(value: Any) -> Hashable:
    """A value as a part of a key (lists become tuples)."""
    if isinstance(value, list | tuple):
        return tuple(as_key(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, as_key(v)) for k, v in value.items()))
    return value
