"""`flask retention run [--dry-run]`: apply the retention schedule, or list what it would do."""

import click
from flask.cli import AppGroup

from portal.db import utcnow
from portal.privacy.queries import DueItem, list_due
from portal.privacy.retention import run_retention

cli = AppGroup("retention", help="The retention schedule of personal data.")


def _line(verb: str, item: DueItem) -> str:
    rule = item.rule
    text = (
        f"{verb} {item.kind} of report {item.report_id} ({item.reference}, {rule.status} "
        f"{(utcnow() - item.ended_at).days} days ago; rule: {rule.days} days)"
    )
    return text + (f" — skipped: {item.blocked}" if item.blocked else "")


@cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased, change nothing.")
def run_command(dry_run: bool) -> None:
    """Erase the personal data the schedule says is due (cases under legal hold are skipped)."""
    if dry_run:
        items = list_due(now=utcnow())
        for item in items:
            click.echo(_line("would erase", item))
        going = sum(1 for i in items if not i.blocked)
        click.echo(f"DRY RUN: {going} would be erased, {len(items) - going} skipped")
        return
    # One line per item as soon as it is committed: what a killed run had done is on screen.
    result = run_retention(after_item=lambda item: click.echo(_line("erased", item)))
    click.echo(
        f"DONE: {len(result.erased)} erased, {len(result.skipped)} skipped, "
        f"{result.files_removed} files removed"
    )
