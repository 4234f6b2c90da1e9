"""`flask apikeys ...` commands."""

from flask.cli import AppGroup

apikeys_cli = AppGroup("apikeys", help="Open311 API keys.")
