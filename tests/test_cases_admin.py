"""Admin pages of the cases area: routing rules decide the team; canned replies."""

import sqlalchemy as sa

from portal.accounts.models import Team
from portal.cases.models import CannedReply, Case, RoutingRule
from portal.db import db
from portal.reference.models import Category, Region


def _ids(app):
    with app.app_context():
        cat = db.session.scalar(sa.select(Category.id).where(Category.code == "asn-medsos-posting"))
        llg = db.session.scalar(sa.select(Region.id).where(Region.code == "16.74"))
        team = db.session.scalar(sa.select(Team.id).where(Team.slug == "inspektorat-sumsel"))
        return cat, llg, team


def test_pages_are_for_admins_only(client, make_user, login_as):
    login_as(client, make_user(role="supervisor"))
    for path in ("/petugas/admin/routing", "/petugas/admin/balasan", "/petugas/admin/balasan/baru"):
        assert client.get(path).status_code == 403


def test_most_specific_rule_routes_new_cases(client, app, make_case, make_user, login_as):
    cat, llg, inspektorat = _ids(app)
    login_as(client, make_user(role="admin", team=None))
    client.post("/bahasa", data={"lang": "en"})
    assert (
        client.post(
            "/petugas/admin/routing", data={"category": cat, "region": llg, "team": inspektorat}
        ).status_code
        == 303
    )
    again = client.post(
        "/petugas/admin/routing", data={"category": cat, "region": llg, "team": inspektorat}
    )
    assert "exists already" in again.text
    assert make_case(region="16.74").team_id == inspektorat
    default = make_case(region="16.71")
    with app.app_context():
        bawaslu = db.session.scalar(sa.select(Team.id).where(Team.slug == "bawaslu-sumsel"))
        any_region = RoutingRule(category_id=cat, region_id=None, team_id=bawaslu)
        db.session.add(any_region)
        db.session.commit()
    assert default.team_id == bawaslu
    assert make_case(region="16.74").team_id == inspektorat  # region rule beats any-region
    with app.app_context():
        rule_id = db.session.scalar(sa.select(RoutingRule.id).where(RoutingRule.region_id == llg))
    client.post(f"/petugas/admin/routing/{rule_id}/hapus")
    assert make_case(region="16.74").team_id == bawaslu


def test_canned_replies_crud(client, app, make_user, login_as):
    login_as(client, make_user(role="admin", team=None))
    response = client.post(
        "/petugas/admin/balasan/baru",
        data={
            "title": "Minta jam unggah",
            "category": "None",
            "status": "investigating",
            "body_id": "Jam berapa?",
            "body_en": "What time?",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        reply = db.session.scalar(sa.select(CannedReply))
        assert (reply.status, reply.category_id) == ("investigating", None)
        reply_id = reply.id
    assert "Minta jam unggah" in client.get("/petugas/admin/balasan").text
    client.post(
        f"/petugas/admin/balasan/{reply_id}",
        data={
            "title": "Minta jam",
            "category": "None",
            "status": "",
            "body_id": "Jam?",
            "body_en": "Time?",
        },
    )
    with app.app_context():
        reply = db.session.get(CannedReply, reply_id)
        assert (reply.title, reply.status) == ("Minta jam", None)
    client.post(f"/petugas/admin/balasan/{reply_id}/hapus")
    with app.app_context():
        assert db.session.get(CannedReply, reply_id) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
