"""`flask audit verify`: recompute every case's hash chain."""

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from portal.cases.audit.queries import AuditSummary, broken_chain, verify_all
from portal.cases.history import verify_chain
from portal.cases.models import Case
from portal.db import db

cli = AppGroup("audit", help="The hash-chained case history.")


@cli.command("verify")
@click.option("--case", "reference", help="Only this case (its reference, e.g. ADU-2026-000123).")
def verify_command(reference: str | None) -> None:
    """Recompute the hash chains; exit 1 and name the first altered event of a broken case."""
    if reference:
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        if case is None:
            click.echo(f"No case {reference}", err=True)
            sys.exit(2)
        check = verify_chain(case.id)
        summary = AuditSummary(1, check.events, [] if check.is_intact else [broken_chain(check)])
    else:
        summary = verify_all()
    for bad in summary.broken:
        click.echo(f"ALTERED: {bad.reference} at event #{bad.seq} ({bad.kind})")
    if not summary.is_intact:
        click.echo(
            f"FAILED: {len(summary.broken)} of {summary.cases} cases have an altered history"
        )
        sys.exit(1)
    click.echo(f"OK: {summary.cases} cases, {summary.events} events intact")
