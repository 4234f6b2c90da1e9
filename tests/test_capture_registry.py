"""The official-account registry: CSV import (all or nothing), matching cases, admin only."""

import io

import sqlalchemy as sa

from portal.capture.models import OfficialAccount, OfficialMatch
from portal.capture.views import capture_section
from portal.cases.models import Case, CaseEvent
from portal.db import db

pytest_plugins = ("tests.fixtures.capture",)

GOOD = (
    "platform,handle,agency,region\n"
    "instagram,@Diskominfo.LubukLinggau,Diskominfo Kota Lubuk Linggau,16.74\n"
    "x,humas_sumsel,Humas Pemprov Sumatera Selatan,\n"
)


def upload(client, text: str):
    data = {"file": (io.BytesIO(text.encode()), "akun.csv")}
    return client.post("/petugas/admin/akun-resmi", data=data, content_type="multipart/form-data")


def accounts(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                OfficialAccount.platform, OfficialAccount.handle, OfficialAccount.agency
            ).order_by(OfficialAccount.id)
        )
        return [tuple(row) for row in rows]


def admin_client(app, make_user, login_as):
    client = app.test_client()
    login_as(client, make_user(role="admin", team=None))
    return client


def test_a_valid_csv_is_imported_and_listed(capture_app, make_user, login_as):
    app = capture_app()
    client = admin_client(app, make_user, login_as)
    response = upload(client, GOOD)
    assert response.status_code == 303
    assert accounts(app) == [
        ("instagram", "diskominfo.lubuklinggau", "Diskominfo Kota Lubuk Linggau"),
        ("x", "humas_sumsel", "Humas Pemprov Sumatera Selatan"),
    ]
    page = client.get("/petugas/admin/akun-resmi").get_data(as_text=True)
    assert '<td data-label="Nama akun" class="mono">@diskominfo.lubuklinggau</td>' in page
    assert '<td data-label="Wilayah">Kota Lubuk Linggau</td>' in page
    upload(client, GOOD.replace("Humas Pemprov", "Biro Humas Pemprov"))  # updates, no duplicates
    assert len(accounts(app)) == 2 and accounts(app)[1][2].startswith("Biro Humas")


def test_a_csv_with_errors_stores_nothing_and_names_each_line(capture_app, make_user, login_as):
    app = capture_app()
    client = admin_client(app, make_user, login_as)
    bad = (
        GOOD + "myspace,someone,Dinas X,\n"
        "instagram,bad handle!,Dinas Y,\n"
        "tiktok,ok_handle,,\n"
        "facebook,pemkot,Pemkot,99.99\n"
        "instagram,diskominfo.lubuklinggau,Again,\n"
    )
    response = upload(client, bad)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for line in (4, 5, 6, 7, 8):
        assert f"Baris {line}:" in page
    assert "myspace" in page and "99.99" in page
    assert accounts(app) == []
    assert "Baris 1:" in upload(client, "handle,platform\nx,y\n").get_data(as_text=True)
    assert accounts(app) == []


def test_only_admins_reach_the_registry(capture_app, make_user, login_as):
    app = capture_app()
    client = app.test_client()
    login_as(client, make_user(role="supervisor"))
    assert client.get("/petugas/admin/akun-resmi").status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert accounts(app) == []


def test_a_matching_report_flags_the_case_once_and_raises_its_priority(
    capture_app, make_user, login_as, make_case, link_report
):
    app = capture_app()
    upload(admin_client(app, make_user, login_as), GOOD)
    by_link = make_case()
    link_report(
        app,
        by_link.report_ids[0],
        "https://www.instagram.com/diskominfo.lubuklinggau/p/ABC123/?igsh=xyz",
    )
    by_name = make_case(account=" @Humas_Sumsel ")
    unrelated = make_case(account="@someone_else")
    from portal.worker.loop import run_pass

    with app.app_context():
        app.config["CAPTURE_ALLOW_PRIVATE"] = False  # the instagram link must not be fetched
        stats = run_pass(owner="t")
        assert stats.flagged == 2
        assert run_pass(owner="t").flagged == 0  # idempotent
        priorities = {c.id: c.priority for c in db.session.scalars(sa.select(Case))}
        assert (priorities[by_link.id], priorities[by_name.id], priorities[unrelated.id]) == (
            1,
            1,
            0,
        )
        events = db.session.scalars(
            sa.select(CaseEvent).where(CaseEvent.kind == "official_account")
        ).all()
        assert [(e.case_id, e.data["agency"]) for e in events] == [
            (by_link.id, "Diskominfo Kota Lubuk Linggau"),
            (by_name.id, "Humas Pemprov Sumatera Selatan"),
        ]
    from flask import render_template_string, session

    with app.test_request_context("/"):
        session["lang"] = "en"
        case = db.session.get(Case, by_link.id)
        html = render_template_string(
            "{% include section.template %}", case=case, section=capture_section(case, None)
        )
    assert "Official account of Diskominfo Kota Lubuk Linggau" in html


def test_deleting_an_account_removes_it(capture_app, make_user, login_as, make_case):
    app = capture_app()
    client = admin_client(app, make_user, login_as)
    upload(client, GOOD)
    make_case(account="humas_sumsel")
    from portal.worker.loop import run_pass

    with app.app_context():
        run_pass(owner="t")
        account_id = db.session.scalar(
            sa.select(OfficialAccount.id).where(OfficialAccount.handle == "humas_sumsel")
        )
    response = client.post(f"/petugas/admin/akun-resmi/{account_id}/hapus")
    assert response.status_code == 303
    assert [a[1] for a in accounts(app)] == ["diskominfo.lubuklinggau"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OfficialMatch)) == 0
    assert client.post("/petugas/admin/akun-resmi/9999/hapus").status_code == 404


def test_importing_an_account_flags_cases_already_open(capture_app, make_user, login_as, make_case):
    app = capture_app()
    made = make_case(account="@humas_sumsel")
    from portal.worker.loop import run_pass

    with app.app_context():
        assert run_pass(owner="t").flagged == 0  # not in the registry yet
    upload(admin_client(app, make_user, login_as), GOOD)
    with app.app_context():
        assert db.session.get(Case, made.id).priority == 1
        assert db.session.scalar(sa.select(OfficialMatch.case_id)) == made.id
