"""WSGI entry point: `flask --app app run` or `gunicorn app:app`."""

import logging

from portal import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

app = create_app()
