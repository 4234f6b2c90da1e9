"""`flask demo load`: the demo team, logins and cases, safe to run twice."""

import sqlalchemy as sa

from portal.accounts.models import User
from portal.cases.models import Case
from portal.db import db


def test_demo_load_is_idempotent(app, client, login_as):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "petugas@demo.test" in first.output and "demo-password-123" in first.output
    with app.app_context():
        cases = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
        statuses = set(db.session.scalars(sa.select(Case.status)))
        kominfo = db.session.scalar(sa.select(Case).where(
            Case.reported_party == "Diskominfo Kota Lubuk Linggau").order_by(Case.id))
        assert kominfo.team.slug == "bawaslu-lubuklinggau"
        supervisor = db.session.scalar(sa.select(User).where(
            User.email == "supervisor@demo.test"))
        db.session.expunge(supervisor)
    assert 4 <= cases <= 10
    assert {"new", "triaged", "waiting_for_reporter", "resolved", "rejected",
            "assigned"} <= statuses
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == cases
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4
    login_as(client, supervisor)
    queue = client.get("/petugas/kasus/")
    assert queue.status_code == 200 and kominfo.reference in queue.text
    assert client.get(f"/petugas/kasus/{kominfo.id}").status_code == 200
