"""A server's master process warms the app before forking workers (portal/warmup.py): every
template compiled, both catalogues read, and no database connection made."""

import sqlalchemy as sa

from portal.db import db
from portal.warmup import warm_up


def refuse(environment, template):
    raise AssertionError(f"{template} was compiled after the warm-up")


def test_pages_render_from_templates_compiled_before_the_fork(app, monkeypatch):
    count = warm_up(app)
    listed = [n for n in app.jinja_env.list_templates() if n.endswith(".html")]
    assert count >= len(listed) > 50
    monkeypatch.setattr(app.jinja_env.loader, "get_source", refuse)
    client = app.test_client()
    for path in ("/", "/lapor", "/lacak", "/transparansi", "/petugas/masuk"):
        assert client.get(path).status_code == 200, path
    with client.session_transaction() as session:
        session["lang"] = "en"
    assert 'lang="en"' in client.get("/lapor").get_data(as_text=True)


def test_warm_up_opens_no_database_connection(make_app):
    app = make_app()
    with app.app_context():
        engine = db.engine
    opened = []
    sa.event.listen(engine, "connect", lambda *args: opened.append(args))
    warm_up(app)
    assert opened == []
