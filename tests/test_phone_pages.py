"""What the public pages say and carry for a phone, checked on the HTML: the status page shows
the resident her own report and confirms a reply, the receipt's script-only buttons stay
hidden, the charts keep full names at a readable size, the case page shows each picture once
and days in words, the report form has one error box, and the site has an icon."""

import re
import time
from datetime import date
from pathlib import Path

from portal.db import db, unit_of_work
from tests.fixtures.images import png
from tests.fixtures.intake import IG_LINK, code_on, post_report

LONG_NAME = "Netralitas ASN: posting kampanye di media sosial"


def track(app, client, report_id: int) -> None:
    """Open a report's status page on this client as its code would."""
    with client.session_transaction() as session:
        session["tracked_report_id"] = report_id
        session["tracked_at"] = int(time.time())


def test_status_page_shows_her_own_report_and_confirms_a_reply(app, client, report_form):
    response = post_report(client, report_form(links=IG_LINK), follow=True)
    code = code_on(response.text)
    client.post("/lacak", data={"code": code})
    html = client.get("/lacak/status").text
    assert 'id="own-description"' in html
    assert IG_LINK.replace("&", "&amp;") in html  # the link exactly as she gave it
    assert html.count('class="thumb"') == 2
    assert "shared-note" not in html  # only her report is in the case
    assert "Kasus dibuka setelah warga lain" not in html

    sent = client.post("/lacak/balas", data={"body": "Ada tangkapan layar lain."})
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).text
    notice = re.search(r'<p class="flash[^"]*"[^>]*id="reply-sent">([^<]+)<', page)
    assert notice and "Balasan Anda telah terkirim" in notice.group(1)
    assert page.index('id="reply-sent"') < page.index('id="messages"')  # beside the messages
    assert "Balasan Anda telah terkirim" not in client.get("/lacak/status").text  # said once


def test_a_shared_case_is_explained_and_a_referral_names_its_body(app, client, make_case):
    from portal.cases.models import Case
    from portal.cases.referrals.operations import refer_case

    made = make_case(reports=2)
    with app.app_context():
        case = db.session.get(Case, made.id)
        refer_case(case=case, body="bkn", referred_on=date(2026, 1, 5), actor=None)
        db.session.commit()
    first, second = made.report_ids
    track(app, client, second)
    html = client.get("/lacak/status").text
    assert 'id="shared-note"' in html and "Beberapa warga melaporkan hal yang sama" in html
    assert "Kasus dibuka setelah warga lain melaporkan hal yang sama" in html
    assert "Dirujuk ke BKN" in html
    other = app.test_client()
    track(app, other, first)
    html = other.get("/lacak/status").text
    assert 'id="shared-note"' in html  # the first reporter learns others joined her case
    assert "Kasus dibuka setelah warga lain" not in html  # her report opened it


def test_receipt_buttons_that_need_a_script_are_hidden_and_a_hint_stands_in(
    app, client, report_form
):
    html = post_report(client, report_form(), follow=True).text
    for button in ("copy-code", "print-receipt"):
        tag = re.search(rf'<button[^>]*id="{button}"[^>]*>', html).group(0)
        assert " hidden" in tag
    assert 'id="print-hint"' in html and "no-js-only" in html
    css = (Path(app.static_folder) / "css" / "portal.css").read_text()
    assert re.search(r"\[hidden\]\s*\{\s*display:\s*none\s*!important", css)
    assert ".js .no-js-only" in css


def test_charts_wrap_full_names_and_keep_readable_text(app, client, make_case):
    from portal.public.charts import LABEL_CHARS, chart
    from portal.public.stats import refresh_stats

    drawn = chart("t", [(LONG_NAME + " dan lain-lainnya sekali", 12), ("Pendek", 3)], 5)
    long_bar, short_bar = drawn.bars
    assert " ".join(long_bar.lines) == LONG_NAME + " dan lain-lainnya sekali"
    assert all(len(line) <= LABEL_CHARS for line in long_bar.lines)
    assert long_bar.percent == 100 and short_bar.percent == 0 and short_bar.shown == "<5"
    assert short_bar.y > long_bar.bar_y  # rows never overlap

    for _ in range(5):
        make_case(category="asn-medsos-posting")
    with app.app_context():
        refresh_stats()
        db.session.commit()
    html = client.get("/transparansi").text
    svg = html[html.index('<svg class="bars"') : html.index("</svg>")]
    assert "viewBox" not in svg  # the text is not scaled down to fit a phone
    assert set(re.findall(r'font-size="(\d+)"', svg)) == {"14"}
    words = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", html))
    assert LONG_NAME in words or all(w in words for w in LONG_NAME.split())
    assert "…" not in html
    assert "UTC" not in html and "Waktu Indonesia Barat" in html
    regions = re.findall(r'<div class="table-scroll" role="region" aria-labelledby="([^"]+)"', html)
    assert regions and all(f'id="{r}"' in html for r in regions)
    assert html.count('class="table-scroll" role="region"') == html.count('tabindex="0"')
    client.post("/bahasa", data={"lang": "en", "next": "/transparansi"})
    assert "Western Indonesia Time" in client.get("/transparansi").text


def test_case_page_shows_each_picture_once_readable_and_days_in_words(
    app, client, make_case, publish
):
    from portal.evidence.operations import store_evidence
    from portal.intake.models import Report

    made = make_case(reports=2)
    ids = []
    with app.app_context(), unit_of_work():
        for report_id in made.report_ids:  # two residents sent the very same screenshot
            report = db.session.get(Report, report_id)
            ids.append(store_evidence(report=report, data=png(), filename="x.png").id)
        other = db.session.get(Report, made.report_ids[0])
        ids.append(store_evidence(report=other, data=png(color=(1, 2, 3)), filename="y.png").id)
    publish(made.id, evidence_ids=ids)
    html = client.get(f"/kasus/{made.reference}").text
    gallery = html[html.index("evidence-gallery") :]
    assert gallery.count("<img") == 2
    links = re.findall(r'<a href="(/bukti/\d+/publik/gambar)"><img src="\1"', gallery)
    assert len(links) == 2  # the clean copy, opened full size by a plain link
    assert client.get(links[0]).status_code == 200
    facts = html[html.index('<dl class="case-facts">') : html.index("</dl>")]
    assert not re.search(r">\d{4}-\d\d-\d\d<", facts)
    today = date.today()
    months = (
        "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
    )
    assert f"{today.day} {months.split()[today.month - 1]} {today.year}" in facts


def test_report_form_has_one_error_box_empty_placeholders_and_every_required_mark(
    app, client, report_form
):
    html = client.get("/lapor").text
    select = html[html.index('<select id="region"') :]
    select = select[: select.index("</select>")]
    assert re.search(r'<option (selected )?value="">', select), select[:200]
    assert " required" in select[: select.index(">")]
    radios = re.findall(r'<input type="radio" name="category"[^>]*>', html)
    assert len(radios) == 9 and all(" required" in radio for radio in radios)
    assert not any("checked" in radio for radio in radios)  # nothing chosen for the resident
    field = html[: html.index('id="screenshots"')]
    assert field[field.rindex('<div class="field') :].startswith('<div class="field required')
    assert 'class="field visibility required' in html

    data = report_form(category="", description="pendek")
    refused = post_report(client, data)
    assert refused.status_code == 400
    assert refused.text.count('class="error-summary"') == 1
    summary = refused.text[refused.text.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#category"' in summary and 'href="#description"' in summary
    assert "Pilih jenis pengaduan." in summary


def test_favicon_is_served_and_linked(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/x-icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    html = client.get("/").text
    assert 'rel="icon" href="/favicon.ico"' in html
    svg = re.search(r'rel="icon" href="([^"]+\.svg)"', html).group(1)
    with client.get(svg) as response:
        assert response.status_code == 200
