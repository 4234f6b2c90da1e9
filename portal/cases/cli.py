"""`flask cases ...` commands."""

from flask.cli import AppGroup

cases_cli = AppGroup("cases", help="Case work: escalation of overdue cases.")
audit_cli = AppGroup("audit", help="The hash-chained case history.")
