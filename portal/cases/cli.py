"""`flask cases ...` commands."""

import logging
import time

import click
from flask import current_app
from flask.cli import AppGroup

from portal.cases.escalation import escalate_overdue
from portal.cases.search import index_is_missing, rebuild_index
from portal.db import db, unit_of_work

cli = AppGroup("cases", help="Case work: escalation of overdue cases, the search index.")
logger = logging.getLogger(__name__)


@cli.command("escalate")
@click.option("--loop", is_flag=True, help="Keep running, every --interval seconds.")
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds between runs with --loop (default CASES_ESCALATE_INTERVAL).",
)
def escalate_command(loop: bool, interval: int | None) -> None:
    """Email the team's supervisors about open cases past their deadline (once per case)."""
    interval = interval or current_app.config["CASES_ESCALATE_INTERVAL"]
    while True:
        try:
            with unit_of_work():
                cases = escalate_overdue()
            click.echo(f"Escalated {len(cases)} overdue case(s).")
        except Exception:  # a loop must survive a database hiccup; a single run must not hide it
            if not loop:
                raise
            logger.exception("Escalation run failed; retrying in %s s", interval)
        finally:
            db.session.remove()  # give the connection back between runs
        if not loop:
            return
        time.sleep(interval)


@cli.command("reindex")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Only when the index holds nothing while cases exist (the first start after the "
    "upgrade that added search; `make run` passes it).",
)
def reindex_command(if_empty: bool) -> None:
    """Rebuild the case search index from the cases (after an upgrade, or to repair it)."""
    if if_empty and not index_is_missing():
        return
    with unit_of_work():
        count = rebuild_index()
    click.echo(f"Indexed {count} case(s).")
