"""`flask evidence ...` commands."""

from flask.cli import AppGroup

evidence_cli = AppGroup("evidence", help="Evidence files: sweep, verify.")
