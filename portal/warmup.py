"""What a new server process would otherwise do during its first requests, done once in the
server's master process before it forks its workers (deploy/gunicorn.conf.py, `when_ready`).

gunicorn replaces each worker after about a thousand requests; without this, every new worker
compiles the templates it renders and reads the translation catalogues again, which costs tens
of milliseconds of CPU per page (measured in `bench/pages.py`). Nothing here opens a database,
cache or network connection: a connection made before the fork would be shared by every worker.
"""

from flask import Flask
from flask_babel import force_locale, get_translations

TEMPLATE_SUFFIXES = (".html", ".txt", ".xml", ".svg")


def warm_up(app: Flask) -> int:
    """Compile every template, read both languages' catalogues and build the URL map's
    matcher; returns how many templates were compiled."""
    env = app.jinja_env
    names = [name for name in env.list_templates() if name.endswith(TEMPLATE_SUFFIXES)]
    for name in names:
        env.get_template(name)
    with app.test_request_context("/"):
        for language in app.config.get("LANGUAGES", ()):
            with force_locale(language):
                get_translations()
    app.url_map.bind("localhost").match("/", method="GET")
    return len(names)
