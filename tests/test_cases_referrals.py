"""Referrals to outside bodies: record, answer, history visibility, statistics, access."""

from datetime import date

import sqlalchemy as sa

from portal.cases.models import CaseEvent
from portal.cases.referrals.models import Referral
from portal.cases.referrals.operations import count_referrals_by_body_and_sanction
from portal.db import db


def flash_error(message: str) -> str:
    return f'<p class="flash flash-error" role="status">{message}</p>'


def events(case_id: int) -> list[CaseEvent]:
    return list(
        db.session.scalars(
            sa.select(CaseEvent)
            .where(CaseEvent.case_id == case_id, CaseEvent.kind.like("referr%"))
            .order_by(CaseEvent.seq)
        )
    )


def test_referral_lifecycle(app, client, make_user, login_as, make_case):
    case = make_case()
    login_as(client, make_user())
    response = client.post(
        f"/petugas/kasus/{case.id}/rujukan",
        data={
            "body": "bkn",
            "body_name": "BKN Kantor Regional VII Palembang",
            "reference_number": "B-1234/KR.VII/2026",
            "referred_on": "2026-11-20",
            "due_on": "2026-12-04",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/petugas/kasus/{case.id}").text
    with app.app_context():
        referral = db.session.scalar(sa.select(Referral))
        assert (referral.body, referral.status, referral.due_on) == (
            "bkn",
            "open",
            date(2026, 12, 4),
        )
        public, internal = events(case.id)
        assert public.visibility == "public" and public.data["body"] == "bkn"
        assert "B-1234" not in str(public.data)
        assert internal.visibility == "internal"
        assert internal.data["reference_number"] == "B-1234/KR.VII/2026"
        assert count_referrals_by_body_and_sanction()[0].status == "open"
    assert 'id="referrals"' in page and "B-1234/KR.VII/2026" in page

    prefix = f"r{referral.id}-"
    response = client.post(
        f"/petugas/kasus/{case.id}/rujukan/{referral.id}",
        data={
            prefix + "outcome": "Terbukti melanggar netralitas ASN.",
            prefix + "sanction_applied": "yes",
            prefix + "sanction": "Hukuman disiplin sedang",
            prefix + "answered_on": "2026-12-01",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        referral = db.session.get(Referral, referral.id)
        assert referral.status == "answered" and referral.sanction_applied == "yes"
        answered = events(case.id)[-2]
        assert answered.kind == "referral_answered" and answered.visibility == "public"
        assert "Hukuman" not in str(answered.data)
        counts = count_referrals_by_body_and_sanction()
        assert [(c.body, c.status, c.sanction_applied, c.count) for c in counts] == [
            ("bkn", "answered", "yes", 1)
        ]
        assert count_referrals_by_body_and_sanction(published_only=True) == []


def test_incomplete_referral_is_refused_with_a_message(app, client, make_user, login_as, make_case):
    case = make_case()
    login_as(client, make_user())
    response = client.post(
        f"/petugas/kasus/{case.id}/rujukan",
        data={"body": "other", "referred_on": "2026-11-20"},
        follow_redirects=True,
    )
    assert flash_error("Sebutkan nama lembaga tujuan rujukan kasus.") in response.text
    response = client.post(
        f"/petugas/kasus/{case.id}/rujukan",
        data={"body": "police", "referred_on": "2026-11-20", "due_on": "2026-11-01"},
        follow_redirects=True,
    )
    message = "Batas waktu jawaban tidak boleh lebih awal dari tanggal rujukan."
    assert flash_error(message) in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 0


def test_other_team_cannot_refer_or_answer(app, client, make_user, login_as, make_case):
    case = make_case()
    other = make_case(category="layanan-publik")
    login_as(client, make_user())
    client.post(
        f"/petugas/kasus/{case.id}/rujukan", data={"body": "bawaslu", "referred_on": "2026-11-20"}
    )
    with app.app_context():
        referral_id = db.session.scalar(sa.select(Referral.id))
    outsider = app.test_client()
    login_as(outsider, make_user(team="inspektorat-sumsel"))
    answer = {
        f"r{referral_id}-outcome": "x",
        f"r{referral_id}-sanction_applied": "no",
        f"r{referral_id}-answered_on": "2026-11-21",
    }
    assert (
        outsider.post(
            f"/petugas/kasus/{case.id}/rujukan", data={"body": "bkn", "referred_on": "2026-11-20"}
        ).status_code
        == 404
    )
    assert (
        outsider.post(f"/petugas/kasus/{case.id}/rujukan/{referral_id}", data=answer).status_code
        == 404
    )
    # Their own case in the URL does not reach a referral of another case.
    assert (
        outsider.post(f"/petugas/kasus/{other.id}/rujukan/{referral_id}", data=answer).status_code
        == 404
    )
    with app.app_context():
        assert db.session.get(Referral, referral_id).status == "open"
