"""The resident's status page, kept per report in the shared page cache (portal/pagecache.py).

A kept copy is found only under everything its HTML depends on, and found without the database:
- the report, its case, and the case's token, renewed after every commit that bumps the case's
  page version (cases/freshness.py bumps it in the same transaction as every write the page
  shows: a reply, an officer's message or status change, the worker's capture result, a cleaned
  screenshot, the formal laporan, an identity decision); a report moved to another case is
  under another key;
- the shared generation, renewed after a commit that changes rows every case may show (a
  category's name, the legal regime's wording: `on_every_case_change`);
- the language, host and address (pagecache), the local day and whether the report's legal
  window is still open (all the page reads from the clock).
The report's case and window are noted in the device's session (`report_meta`); a page
rendered under a note that is out of date sees it, is not kept, and notes the new ones. A
commit that could not renew its tokens (the cache's server down) leaves kept pages to run out
with PAGE_CACHE_SECONDS.
The visitor's CSRF token is filled in afresh; a page with a flashed message, a staff session,
and pages answering a POST (form errors) are never kept nor served from the cache. The tracked
report's session check runs before any of this, so a copy is only ever given to a device that
holds the report.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, redirect, render_template, session, url_for
from flask.blueprints import BlueprintSetupState

from portal.cases.freshness import on_case_change, on_every_case_change
from portal.clock import local_today
from portal.db import db, utcnow
from portal.i18n import current_language
from portal.intake.formal.filing import formal_status
from portal.intake.forms import ForgetForm, ReplyForm
from portal.intake.models import Report
from portal.intake.queries import get_status_view, get_tracked_report
from portal.intake.tracked import TRACKED_CASE_KEY, forget_tracked
from portal.intake.windows import received_notice
from portal.pagecache import GENERATION_KEY, dont_keep, new_generation, renew, tokens

_report = sa.inspect(Report).local_table
# Built once, a Core statement: what a status page's key needs of the report, read when the
# cache does not have it.
META_QUERY = sa.select(_report.c.case_id, _report.c.window_closes_at).where(
    _report.c.id == sa.bindparam("report_id"), _report.c.case_id.is_not(None)
)
Meta = tuple[int, datetime | None]  # the report's case, and when its legal window closes


def status_key(report_id: int, meta: Meta) -> str:
    """The cache key of this report's status page as it is now, with the report's case and
    window (`report_meta`): the case's token (renewed after every commit that bumps its page
    version) and the shared generation, from the cache. Read before the page itself: a write
    committed in between makes the kept copy newer than its key, never older.
    """
    case_id, closes_at = meta
    case_token, generation = tokens(case_token_name(case_id), GENERATION_KEY)
    now = utcnow()
    is_open = closes_at is None or now <= closes_at
    return (
        f"status|report={report_id}|case={case_id}|t={case_token}"
        f"|g={generation}|day={local_today(now).isoformat()}|open={is_open}"
    )


def report_meta(report_id: int) -> Meta | None:
    """The report's case and window closing time as this device last found them (its
    session), else from the database, then noted in the session; None when the report is gone.

    The session's copy may be out of date (the report moved to another case): the page
    rendered under it sees that, is not kept, and notes where the report is now
    (`tracked_status_html`), so it lasts one view.
    """
    held = session.get(TRACKED_CASE_KEY)
    if isinstance(held, list) and len(held) == 3 and held[0] == report_id:
        _, case_id, closes_at = held
        return case_id, datetime.fromisoformat(closes_at) if closes_at else None
    # A connection of its own, given back at once: the request's session stays unopened.
    with db.engine.connect() as connection:
        row = connection.execute(META_QUERY, {"report_id": report_id}).first()
    if row is None:
        return None
    meta = (row.case_id, row.window_closes_at)
    note_meta(report_id, meta)
    return meta


def note_meta(report_id: int, meta: Meta) -> None:
    case_id, closes_at = meta
    session[TRACKED_CASE_KEY] = [report_id, case_id, closes_at and closes_at.isoformat()]


def case_token_name(case_id: int) -> str:
    return f"case-token|{case_id}"


def renew_case_tokens(case_ids: set[int], _teams: set[int]) -> None:
    """After a commit that bumped these cases' page versions: their status pages are from now
    on looked for under new keys."""
    renew(*(case_token_name(case_id) for case_id in sorted(case_ids)))


def register(state: BlueprintSetupState) -> None:
    """Renew the case tokens after commits that bump cases, and the shared generation after
    commits that change what every case page shows."""
    on_case_change(state.app, renew_case_tokens)
    on_every_case_change(state.app, new_generation)


def tracked_status_html(report_id: int, meta: Meta) -> str:
    """The status page of a GET, for the cache to keep (after the session check), when the
    report is still where `meta`, from which its key was made, says."""
    report_row = get_tracked_report(report_id)
    if report_row is None:  # erased since its key was read
        forget_tracked()
        abort(redirect(url_for("intake.track")))
    found = (report_row.case_id, report_row.window_closes_at)
    if found != meta:
        note_meta(report_id, found)
        dont_keep()
    return status_html(report_row, ReplyForm())


def status_html(report_row: Report, reply_form: ReplyForm, completion: Any = None) -> str:
    """The status page with this reply form (and completion form, when one was sent)."""
    return render_template(
        "intake/status.html",
        view=get_status_view(report_row, current_language()),
        window=received_notice(report_row.created_at, report_row.window_closes_at),
        reply_form=reply_form,
        forget_form=ForgetForm(),
        formal=formal_status(report_row, now=utcnow(), form=completion),
    )


def no_store(response: Response) -> Response:
    """The resident's own page stays out of browser and proxy caches (shared devices)."""
    response.headers["Cache-Control"] = "no-store"
    return response
