"""`flask demo load`: demo officers, teams and cases for trying the portal by hand."""

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data for development.")
