"""The resident's status page, kept per report in the shared page cache (portal/pagecache.py).

A kept copy is found only under everything its HTML depends on:
- the report, its case and the case's page version, which cases/freshness.py bumps in the same
  transaction as every write the page shows (a reply, an officer's message or status change,
  the worker's capture result, a cleaned screenshot, the formal laporan, an identity decision);
  a report moved to another case is under another key;
- the shared generation, renewed after a commit that changes rows every case may show (a
  category's name, the legal regime's wording: `on_every_case_change`);
- the language, host and address (pagecache), the local day and whether the report's legal
  window is still open (all the page reads from the clock).
The visitor's CSRF token is filled in afresh; a page with a flashed message, a staff session,
and pages answering a POST (form errors) are never kept nor served from the cache. The tracked
report's session check runs before any of this, so a copy is only ever given to a device that
holds the report.
"""

from typing import Any

import sqlalchemy as sa
from flask import Response, abort, redirect, render_template, url_for
from flask.blueprints import BlueprintSetupState

from portal.cases.freshness import on_every_case_change
from portal.cases.models import Case
from portal.clock import local_today
from portal.db import db, utcnow
from portal.i18n import current_language
from portal.intake.formal.filing import formal_status
from portal.intake.forms import ForgetForm, ReplyForm
from portal.intake.models import Report
from portal.intake.queries import get_status_view, get_tracked_report
from portal.intake.windows import received_notice
from portal.pagecache import new_generation, shared_generation

_report = sa.inspect(Report).local_table
_case = sa.inspect(Case).local_table
# Built once, a Core statement: it runs on every view of a status page, kept or not.
KEY_QUERY = (
    sa.select(_report.c.case_id, _case.c.page_version, _report.c.window_closes_at)
    .join(_case, _case.c.id == _report.c.case_id)
    .where(_report.c.id == sa.bindparam("report_id"))
)


def status_key(report_id: int) -> str | None:
    """The cache key of this report's status page as it is now; None when the report is gone.

    Read before the page itself: a write committed in between makes the kept copy newer than
    its key, never older.
    """
    # A connection of its own, given back at once: on a kept page the request's session never
    # opens one (nor closes one at its end).
    with db.engine.connect() as connection:
        row = connection.execute(KEY_QUERY, {"report_id": report_id}).first()
    if row is None:
        return None
    now = utcnow()
    is_open = row.window_closes_at is None or now <= row.window_closes_at
    return (
        f"status|report={report_id}|case={row.case_id}|v={row.page_version}"
        f"|g={shared_generation()}|day={local_today(now).isoformat()}|open={is_open}"
    )


def register(state: BlueprintSetupState) -> None:
    """Renew the shared generation after commits that change what every case page shows."""
    on_every_case_change(state.app, new_generation)


def tracked_status_html(report_id: int) -> str:
    """The status page of a GET, for the cache to keep (after the session check)."""
    report_row = get_tracked_report(report_id)
    if report_row is None:  # erased since its key was read
        abort(redirect(url_for("intake.track")))
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
