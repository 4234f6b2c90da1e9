"""Identity custody and at-risk reporters (issue 13, points 1 and 2): officers see a
confidential reporter by her label until custodians approve a reasoned request; every step is
in the hash-chained history and on her status page; a reporter at risk of retaliation gets two
custodians, redacted screenshots only, an LPSK prompt and a mark in the queue."""

import pytest
import sqlalchemy as sa

from portal.db import db
from tests.fixtures.cases import case_events
from tests.fixtures.identity import (
    decide,
    file_report,
    request_row,
    status_page,
)

NAME = "Rahmawati Kominfo-Tujuh"
EMAIL = "rahma.tujuh@contoh.example"
PHONE = "081277770707"
REASON = "Untuk mendaftarkan laporan formal, identitas pelapor wajib dicantumkan."
CONFIDENTIAL = {
    "visibility": "confidential",
    "contact_name": NAME,
    "contact_email": EMAIL,
    "contact_phone": PHONE,
}


def case_page(client, case_id: int) -> str:
    response = client.get(f"/petugas/kasus/{case_id}")
    assert response.status_code == 200
    return response.text


def ask(client, filed, reason: str = REASON):
    return client.post(
        f"/petugas/kasus/{filed.case_id}/identitas/{filed.report_id}/minta", data={"reason": reason}
    )


def show(client, filed):
    return client.post(f"/petugas/kasus/{filed.case_id}/identitas/{filed.report_id}/lihat")


def verify_chains(app) -> str:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK:")
    return result.output


def logged_in(app, login_as, user):
    client = app.test_client()
    login_as(client, user)
    return client


def test_officer_sees_the_label_asks_and_sees_the_identity_once_approved(
    app, client, report_form, make_user, make_custodian, login_as
):
    filed = file_report(app, report_form, **CONFIDENTIAL)
    officer = make_user()
    login_as(client, officer)
    page = case_page(client, filed.case_id)
    for secret in (NAME, EMAIL, PHONE):
        assert secret not in page
    assert "Pelapor A" in page and "rahasia" in page and "email ✓" in page
    assert "Minta melihat identitas" in page
    assert show(client, filed).status_code == 303  # no grant yet: refused, nothing shown
    assert ask(client, filed).status_code == 303
    row = request_row(app)
    assert (row.state, row.reason, row.requester_id) == ("pending", REASON, officer.id)
    assert "Permintaan menunggu kustodian" in case_page(client, filed.case_id)

    custodian = logged_in(app, login_as, make_custodian())
    inbox = custodian.get("/petugas/identitas").text
    assert REASON in inbox and NAME not in inbox and EMAIL not in inbox
    assert decide(custodian, row.id).status_code == 303
    assert request_row(app, row.id).state == "approved"

    assert EMAIL not in case_page(client, filed.case_id)  # the page itself never prints it
    shown = show(client, filed)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert shown.mimetype == "text/html"
    for secret in (NAME, EMAIL, PHONE):
        assert secret in shown.text
    assert len(case_events(app, filed.case_id, "identity_viewed")) == 1
    for kind in ("identity_requested", "identity_approval", "identity_granted", "identity_viewed"):
        (event,) = case_events(app, filed.case_id, kind)
        assert EMAIL not in str(event.data) and NAME not in str(event.data)
    verify_chains(app)

    resident = status_page(app, filed.code)
    assert "Siapa yang melihat identitas Anda" in resident
    assert "Seorang petugas diizinkan melihat identitas Anda" in resident
    assert REASON in resident
    assert "Seorang petugas melihat identitas Anda" in resident


def test_the_custodian_herself_sees_only_the_label(app, report_form, make_custodian, login_as):
    filed = file_report(app, report_form, **CONFIDENTIAL)
    page = case_page(logged_in(app, login_as, make_custodian()), filed.case_id)
    assert EMAIL not in page and NAME not in page and "Pelapor A" in page


def test_with_the_gate_off_officers_see_confidential_contacts_as_before(
    app, client, report_form, make_user, login_as
):
    app.config["IDENTITY_CUSTODIAN"] = False
    filed = file_report(app, report_form, **CONFIDENTIAL)
    login_as(client, make_user())
    page = case_page(client, filed.case_id)
    assert EMAIL in page and NAME in page and PHONE in page
    assert "Minta melihat identitas" not in page
    assert ask(client, filed).status_code == 404  # nothing is held: nothing to ask for
    assert request_row(app) is None


def test_named_reporters_are_shown_as_today(app, client, report_form, make_user, login_as):
    filed = file_report(app, report_form, **{**CONFIDENTIAL, "visibility": "named"})
    login_as(client, make_user())
    page = case_page(client, filed.case_id)
    assert EMAIL in page and NAME in page
    assert "Minta melihat identitas" not in page


# Bad input -----------------------------------------------------------------------------------


def test_a_request_without_a_reason_is_refused_by_its_field(
    app, client, report_form, make_user, login_as
):
    filed = file_report(app, report_form, **CONFIDENTIAL)
    login_as(client, make_user())
    for reason in ("", "   \n  "):
        response = ask(client, filed, reason=reason)
        assert response.status_code == 200
        assert 'id="identity-reason"' in response.text
        assert "Sebutkan mengapa Anda memerlukan identitas pelapor." in response.text
    assert request_row(app) is None
    long = "a" * 2001
    response = ask(client, filed, reason=long)
    assert response.status_code == 200 and long in response.text  # the answer is kept
    assert request_row(app) is None


def test_a_custodian_cannot_approve_her_own_request(app, report_form, make_custodian, login_as):
    filed = file_report(app, report_form, **CONFIDENTIAL)
    custodian = make_custodian()
    client = logged_in(app, login_as, custodian)
    assert ask(client, filed).status_code == 303
    row = request_row(app)
    assert "Tidak ada permintaan" in client.get("/petugas/identitas").text  # not in her inbox
    response = decide(client, row.id)
    assert response.status_code == 303
    follow = client.get(response.headers["Location"])
    assert "Anda tidak dapat memutuskan permintaan Anda sendiri" in follow.text
    row = request_row(app, row.id)
    assert (row.state, row.decision_count) == ("pending", 0)
    assert case_events(app, filed.case_id, "identity_approval") == []


def test_a_forged_approval_for_another_teams_case_is_refused(
    app, report_form, make_user, make_custodian, login_as
):
    from portal.accounts.models import User
    from portal.cases.identity.operations import IdentityError, decide_request
    from portal.cases.identity.queries import get_request

    filed = file_report(app, report_form, **CONFIDENTIAL)
    assert ask(logged_in(app, login_as, make_user()), filed).status_code == 303
    row = request_row(app)
    other = make_custodian(team="inspektorat-sumsel")
    forged = logged_in(app, login_as, other)
    assert decide(forged, row.id).status_code == 404
    assert decide(forged, row.id, decision="refuse").status_code == 404
    assert "Tidak ada permintaan" in forged.get("/petugas/identitas").text
    with app.app_context(), pytest.raises(IdentityError):
        decide_request(
            request=get_request(row.id), custodian=db.session.get(User, other.id), approve=True
        )
    assert request_row(app, row.id).decision_count == 0
    assert case_events(app, filed.case_id, "identity_approval") == []


def test_approving_twice_is_refused(app, report_form, make_user, make_custodian, login_as):
    filed = file_report(app, report_form, **CONFIDENTIAL, fears_retaliation="y")
    assert ask(logged_in(app, login_as, make_user()), filed).status_code == 303
    row = request_row(app)
    first = logged_in(app, login_as, make_custodian())
    assert decide(first, row.id).status_code == 303
    again = decide(first, row.id)
    assert "Anda sudah memutuskan permintaan ini" in first.get(again.headers["Location"]).text
    row = request_row(app, row.id)
    assert (row.state, row.decision_count) == ("pending", 1)  # at risk: still one short
    second = logged_in(app, login_as, make_custodian())
    decide(second, row.id)
    assert request_row(app, row.id).state == "approved"
    late = decide(logged_in(app, login_as, make_custodian()), row.id)
    assert late.status_code == 303
    assert request_row(app, row.id).decision_count == 2  # a decided request takes no more
    assert len(case_events(app, filed.case_id, "identity_granted")) == 1


def test_a_refusal_ends_the_request_and_the_reporter_is_told(
    app, report_form, make_user, make_custodian, login_as
):
    filed = file_report(app, report_form, **CONFIDENTIAL)
    officer = logged_in(app, login_as, make_user())
    ask(officer, filed)
    decide(
        logged_in(app, login_as, make_custodian(name="Kustodian Teliti")),
        request_row(app).id,
        decision="refuse",
        note="Alasan belum cukup: laporan formal belum diminta pelapor.",
    )
    assert request_row(app).state == "refused"
    panel = case_page(officer, filed.case_id)
    assert "Kustodian Teliti: Alasan belum cukup: laporan formal belum diminta pelapor." in panel
    assert show(officer, filed).status_code == 303
    assert case_events(app, filed.case_id, "identity_viewed") == []
    assert "Permintaan seorang petugas untuk melihat identitas Anda ditolak" in status_page(
        app, filed.code
    )


def test_only_custodians_open_the_inbox_and_admins_appoint_them(app, client, make_user, login_as):
    from portal.accounts.models import Role

    officer = make_user(name="Budi Kustodian Calon")
    login_as(client, officer)
    assert client.get("/petugas/identitas").status_code == 403
    assert client.get("/petugas/admin/kustodian").status_code == 403
    admin = logged_in(app, login_as, make_user(role=Role.ADMIN, team=None))
    assert admin.post("/petugas/admin/kustodian", data={"user": "", "team": "0"}).status_code == 200
    response = admin.post("/petugas/admin/kustodian", data={"user": officer.id, "team": "0"})
    assert response.status_code == 303
    assert "Budi Kustodian Calon" in admin.get("/petugas/admin/kustodian").text
    again = admin.post("/petugas/admin/kustodian", data={"user": officer.id, "team": "0"})
    assert again.status_code == 200 and "sudah menjadi kustodian" in again.text
    assert client.get("/petugas/identitas").status_code == 200
    with app.app_context():
        from portal.cases.identity.models import IdentityCustodian

        row_id = db.session.scalar(sa.select(IdentityCustodian.id))
    assert admin.post(f"/petugas/admin/kustodian/{row_id}/akhiri").status_code == 303
    assert client.get("/petugas/identitas").status_code == 403


# At-risk reporters --------------------------------------------------------------------------


def test_the_ticked_form_flags_the_case_for_stricter_handling(
    app, client, report_form, make_user, login_as
):
    from portal.cases.identity.queries import is_at_risk, required_approvals
    from portal.cases.models import Case

    filed = file_report(app, report_form, **CONFIDENTIAL, fears_retaliation="y")
    plain = file_report(
        app, report_form, **CONFIDENTIAL, links="https://www.instagram.com/p/Lain999/"
    )
    with app.app_context():
        assert is_at_risk(filed.case_id) and not is_at_risk(plain.case_id)
        assert required_approvals(db.session.get(Case, filed.case_id)) == 2
    (event,) = case_events(app, filed.case_id, "at_risk_set")
    assert event.data["by"] == "reporter"
    login_as(client, make_user())
    page = case_page(client, filed.case_id)
    assert "LPSK" in page and "UU 31/2014" in page
    assert "Permintaan memerlukan persetujuan 2 kustodian" in page
    assert "LPSK" not in case_page(client, plain.case_id)
    queue = client.get("/petugas/kasus/?tab=new").text
    rows = {row.split('"')[0]: row for row in queue.split('data-case="')[1:]}
    with app.app_context():
        refs = {
            i: db.session.scalar(sa.select(Case.reference).where(Case.id == i))
            for i in (filed.case_id, plain.case_id)
        }
    assert "Pelapor berisiko" in rows[refs[filed.case_id]].split("</tr>")[0]
    assert "Pelapor berisiko" not in rows[refs[plain.case_id]].split("</tr>")[0]


def test_officers_set_and_clear_the_flag(app, client, report_form, make_user, login_as):
    from portal.cases.identity.queries import is_at_risk

    filed = file_report(app, report_form, **CONFIDENTIAL)
    login_as(client, make_user())
    url = f"/petugas/kasus/{filed.case_id}/risiko"
    assert client.post(url, data={"is_at_risk": "1"}).status_code == 303
    with app.app_context():
        assert is_at_risk(filed.case_id)
    assert client.post(url, data={"is_at_risk": "maybe"}).status_code == 400
    assert client.post(url, data={"is_at_risk": "0"}).status_code == 303
    with app.app_context():
        assert not is_at_risk(filed.case_id)
    assert [e.data["by"] for e in case_events(app, filed.case_id, "at_risk_set")] == ["officer"]
    assert len(case_events(app, filed.case_id, "at_risk_cleared")) == 1
    verify_chains(app)


def test_no_screenshot_of_an_at_risk_case_is_published_without_redaction(
    app, report_form, make_user
):
    from portal.accounts.models import Role, User
    from portal.cases.identity.operations import set_at_risk
    from portal.cases.models import Case
    from portal.cases.publishing.operations import PublishError
    from portal.cases.publishing.redaction import approve_unredacted
    from portal.cases.publishing.rules import may_publish_evidence
    from portal.evidence.models import Evidence
    from portal.intake.models import Report

    filed = file_report(app, report_form, **CONFIDENTIAL)
    supervisor_id = make_user(role=Role.SUPERVISOR).id
    with app.app_context():
        case = db.session.get(Case, filed.case_id)
        actor = db.session.get(User, supervisor_id)
        first, second = db.session.scalars(
            sa.select(Evidence).join(Report).where(Report.case_id == case.id)
        ).all()
        approve_unredacted(case=case, evidence=first, actor=actor)
        first.is_publishable = True  # as publishing it would
        assert may_publish_evidence(first)
        set_at_risk(case=case, is_at_risk=True, actor=actor)
        assert not may_publish_evidence(first)
        assert first.is_publishable is False  # taken off the public page at once
        with pytest.raises(PublishError, match="retaliation|pembalasan"):
            approve_unredacted(case=case, evidence=second, actor=actor)
        db.session.commit()
    (event,) = case_events(app, filed.case_id, "at_risk_set")
    assert event.data["withdrawn_images"] == 1


def test_a_merged_at_risk_case_makes_its_target_at_risk(app, make_case, make_user):
    from portal.accounts.models import Role, User
    from portal.cases.duplicates.operations import merge_cases
    from portal.cases.identity.operations import set_at_risk
    from portal.cases.identity.queries import is_at_risk
    from portal.cases.models import Case
    from portal.cases.queries import list_at_risk

    source, target = make_case(), make_case(description="Kasus lain tentang unggahan yang sama.")
    supervisor_id = make_user(role=Role.SUPERVISOR).id
    with app.app_context():
        actor = db.session.get(User, supervisor_id)
        set_at_risk(case=db.session.get(Case, source.id), is_at_risk=True, actor=actor)
        assert not is_at_risk(target.id)
        merge_cases(
            source=db.session.get(Case, source.id),
            target=db.session.get(Case, target.id),
            actor=actor,
        )
        db.session.commit()
        assert is_at_risk(target.id)
        assert list_at_risk([target.id]) == {target.id}


def test_the_form_offers_the_tick_and_keeps_it_on_a_refused_form(app, client, report_form):
    from portal.extensions import cache
    from tests.fixtures.intake import post_report

    page = client.get("/lapor").text
    assert 'name="fears_retaliation"' in page and 'id="custodian-note"' in page
    assert "Saya khawatir akan pembalasan karena laporan ini" in page
    refused = post_report(client, report_form(description="", fears_retaliation="y"))
    assert refused.status_code == 400
    assert 'id="fears_retaliation"' in refused.text
    tick = refused.text.split('id="fears_retaliation"')[0].rsplit("<input", 1)[1]
    tick += refused.text.split('id="fears_retaliation"')[1].split(">", 1)[0]
    assert "checked" in tick
    app.config["IDENTITY_CUSTODIAN"] = False
    with app.app_context():  # a changed setting takes effect on the next start, which empties
        cache.clear()  # the page cache (portal/pagecache.py); here the test empties it
    assert 'id="custodian-note"' not in client.get("/lapor").text
