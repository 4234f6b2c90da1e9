"""Registers each area's CLI commands on the app."""

from flask import Flask


def register(app: Flask) -> None:
    """Add the command groups to `flask`."""
    from portal.accounts.cli import users_cli
    from portal.capture.cli import bundle_cli, capture_cli, worker_command
    from portal.cases.cli import audit_cli, cases_cli
    from portal.demo import demo_cli
    from portal.evidence.cli import evidence_cli
    from portal.notify.cli import outbox_cli
    from portal.public.cli import apikeys_cli
    from portal.reference.cli import reference_cli

    for group in (reference_cli, evidence_cli, outbox_cli, users_cli, cases_cli, audit_cli,
                  apikeys_cli, demo_cli, capture_cli, bundle_cli, worker_command):
        app.cli.add_command(group)
