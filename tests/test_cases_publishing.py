"""Publishing a case: officers write the public text; an optional second person approves."""

import pytest
import sqlalchemy as sa

from portal.db import db


def _case(app, case_id):
    from portal.cases.models import Case

    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.expunge(case)
        return case


def test_officer_publishes_a_case_and_it_appears_publicly(
    app, client, make_case, make_user, login_as
):
    made = make_case()
    officer = make_user(role="officer", team="bawaslu-sumsel")
    login_as(client, officer)
    assert app.test_client().get(f"/kasus/{made.reference}").status_code == 404

    response = client.post(
        f"/petugas/kasus/{made.id}/publikasi",
        data={"summary": "Akun dinas memuat materi kampanye.", "reported_party": "Dinas Kominfo"},
    )
    assert response.status_code == 303
    page = app.test_client().get(f"/kasus/{made.reference}")
    assert page.status_code == 200
    assert "Akun dinas memuat materi kampanye." in page.text
    assert "Dinas Kominfo" in page.text
    with app.app_context():
        from portal.cases.models import CaseEvent

        event = db.session.scalar(
            sa.select(CaseEvent).where(CaseEvent.case_id == made.id, CaseEvent.kind == "published")
        )
        assert event.visibility == "public"


def test_other_teams_officer_gets_404(client, make_case, make_user, login_as):
    made = make_case(category="pungli")  # routed to the inspectorate
    login_as(client, make_user(role="officer", team="bawaslu-sumsel"))
    response = client.post(f"/petugas/kasus/{made.id}/publikasi", data={"summary": "x" * 30})
    assert response.status_code == 404
    assert not _case(client.application, made.id).is_published


def test_empty_summary_is_refused(app, client, make_case, make_user, login_as):
    made = make_case()
    login_as(client, make_user())
    page = client.post(
        f"/petugas/kasus/{made.id}/publikasi", data={"summary": "  "}, follow_redirects=True
    )
    assert (
        '<p class="flash flash-error" role="status">'
        "Tulis ringkasan publik (paling banyak 4000 karakter).</p>"
    ) in page.text
    assert not _case(app, made.id).is_published


def test_review_requires_a_second_person(make_app, make_user, login_as, make_case):
    app = make_app(PUBLISH_REQUIRES_REVIEW=True)
    with app.app_context():
        from portal.reference.operations import load_reference_data

        load_reference_data()
        db.session.commit()
    made = make_case()
    requester, reviewer = make_user(), make_user(role="supervisor")
    first = app.test_client()
    login_as(first, requester)
    first.post(f"/petugas/kasus/{made.id}/publikasi", data={"summary": "Ringkasan untuk publik."})
    assert not _case(app, made.id).is_published

    response = first.post(f"/petugas/kasus/{made.id}/publikasi/setujui")
    assert response.status_code == 303
    assert not _case(app, made.id).is_published  # nobody approves their own request

    second = app.test_client()
    login_as(second, reviewer)
    second.post(f"/petugas/kasus/{made.id}/publikasi/setujui")
    assert _case(app, made.id).is_published
    assert "Ringkasan untuk publik." in app.test_client().get(f"/kasus/{made.reference}").text


def test_refused_request_keeps_the_case_private(make_app, make_user, login_as, make_case):
    app = make_app(PUBLISH_REQUIRES_REVIEW=True)
    with app.app_context():
        from portal.reference.operations import load_reference_data

        load_reference_data()
        db.session.commit()
    made = make_case()
    first, second = app.test_client(), app.test_client()
    login_as(first, make_user())
    login_as(second, make_user())
    first.post(f"/petugas/kasus/{made.id}/publikasi", data={"summary": "Ringkasan publik."})
    second.post(f"/petugas/kasus/{made.id}/publikasi/tolak", data={"note": "belum waktunya"})
    second.post(f"/petugas/kasus/{made.id}/publikasi/setujui")
    assert not _case(app, made.id).is_published


def test_unpublish_takes_the_case_and_its_evidence_off(app, client, case_pair, make_user, login_as):
    login_as(client, make_user(role="supervisor"))
    assert (
        client.post(
            f"/petugas/kasus/{case_pair.published_id}/publikasi/cabut",
            data={"reason": "permintaan pelapor"},
        ).status_code
        == 303
    )
    assert app.test_client().get(f"/kasus/{case_pair.published}").status_code == 404
    with app.app_context():
        from portal.evidence.models import Evidence
        from portal.intake.models import Report

        flags = db.session.scalars(
            sa.select(Evidence.is_publishable)
            .join(Report)
            .where(Report.case_id == case_pair.published_id)
        ).all()
        assert flags and not any(flags)


def test_evidence_of_another_case_cannot_be_made_public(
    app, make_case, add_private_details, make_user
):
    from portal.accounts.models import User
    from portal.cases.models import Case
    from portal.cases.publishing.operations import PublishError, publish_case

    mine, other = make_case(), make_case()
    foreign = add_private_details(other.id)
    actor_id = make_user().id
    with app.app_context(), pytest.raises(PublishError):
        publish_case(
            case=db.session.get(Case, mine.id),
            actor=db.session.get(User, actor_id),
            summary="Ringkasan.",
            publishable_evidence_ids=[foreign],
        )


def test_publishing_needs_staff(client, make_case):
    made = make_case()
    response = client.post(f"/petugas/kasus/{made.id}/publikasi", data={"summary": "x" * 30})
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/petugas/masuk?next=%2Fpetugas%2Fkasus%2F{made.id}%2Fpublikasi"
    )
    assert not _case(client.application, made.id).is_published


def test_section_renders_for_the_case_page(app, make_case, make_user, add_private_details):
    from flask import render_template
    from flask_login import login_user

    from portal.accounts.auth import SessionUser
    from portal.accounts.models import User
    from portal.cases.models import Case
    from portal.cases.publishing.views import publishing_section

    made = make_case()
    evidence_id = add_private_details(made.id)
    user_id = make_user().id
    with app.test_request_context("/"):
        user = db.session.get(User, user_id)
        login_user(SessionUser(user))
        case = db.session.get(Case, made.id)
        section = publishing_section(case, user)
        html = render_template(section.template, case=case, section=section)
    assert f"/petugas/kasus/{made.id}/publikasi" in html
    assert 'name="summary"' in html
    assert f'name="evidence" value="{evidence_id}"' in html


def test_case_page_shows_the_section_and_publishing_returns_to_it(
    client, make_case, make_user, login_as
):
    made = make_case()
    login_as(client, make_user())
    html = client.get(f"/petugas/kasus/{made.id}").text
    assert 'id="publikasi"' in html
    response = client.post(f"/petugas/kasus/{made.id}/publikasi", data={"summary": "Ringkasan."})
    assert response.headers["Location"].endswith(f"/petugas/kasus/{made.id}#publikasi")
    assert "/publikasi/cabut" in client.get(f"/petugas/kasus/{made.id}").text
