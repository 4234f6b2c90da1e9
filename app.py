"""WSGI entry point: `flask --app app run` or `gunicorn app:app`."""

import logging
import os

from portal import create_app

logging.basicConfig(
    level=os.environ.get("PORTAL_LOG_LEVEL", "INFO").upper(),
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

app = create_app()
