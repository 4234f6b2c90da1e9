"""Choosing a category on the report form: radio cards under group headings with a plain
description and an example; without scripts the category comes first, then the form with that
category's questions only; a refused or re-chosen form keeps the category and every answer."""

import html as htmllib
import re

import pytest
import sqlalchemy as sa

from portal.db import db
from portal.reference.models import Category
from tests.fixtures.intake import SOCIAL, ids_of, post_report

GROUP_HEADINGS = {
    "id": ["Pemilihan dan kampanye", "Netralitas ASN", "Pelayanan publik"],
    "en": ["Elections and campaigns", "Civil-servant neutrality", "Public services"],
}


def cards_by_group(html: str) -> dict[str, list[str]]:
    """Group heading -> the category names of its cards, in page order."""
    groups = re.findall(
        r'<fieldset class="category-group">\s*<legend>(.*?)</legend>(.*?)</fieldset>', html, re.S
    )
    return {
        htmllib.unescape(legend): [
            htmllib.unescape(n) for n in re.findall(r'class="card-name">(.*?)</span>', body)
        ]
        for legend, body in groups
    }


def radios(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="category"[^>]*>', html)


def value_of(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html
    )
    return htmllib.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("language", ["id", "en"])
def test_cards_stand_under_their_groups_with_a_description_and_an_example(client, language):
    if language == "en":
        client.post("/bahasa", data={"lang": "en"})
    page = client.get("/lapor").text
    groups = cards_by_group(page)
    assert list(groups) == GROUP_HEADINGS[language]
    neutrality = groups[GROUP_HEADINGS[language][1]]
    assert len(neutrality) == 5 and len(sum(groups.values(), [])) == 9
    if language == "id":
        assert neutrality[:2] == [
            "Netralitas ASN: posting kampanye di media sosial",
            "Akun resmi pemerintah dipakai untuk kampanye",
        ]
        assert "(bukan akun resmi instansi)" in page and "(bukan akun pribadi)" in page
        assert page.count('class="card-example">Contoh: ') == 9
    else:
        assert "Official government account used for campaigning" in neutrality
        assert "(not an official agency account)" in page and "(not a personal account)" in page
        assert page.count('class="card-example">Example: ') == 9
    # each card is one label around its radio: the whole card is clickable
    for card in re.findall(r'<label class="category-card" for="([^"]+)">\s*<input[^>]*>', page):
        assert f'id="{card}"' in page
    assert len(radios(page)) == 9 and not any("checked" in r for r in radios(page))
    assert '<select id="category"' not in page


def test_a_link_with_the_category_opens_the_form_with_its_questions_only(client, app):
    page = client.get("/lapor?kategori=fasilitas-negara").text
    assert radios(page) == []
    category_id, _ = ids_of(app, "fasilitas-negara")
    assert value_of(page, "category") == str(category_id)
    assert 'name="q-fasilitas-negara-facility"' in page
    assert f'name="q-{SOCIAL}-platform"' not in page
    assert "Ganti kategori" in page and 'class="report-form"' in page  # not "choosing"


def test_an_unknown_category_in_the_link_shows_the_cards(client):
    page = client.get("/lapor?kategori=%3Cscript%3E").text
    assert len(radios(page)) == 9 and 'class="report-form choosing"' in page
    assert "<script>" not in page


def test_without_scripts_choosing_a_card_then_continue_shows_that_categorys_form(
    app, client, stored
):
    before = stored()
    first = client.get("/lapor").text
    assert 'class="report-form choosing"' in first  # intake.css waits for "Continue"
    assert 'name="step" value="category"' in first
    category_id, _ = ids_of(app)
    key = value_of(first, "idempotency_key")
    second = client.post(
        "/lapor", data={"category": str(category_id), "step": "category", "idempotency_key": key}
    )
    assert second.status_code == 200
    page = second.text
    assert "error-summary" not in page and radios(page) == []
    assert f'name="q-{SOCIAL}-platform"' in page
    assert 'name="q-fasilitas-negara-facility"' not in page
    assert "Netralitas ASN: posting kampanye di media sosial" in page
    assert value_of(page, "idempotency_key") == key  # the same form, not a new one
    assert stored() == before


def test_continue_without_a_card_says_so_by_the_cards_and_stores_nothing(client, stored):
    before = stored()
    response = client.post("/lapor", data={"step": "category"})
    assert response.status_code == 400
    page = response.text
    assert 'href="#category"' in page and page.count("Pilih jenis pengaduan.") == 2
    assert 'class="category-choice has-error"' in page and len(radios(page)) == 9
    assert stored() == before


def test_change_category_keeps_every_answer_and_marks_the_chosen_card(
    app, client, report_form, stored
):
    before = stored()
    data = report_form(step="change", files=[])
    response = post_report(client, data)
    assert response.status_code == 200
    page = response.text
    category_id, _ = ids_of(app)
    chosen = [r for r in radios(page) if "checked" in r]
    assert len(chosen) == 1 and f'value="{category_id}"' in chosen[0]
    assert value_of(page, "reported_party") == "Diskominfo Kota Lubuk Linggau"
    assert value_of(page, f"q-{SOCIAL}-account_handle") == "@diskominfo.lubuklinggau"
    assert data["description"] in htmllib.unescape(page)
    assert "error-summary" not in page and "files-lost" not in page
    assert stored() == before


def test_a_refused_form_keeps_the_chosen_category_and_its_answers(app, client, report_form):
    response = post_report(client, report_form(description="pendek"))
    assert response.status_code == 400
    page = response.text
    category_id, _ = ids_of(app)
    assert value_of(page, "category") == str(category_id) and radios(page) == []
    assert value_of(page, f"q-{SOCIAL}-account_handle") == "@diskominfo.lubuklinggau"
    assert 'name="q-fasilitas-negara-facility"' not in page
    assert "Ganti kategori" in page


def test_a_refused_answer_of_the_category_is_shown_by_its_question(client, report_form):
    response = post_report(client, report_form(**{f"q-{SOCIAL}-account_handle": ""}))
    assert response.status_code == 400
    assert f'href="#q-{SOCIAL}-account_handle"' in response.text


def test_a_category_that_is_closed_cannot_be_posted(app, client, report_form, stored):
    with app.app_context():
        db.session.execute(
            sa.update(Category).where(Category.code == SOCIAL).values(is_active=False)
        )
        db.session.commit()
    before = stored()
    response = post_report(client, report_form(files=[]))  # files would be held for the form
    assert response.status_code == 400
    assert 'class="category-choice has-error"' in response.text
    assert stored() == before


def test_a_link_typed_without_https_is_filed_completed(app, client, report_form):
    typed = "www.instagram.com/p/C9xYz12AbCd/?igsh=abc"
    response = post_report(client, report_form(links=typed))
    assert response.status_code == 303
    from portal.evidence.models import Link

    with app.app_context():
        link = db.session.scalar(sa.select(Link))
        assert (link.url_given, link.url_canonical) == (
            typed,
            "https://www.instagram.com/p/C9xYz12AbCd/",
        )
