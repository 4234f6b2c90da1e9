"""Admins edit a regime's clocks and enter cuti bersama days, and the windows residents see
change with them; the pages are for admins only."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from portal.db import db
from tests.fixtures.intake import ids_of

FRIDAY = date(2024, 11, 22)  # before the 2024 Pilkada voting day, a public holiday


def version_in(html: str) -> str:
    return re.search(r'name="version" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def admin(app, make_user, login_as):
    client = app.test_client()
    client.post("/bahasa", data={"lang": "en"})
    login_as(client, make_user(role="admin", team=None, name="Admin Satu"))
    return client


def regime_id(app, code: str) -> int:
    from portal.legal.models import Regime

    with app.app_context():
        return db.session.scalar(sa.select(Regime.id).where(Regime.code == code))


def window_text(client, app) -> str:
    category, _ = ids_of(app)  # an election category: Pilkada by default
    answer = client.get(f"/lapor/jendela?category={category}&learned_on={FRIDAY.isoformat()}")
    return answer.json["text"]


def test_the_built_in_regimes_are_listed_with_their_clocks(admin):
    page = admin.get("/petugas/admin/rezim").text
    pemilu = re.search(r'<tr id="regime-pemilu">.*?</tr>', page, re.S).group(0)
    assert "7 working days" in pemilu and "14 working days" in pemilu
    assert "UU 7/2017 Pasal 454" in pemilu
    pilkada = re.search(r'<tr id="regime-pilkada">.*?</tr>', page, re.S).group(0)
    assert "7 days" in pilkada and "3 days" in pilkada and "not set" in pilkada


def test_admin_edits_a_regime_and_adds_a_day_off_and_the_window_moves(app, admin):
    assert "Friday, November 29, 2024" in window_text(admin, app)  # 7 calendar days
    url = f"/petugas/admin/rezim/{regime_id(app, 'pilkada')}"
    form = {
        "name_id": "Pilkada (UU 1/2015)",
        "name_en": "Regional head election",
        "window_days": "7",
        "window_working_days": "y",
        "decision_days": "3",
        "extended_decision_days": "5",
        "basis": "UU 1/2015 Pasal 134",
        "version": version_in(admin.get(url).text),
    }
    assert admin.post(url, data=form).status_code == 303
    # weekend and the voting day (27 November) are not counted any more
    assert "Wednesday, December 4, 2024" in window_text(admin, app)
    added = admin.post(
        "/petugas/admin/hari-libur", data={"day": "2024-12-02", "name": "Cuti bersama (uji)"}
    )
    assert added.status_code == 303
    assert "Thursday, December 5, 2024" in window_text(admin, app)
    again = admin.post("/petugas/admin/hari-libur", data={"day": "2024-12-02", "name": "Lagi"})
    assert again.status_code == 400 and "This date is already a day off." in again.text


def test_a_stale_regime_form_is_refused_and_a_bad_number_is_shown_by_its_field(app, admin):
    url = f"/petugas/admin/rezim/{regime_id(app, 'pemilu')}"
    form = {"name_id": "Pemilu", "name_en": "Election", "window_days": "0", "version": "x"}
    refused = admin.post(url, data=form)
    assert refused.status_code == 200 and "Number must be between 1 and 365." in refused.text
    form["window_days"] = "5"
    stale = admin.post(url, data=form)
    assert "Someone else changed this while you were editing it." in stale.text
    from portal.legal.models import Regime

    with app.app_context():
        assert db.session.get(Regime, regime_id(app, "pemilu")).window_days == 7


def test_a_day_off_can_be_removed(app, admin):
    admin.post("/petugas/admin/hari-libur", data={"day": "2024-12-02", "name": "Cuti bersama"})
    from portal.legal.models import DayOff

    with app.app_context():
        day_id = db.session.scalar(sa.select(DayOff.id))
    page = admin.get("/petugas/admin/hari-libur").text
    assert "Monday, December 2, 2024" in page and "Cuti bersama" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"csrf_token": token.group(1)} if token else {}
    assert admin.post(f"/petugas/admin/hari-libur/{day_id}/hapus", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DayOff)) == 0


def test_regime_pages_are_for_admins_only(client, make_user, login_as):
    login_as(client, make_user(role="supervisor"))
    for url in ("/petugas/admin/rezim", "/petugas/admin/rezim/1", "/petugas/admin/hari-libur"):
        assert client.get(url).status_code == 403
