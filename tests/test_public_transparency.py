"""The transparency page: breakdowns from aggregates, suppression of small cells, filters."""

import re
from datetime import timedelta

import pytest

from portal.db import db


@pytest.fixture
def many_cases(app, make_case):
    """Seven Lubuk Linggau posting cases (two decided in time) and two Palembang bribes."""
    made = [make_case(category="asn-medsos-posting", region="16.74") for _ in range(7)]
    made += [make_case(category="politik-uang", region="16.71") for _ in range(2)]
    from portal.cases.models import Case

    with app.app_context():
        for index, item in enumerate(made[:6]):
            case = db.session.get(Case, item.id)
            case.first_response_at = case.created_at + timedelta(hours=3 + index)
            if index < 5:
                case.status = "resolved"
                case.outcome = "substantiated"
                case.resolved_at = case.created_at + timedelta(days=2)
        db.session.commit()
    return made


def refresh(app):
    from portal.public.stats import refresh_stats

    with app.app_context():
        refresh_stats()
        db.session.commit()


def main_of(html: str) -> str:
    return html.split('<main id="main">')[1].split("</main>")[0]


def test_totals_and_breakdowns_with_small_cells_suppressed(app, client, many_cases):
    refresh(app)
    html = main_of(client.get("/transparansi").text)
    assert re.search(r'class="big">9<', html)
    assert "Kota Lubuk Linggau</th><td>7<" in html
    assert "Kota Palembang</th><td>&lt;5<" in html  # two cases: suppressed
    assert "<svg" in html and "<rect" in html
    assert "style=" not in html and "<script" not in html
    assert "100%" in html  # five resolved, all in time
    assert "Kota Palembang</th><td>2<" not in html


def test_suppressed_bars_have_no_length(app, client, many_cases):
    refresh(app)
    html = main_of(client.get("/transparansi").text)
    svg = html.split("<svg")[3]  # by region
    # the label and "<k" are drawn, and no bar follows before the next label
    assert re.search(r"Kota Palembang</text><text[^>]*>&lt;\d+</text>(?!<rect)", svg)
    assert re.search(r"Kota Lubuk Linggau</text><text[^>]*>\d+</text><rect ", svg)


def test_medians_are_withheld_below_k_and_shown_above(app, client, many_cases):
    from portal.cases.models import Case

    with app.app_context():  # Palembang: two answers and one decision, fewer than k = 5
        for item, hours in zip(many_cases[7:], (1, 9), strict=True):
            case = db.session.get(Case, item.id)
            case.first_response_at = case.created_at + timedelta(hours=hours)
        case.status, case.outcome = "resolved", "substantiated"
        case.resolved_at = case.created_at + timedelta(days=1)
        db.session.commit()
    refresh(app)
    html = main_of(client.get("/transparansi").text)
    # eight responses after 1, 3..8 and 9 hours: median bucket 5; six decisions after 24 and
    # 48 hours, which stay in hours below 72: median 48
    assert "<dt>Median waktu hingga tanggapan pertama</dt><dd>5 jam</dd>" in html
    assert "<dt>Median waktu hingga putusan</dt><dd>48 jam</dd>" in html
    palembang = main_of(client.get("/transparansi?wilayah=16.71").text)
    withheld = "<dd>tidak ditampilkan (kasus terlalu sedikit)</dd>"
    assert f"<dt>Median waktu hingga tanggapan pertama</dt>{withheld}" in palembang
    assert f"<dt>Median waktu hingga putusan</dt>{withheld}" in palembang


def test_filters_live_in_the_url_and_change_the_figures(app, client, many_cases):
    refresh(app)
    html = client.get(
        "/transparansi?wilayah=16.74&kategori=asn-medsos-posting&dari=2020-01&sampai=2099-12"
    ).text
    assert 'value="2020-01"' in html and 'value="16.74" selected' in html
    assert re.search(r'class="big">7<', main_of(html))
    empty = main_of(client.get("/transparansi?kategori=pungli").text)
    assert re.search(r'class="big">0<', empty)


def test_page_reads_in_english_too(app, client, many_cases):
    refresh(app)
    client.post("/bahasa", data={"lang": "en"})
    html = client.get("/transparansi").text
    assert 'lang="en"' in html and "By region" in html
    client.post("/bahasa", data={"lang": "id"})
    assert "Menurut wilayah" in client.get("/transparansi").text


def test_page_reads_only_aggregates(app, client, many_cases, make_case):
    """A case added after the refresh is counted by the next refresh, not by the page."""
    refresh(app)
    app.config["STATS_CACHE_SECONDS"] = 0
    make_case()
    assert re.search(r'class="big">9<', main_of(client.get("/transparansi").text))
    result = app.test_cli_runner().invoke(args=["public", "refresh-stats"])
    assert result.exit_code == 0, result.output
    assert re.search(r'class="big">10<', main_of(client.get("/transparansi").text))


def test_referral_outcomes_are_counted(app, client, many_cases):
    from datetime import date

    from portal.cases.referrals.models import Referral

    with app.app_context():
        for item in many_cases[:6]:
            db.session.add(
                Referral(
                    case_id=item.id,
                    body="bkn",
                    referred_on=date(2026, 1, 5),
                    status="answered",
                    sanction_applied="yes",
                )
            )
        db.session.commit()
    refresh(app)
    html = main_of(client.get("/transparansi").text)
    assert "<tr><td>BKN</td><td>Sudah dijawab</td><td>Ya</td><td>6</td></tr>" in html
