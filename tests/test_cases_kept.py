"""The case page and the queue kept in the cache (cases/kept.py): what another officer, the
worker or a resident does shows at once; no officer sees a rendering made for other rights;
the languages never mix; a page that prints a confidential reporter's contact is never kept."""

from datetime import timedelta

import sqlalchemy as sa

from portal.accounts.auth import stamp_session
from portal.accounts.models import User
from portal.cases.escalation import escalate_overdue
from portal.cases.models import Case
from portal.db import db, unit_of_work, utcnow
from portal.intake.models import Report
from portal.reference.models import Category
from tests.test_cases_duplicates_support import case_of, file_report
from tests.test_cases_messages import _give_codes


def page(client, case_id: int) -> str:
    response = client.get(f"/petugas/kasus/{case_id}")
    assert response.status_code == 200
    return response.text


def officer_client(app, login_as, user):
    client = app.test_client()
    login_as(client, user)
    return client


def test_another_officers_note_shows_on_a_kept_page_at_once(app, make_case, make_user, login_as):
    made = make_case()
    reader = officer_client(app, login_as, make_user())
    writer = officer_client(app, login_as, make_user())
    page(reader, made.id)
    note = "Akun ini juga mengunggah di grup WhatsApp."
    writer.post(f"/petugas/kasus/{made.id}/catatan", data={"body": note})
    assert note in page(reader, made.id)


def test_the_workers_escalation_shows_on_a_kept_page(app, make_case, make_user, login_as):
    made = make_case()
    with app.app_context():
        db.session.get(Case, made.id).due_at = utcnow() - timedelta(days=1)
        db.session.commit()
    reader = officer_client(app, login_as, make_user())
    reader.post("/bahasa", data={"lang": "en"})
    assert '<span class="badge">Escalated</span>' not in page(reader, made.id)
    with app.app_context(), unit_of_work():  # as the worker's pass does
        assert escalate_overdue()
    assert '<span class="badge">Escalated</span>' in page(reader, made.id)


def test_a_residents_reply_shows_on_a_kept_page(app, make_case, make_user, login_as):
    made = make_case()
    code = _give_codes(app, made)[0]
    reader = officer_client(app, login_as, make_user())
    page(reader, made.id)
    resident = app.test_client()
    resident.post("/lacak", data={"code": code})
    resident.post("/lacak/balas", data={"body": "Sekitar pukul 08.15 WIB."})
    assert "Sekitar pukul 08.15 WIB." in page(reader, made.id)


def test_officers_with_other_rights_never_see_each_others_rendering(
    app, make_case, make_user, login_as
):
    made = make_case()
    officer = officer_client(app, login_as, make_user())
    supervisor = officer_client(app, login_as, make_user(role="supervisor"))
    outsider = officer_client(app, login_as, make_user(team="inspektorat-sumsel"))
    assign = f'action="/petugas/kasus/{made.id}/tugaskan"'
    assert assign not in page(officer, made.id)
    assert assign in page(supervisor, made.id)
    assert assign not in page(officer, made.id)
    assert outsider.get(f"/petugas/kasus/{made.id}").status_code == 404  # access before the cache
    assert made.reference in officer.get("/petugas/kasus/").text
    assert made.reference not in outsider.get("/petugas/kasus/").text


def test_the_two_languages_never_mix(app, make_case, make_user, login_as):
    made = make_case()
    user = make_user()
    indonesian = officer_client(app, login_as, user)
    english = officer_client(app, login_as, user)
    english.post("/bahasa", data={"lang": "en"})
    for path in (f"/petugas/kasus/{made.id}", "/petugas/kasus/"):
        assert '<html lang="id">' in indonesian.get(path).text
        assert '<html lang="en">' in english.get(path).text
        assert '<html lang="id">' in indonesian.get(path).text


def test_a_page_showing_a_confidential_contact_is_never_kept(make_app):
    app = make_app.with_reference_data(IDENTITY_CUSTODIAN=False)  # contacts on the case page
    with app.app_context():
        report = file_report()
        case = case_of(report)
        report.visibility, report.contact_email = "confidential", "saksi@example.test"
        officer = User(
            email="petugas@example.test",
            name="Petugas",
            password_hash="x",
            role="officer",
            team_id=case.team_id,
        )
        db.session.add(officer)
        db.session.commit()
        case_id, report_id, session_id = case.id, report.id, f"{officer.id}:1"
    reader = app.test_client()
    with reader.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
        stamp_session(session)
    first = page(reader, case_id)
    assert "saksi@example.test" in first
    with app.app_context():  # changed behind every cache's back: only a fresh page shows it
        table = Report.__table__
        db.session.execute(
            sa.update(table).where(table.c.id == report_id).values(contact_email="baru@ex.test")
        )
        db.session.commit()
    assert "baru@ex.test" in page(reader, case_id)


def test_a_flashed_message_is_shown_once_and_never_kept(app, make_case, make_user, login_as):
    made = make_case()
    reader = officer_client(app, login_as, make_user())
    reader.post(f"/petugas/kasus/{made.id}/catatan", data={"body": "Catatan pertama."})
    with_flash = page(reader, made.id)
    assert 'class="flash' in with_flash
    assert 'class="flash' not in page(reader, made.id)


def test_status_change_and_new_names_reach_the_kept_pages(app, make_case, make_user, login_as):
    made = make_case()
    reader = officer_client(app, login_as, make_user())
    assert made.reference in reader.get("/petugas/kasus/?tab=new").text
    with app.app_context():
        db.session.get(Case, made.id).status = "triaged"
        db.session.commit()
    assert made.reference not in reader.get("/petugas/kasus/?tab=new").text
    assert made.reference in reader.get("/petugas/kasus/").text
    page(reader, made.id)
    with app.app_context():  # a name every case page shows: no case row changes
        case = db.session.get(Case, made.id)
        db.session.get(Category, case.category_id).name_id = "Nama kategori baru"
        db.session.commit()
    assert "Nama kategori baru" in reader.get("/petugas/kasus/").text
    assert "Nama kategori baru" in page(reader, made.id)


def test_a_new_look_alike_report_elsewhere_reaches_the_duplicates_count(app, make_user, login_as):
    with app.app_context():
        first = file_report(phashes=["0123456789abcdef"])
        case_id = case_of(first).id
        db.session.commit()
    reader = officer_client(app, login_as, make_user())
    assert 'class="duplicate-count"><strong>' not in page(reader, case_id)
    with app.app_context():  # another resident's screenshot of the same post, another case
        other = file_report(phashes=["0123456789abcdef"], description="Lain")
        assert case_of(other).id != case_id
        db.session.commit()
    assert 'class="duplicate-count"><strong>' in page(reader, case_id)


def test_a_new_case_reaches_a_kept_queue_at_once(app, make_case, make_user, login_as):
    """A kept queue is found by a token every commit that bumps a case renews, not by its
    rows: a case filed after the copy was kept is listed on the next view."""
    first = make_case()
    reader = officer_client(app, login_as, make_user())
    assert first.reference in reader.get("/petugas/kasus/").text
    second = make_case(description="Camat memasang baliho calon di kantor kecamatan.")
    assert second.id != first.id
    listed = reader.get("/petugas/kasus/").text
    assert first.reference in listed and second.reference in listed


def test_a_queue_is_kept_only_until_the_next_deadline_in_its_scope(
    app, make_case, make_user, login_as
):
    """A row turns overdue and the overdue tab's count moves with the clock alone: a kept
    queue ends when the next deadline of an open case the viewer sees passes."""
    from portal.accounts.models import Team
    from portal.cases.page import queue_keep_for

    soon, closed, elsewhere = make_case(), make_case(), make_case()
    officer = make_user()
    now = utcnow()
    with app.app_context():
        for made, seconds in ((soon, 90), (closed, 30), (elsewhere, 20)):
            db.session.get(Case, made.id).due_at = now + timedelta(seconds=seconds)
        db.session.get(Case, closed.id).status = "resolved"
        other_team = db.session.scalar(sa.select(Team.id).where(Team.slug == "inspektorat-sumsel"))
        db.session.get(Case, elsewhere.id).team_id = other_team
        db.session.commit()
        user = db.session.get(User, officer.id)
        with app.test_request_context():
            assert 85 <= queue_keep_for(user, now) <= 90
            assert (
                queue_keep_for(user, now + timedelta(seconds=91))
                == app.config["STAFF_PAGE_CACHE_SECONDS"]
            )
        db.session.get(Case, soon.id).due_at = now + timedelta(milliseconds=500)
        db.session.commit()
        with app.test_request_context():  # under a second: not kept at all
            assert queue_keep_for(user, now) <= 0


def test_a_transfer_reaches_both_teams_kept_queues(app, make_case, make_user, login_as):
    """A queue is kept under its team's token: a case transferred away leaves the old team's
    queue and joins the new team's at once, and a write to another team's case leaves a
    team's kept queue as it is."""
    from portal.accounts.models import Team
    from portal.cases import kept
    from portal.cases.triage.operations import transfer_case

    made = make_case()
    supervisor = make_user(role="supervisor")
    sender = officer_client(app, login_as, make_user())
    receiver_user = make_user(team="inspektorat-sumsel")
    receiver = officer_client(app, login_as, receiver_user)
    assert made.reference in sender.get("/petugas/kasus/").text
    assert made.reference not in receiver.get("/petugas/kasus/").text
    with app.test_request_context():
        receiving = kept.queue_generation(db.session.get(User, receiver_user.id))
        before = kept.generation(receiving)
        case = db.session.get(Case, made.id)
        case.priority = (case.priority or 0) + 1  # a write to the sending team's case only
        db.session.commit()
        assert kept.generation(receiving) == before
        team = db.session.scalar(sa.select(Team).where(Team.slug == "inspektorat-sumsel"))
        actor = db.session.get(User, supervisor.id)
        transfer_case(case=db.session.get(Case, made.id), team=team, actor=actor, reason="Wilayah")
        db.session.commit()
        assert kept.generation(receiving) != before
    assert made.reference not in sender.get("/petugas/kasus/").text
    assert made.reference in receiver.get("/petugas/kasus/").text
    with app.app_context():  # moved back by a plain change of its team, in one flush
        case = db.session.get(Case, made.id)
        case.team_id = made.team_id
        db.session.commit()
    assert made.reference not in receiver.get("/petugas/kasus/").text
    assert made.reference in sender.get("/petugas/kasus/").text
