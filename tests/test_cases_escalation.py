"""Escalation: overdue cases reach the team's supervisors by email, once, through real SMTP."""

from datetime import timedelta

import sqlalchemy as sa

from portal.cases.models import Case, CaseEvent
from portal.db import db, utcnow
from portal.notify.operations import send_pending


def _overdue(app, made, status="assigned"):
    with app.app_context():
        case = db.session.get(Case, made.id)
        case.due_at, case.status = utcnow() - timedelta(hours=2), status
        db.session.commit()


def test_escalation_emails_supervisors_once(mail_app, make_case, make_user):
    supervisor = make_user(role="supervisor", email="kepala@example.com")
    make_user(role="supervisor", team="inspektorat-sumsel", email="lain@example.com")
    late, on_time, finished = make_case(), make_case(), make_case()
    _overdue(mail_app, late)
    _overdue(mail_app, finished, status="closed")
    runner = mail_app.test_cli_runner()
    first = runner.invoke(args=["cases", "escalate"])
    assert first.exit_code == 0 and "Escalated 1 " in first.output
    second = runner.invoke(args=["cases", "escalate"])
    assert "Escalated 0 " in second.output
    with mail_app.app_context():
        assert send_pending().sent == 1
        events = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.kind == "escalated")).all()
        assert [(e.case_id, e.visibility) for e in events] == [(late.id, "internal")]
        assert db.session.get(Case, on_time.id).escalated_at is None
    [message] = mail_app.inbox.messages()
    assert message["To"] == supervisor.email
    assert late.reference in message["Subject"]
    assert f"/petugas/kasus/{late.id}" in message.get_body(("plain",)).get_content()


def test_escalation_falls_back_to_admins(mail_app, make_case, make_user):
    admin = make_user(role="admin", team=None, email="admin@example.com")
    make_user(role="officer", team="inspektorat-sumsel")
    late = make_case(category="pungli", region="16.71")  # inspektorat: no supervisor
    _overdue(mail_app, late)
    assert "Escalated 1 " in mail_app.test_cli_runner().invoke(args=["cases", "escalate"]).output
    with mail_app.app_context():
        send_pending()
    assert [m["To"] for m in mail_app.inbox.messages()] == [admin.email]


def test_overdue_case_shows_on_its_page(client, app, make_case, make_user, login_as):
    late = make_case()
    _overdue(app, late)
    login_as(client, make_user())
    client.post("/bahasa", data={"lang": "en"})
    page = client.get(f"/petugas/kasus/{late.id}").text
    assert '<span class="badge badge-bad">Overdue</span>' in page
    on_time = make_case()
    assert "badge-bad" not in client.get(f"/petugas/kasus/{on_time.id}").text
