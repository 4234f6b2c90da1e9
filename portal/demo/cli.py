"""`flask demo load`: demo officers, teams and cases for trying the portal by hand."""

import click
from flask.cli import AppGroup

from portal.db import db, unit_of_work
from portal.demo import operations as demo
from portal.demo.formal import add_demo_laporans
from portal.demo.history import STAFF, load_history
from portal.demo.operations import REPORTS, USERS
from portal.demo.shared import PASSWORD
from portal.reference.operations import load_reference_data

cli = AppGroup("demo", help="Demo data for development.")


@cli.command("load")
def load_command() -> None:
    """Create the demo team, logins and cases (safe to repeat: existing ones are kept)."""
    with unit_of_work():
        load_reference_data()
        team, users = demo.ensure_team_and_users()
        cases = {}
        for spec in REPORTS:
            case = demo.file_demo_report(spec)
            if case is not None:
                cases[spec[0]] = case
        demo.work_demo_cases(cases, users)
        add_demo_laporans(cases, users, team)
        history = load_history(users)
    if db.engine.dialect.name == "postgresql":  # plan the first pages for the loaded rows, not
        with db.engine.connect() as conn:  # for the empty tables autovacuum last saw
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    click.echo(
        f"Demo team: {team.name}. {len(cases)} new demo report(s), "
        f"{history} new past case(s) in the demo history."
    )
    click.echo(f"Logins at /petugas/masuk (password {PASSWORD}):")
    for email, _name, role in USERS:
        click.echo(f"  {email:30} {role}")
    for email, _name, slug in STAFF:
        click.echo(f"  {email:30} officer ({slug}, demo history)")
    click.echo("Then run `flask public refresh-stats` for the transparency page.")
