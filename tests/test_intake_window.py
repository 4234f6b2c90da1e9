"""Each report's own legal window: on the form as it is filled (server-side, and the JSON the
page's script asks), near its end, past it (accepted as informasi awal), on the receipt and on
the status page, with the time received in WIB in the reader's language."""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from babel.dates import format_date

from portal.db import db
from tests.fixtures.intake import code_on, ids_of, post_report

WINDOW = re.compile(r'<div id="legal-window".*?</div>', re.S)


def jakarta_today(app):
    from portal.clock import local_today

    with app.app_context():
        return local_today()


def refused_with(client, report_form, **fields):
    """Post the form with an empty description (so it is refused) and the given fields."""
    response = post_report(client, report_form(description="", **fields))
    assert response.status_code == 400
    return response.text


def test_form_shows_the_window_for_the_category_and_date_known(app, client, report_form, stored):
    today = jakarta_today(app)
    html = refused_with(client, report_form, learned_on=(today - timedelta(days=2)).isoformat())
    closes = format_date(today + timedelta(days=5), "EEEE, d MMMM y", locale="id")
    box = WINDOW.search(html).group(0)
    assert f"Batas waktu pelaporan berakhir pada {closes} (tersisa 5 hari)." in box
    assert "7 hari sejak hari Anda mengetahuinya" in box
    assert "legal-window-open" in box and "Tinggal" not in box
    assert stored()["reports"] == 0


def test_form_warns_near_the_end_of_the_window(app, client, report_form):
    today = jakarta_today(app)
    html = refused_with(client, report_form, learned_on=(today - timedelta(days=6)).isoformat())
    box = WINDOW.search(html).group(0)
    assert "legal-window-urgent" in box
    assert "Tinggal 1 hari: kirim laporan Anda sekarang agar masih dapat menjadi laporan." in box


def test_past_the_window_the_form_explains_and_still_accepts_it_as_information(
    app, client, report_form, stored
):
    today = jakarta_today(app)
    late = {
        "learned_on": (today - timedelta(days=10)).isoformat(),
        "incident_at": (today - timedelta(days=11)).strftime("%Y-%m-%dT09:30"),
    }
    box = WINDOW.search(refused_with(client, report_form, **late)).group(0)
    assert "legal-window-closed" in box
    assert "tidak dapat lagi diregistrasi sebagai laporan" in box
    assert "informasi awal" in box
    response = post_report(client, report_form(**late))
    assert response.status_code == 303  # accepted all the same
    receipt = client.get("/laporan/tanda-terima").text
    closed_on = format_date(today - timedelta(days=3), "EEEE, d MMMM y", locale="id")
    assert (
        f"Dikirim setelah batas waktu pelaporan berakhir pada {closed_on}: "
        "diterima sebagai informasi awal, bukan sebagai laporan."
    ) in receipt
    assert stored()["reports"] == 1


def test_a_date_known_after_today_is_refused_by_its_field_with_answers_kept(
    app, client, report_form, stored
):
    tomorrow = jakarta_today(app) + timedelta(days=1)
    response = post_report(client, report_form(learned_on=tomorrow.isoformat()))
    assert response.status_code == 400
    field = re.search(
        r'<div class="field[^"]*has-error[^"]*">\s*<label for="learned_on".*?</div>',
        response.text,
        re.S,
    )
    assert field and "Tanggal ini berada di masa depan." in field.group(0)
    assert 'value="Diskominfo Kota Lubuk Linggau"' in response.text
    assert "Batas waktu pelaporan berakhir" not in response.text  # no window for a bad date
    assert stored()["reports"] == 0


def test_a_date_known_before_the_event_is_refused_with_answers_kept(
    app, client, report_form, stored
):
    today = jakarta_today(app)
    response = post_report(
        client,
        report_form(
            learned_on=(today - timedelta(days=3)).isoformat(),
            incident_at=(today - timedelta(days=1)).strftime("%Y-%m-%dT09:30"),
        ),
    )
    assert response.status_code == 400
    assert "Kejadian tidak mungkin terjadi setelah hari Anda mengetahuinya." in response.text
    assert 'value="Diskominfo Kota Lubuk Linggau"' in response.text
    assert stored()["reports"] == 0


def test_the_window_answers_as_json_for_the_pages_script(app, client):
    today = jakarta_today(app)
    election, _ = ids_of(app)
    service, _ = ids_of(app, "layanan-publik")
    client.post("/bahasa", data={"lang": "en"})

    def ask(category, learned_on):
        return client.get(f"/lapor/jendela?category={category}&learned_on={learned_on}").json

    urgent = ask(election, (today - timedelta(days=5)).isoformat())
    assert urgent["state"] == "urgent"
    assert urgent["text"].endswith("(2 days left).")
    assert urgent["rule"] == "7 days from the day you learned of it"
    assert ask(election, (today - timedelta(days=9)).isoformat())["state"] == "closed"
    assert ask(service, today.isoformat()) == {
        "state": "none",
        "text": "This kind of complaint has no legal reporting window.",
        "rule": "",
        "advice": "",
    }
    for category, learned_on in (
        (election, (today + timedelta(days=1)).isoformat()),  # in the future
        (election, "not-a-date"),
        ("'; drop table report; --", today.isoformat()),
        (999999, today.isoformat()),
    ):
        assert ask(category, learned_on) == {"state": ""}


def _received_at(app, when: datetime) -> None:
    from portal.intake.models import Report

    with app.app_context():
        report = db.session.scalars(sa.select(Report)).one()
        report.created_at = when
        db.session.commit()


def test_receipt_and_status_say_when_it_was_received_in_wib(app, client, report_form):
    assert post_report(client, report_form()).status_code == 303
    _received_at(app, datetime(2024, 12, 3, 12, 42, tzinfo=UTC))  # 19.42 in Jakarta
    receipt = client.get("/laporan/tanda-terima").text
    assert "Diterima pada Selasa, 3 Desember 2024 pukul 19.42 WIB" in receipt
    assert 'id="report-window"' in receipt and "Dikirim dalam batas waktu pelaporan" in receipt
    assert "2024-12-03" not in receipt and "UTC" not in receipt
    code = code_on(receipt)
    client.post("/bahasa", data={"lang": "en"})
    receipt = client.get("/laporan/tanda-terima").text
    # Babel (CLDR) puts a narrow no-break space before PM
    assert "Received on Tuesday, December 3, 2024 at 7:42\u202fPM GMT+07:00" in receipt
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": code})
    status = visitor.get("/lacak/status").text
    assert re.search(r'id="received-at">Selasa, 3 Desember 2024 pukul 19\.42 WIB<', status)
    assert "Dikirim dalam batas waktu pelaporan, yang berakhir pada" in status
