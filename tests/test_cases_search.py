"""Staff search: finds a case from any tab and from the top bar, by reference, link, handle,
words of descriptions and notes, and reporter email; ranked; hostile input answers normally;
the index follows merges and splits (SQLite FTS5 here, PostgreSQL via TEST_DATABASE_URL)."""

import re

import pytest
import sqlalchemy as sa

from portal.cases.duplicates.operations import merge_cases, split_report
from portal.cases.models import Case, CaseSearch
from portal.cases.operations import add_note
from portal.cases.search import fts5_query, search_cases
from portal.db import db, unit_of_work
from portal.intake.models import Report
from tests.test_cases_duplicates_support import case_of, file_report

ROW = re.compile(r'data-case="(ADU-[0-9-]+)"')
BADGE = re.compile(r'data-case="(ADU-[0-9-]+)">.*?class="badge tab-badge" data-tab="(\w+)"', re.S)
HOSTILE = [
    '"',
    '"unbalanced',
    "kampanye*",
    "*",
    "NEAR(a b)",
    "a AND",
    "OR",
    "(",
    "a OR (b",
    ")(",
    "^x",
    "reference:ADU",
    "- -",
    "'; DROP TABLE case; --",
    "\\",
    "%",
    "_",
    "@",
    "@@@",
    "https://",
    "http://[::1",
    "ADU-2026-",
    "000",
    "ñ" * 300,
]


@pytest.fixture
def officer(make_user):
    return make_user(team="bawaslu-sumsel")


@pytest.fixture
def officer_client(client, officer, login_as):
    login_as(client, officer)
    return client


def found(client, text: str) -> list[str]:
    page = client.get("/petugas/kasus/", query_string={"q": text})
    assert page.status_code == 200
    return ROW.findall(page.text)


def _set(app, case_id: int, **values) -> None:
    with app.app_context():
        case = db.session.get(Case, case_id)
        for key, value in values.items():
            setattr(case, key, value)
        db.session.commit()


def test_a_decided_case_is_found_by_reference_from_the_default_tab(app, officer_client, make_case):
    decided = make_case()
    make_case()
    _set(app, decided.id, status="closed", outcome="founded")
    default = officer_client.get("/petugas/kasus/")
    assert decided.reference not in ROW.findall(default.text)  # not in the open tab
    page = officer_client.get("/petugas/kasus/", query_string={"q": decided.reference})
    assert ROW.findall(page.text) == [decided.reference]
    assert dict(BADGE.findall(page.text)) == {decided.reference: "closed"}
    assert "Tidak ada kasus yang cocok" not in page.text
    assert found(officer_client, decided.reference[-6:]) == [decided.reference]  # in part
    # the staff top bar carries a search box that leads to the same search
    assert 'class="nav-search"' in default.text and 'name="q"' in default.text


def test_a_link_with_tracking_parameters_finds_its_case(app, officer_client):
    with app.app_context():
        report = file_report(links=["https://www.instagram.com/p/Cx12AbC/"])
        other = file_report(links=["https://www.instagram.com/p/Zz99/"])
        reference, other_ref = case_of(report).reference, case_of(other).reference
        db.session.commit()
    shared = "https://instagram.com/p/Cx12AbC/?utm_source=ig_web_copy_link&igsh=MzRlODBiNWFlZA=="
    assert found(officer_client, shared)[0] == reference
    assert other_ref not in found(officer_client, shared)
    assert found(officer_client, "www.instagram.com/p/Cx12AbC")[0] == reference


def test_handle_with_and_without_at_sign_and_in_part(app, officer_client, make_case):
    camat = make_case(account="@Camat_Barat", description="Unggahan foto calon")
    other = make_case(account="@lurah_timur", description="Unggahan lain")
    for text in ("@camat_barat", "camat_barat", "CAMAT_BARAT", "@camat"):
        assert found(officer_client, text)[:1] == [camat.reference], text
        assert other.reference not in found(officer_client, text), text


def test_words_of_a_description_and_of_a_note(app, officer_client, officer, make_case):
    described = make_case(description="Kepala dinas membagikan sembako bergambar calon")
    noted = make_case(description="Unggahan biasa")
    with app.app_context(), unit_of_work():
        add_note(case=db.session.get(Case, noted.id), author=officer, body="Saksi: Pak Harjono")
    assert found(officer_client, "sembako") == [described.reference]
    assert found(officer_client, "SEMBAKO bergambar") == [described.reference]
    assert found(officer_client, "harjono") == [noted.reference]
    assert found(officer_client, "harj") == [noted.reference]  # the last word as a prefix


def test_reporter_email_is_searchable_by_staff(app, officer_client, make_case):
    budi = make_case(reports=2, emails=[None, "Budi.Santoso@example.com"], visibility="named")
    make_case(emails=["budi@example.org"], visibility="named")
    assert found(officer_client, "budi.santoso@example.com") == [budi.reference]
    # A confidential reporter's address is held by the custodian: no search finds her case.
    make_case(emails=["rahasia.pelapor@example.org"], visibility="confidential")
    assert found(officer_client, "rahasia.pelapor@example.org") == []


def test_the_exact_reference_ranks_first(app, officer_client, make_case):
    named = make_case(description="Laporan pertama")
    quoting = [make_case(description=f"Sama dengan {named.reference} kemarin") for _ in range(2)]
    results = found(officer_client, named.reference)
    assert results[0] == named.reference
    assert set(results[1:]) == {c.reference for c in quoting}


def test_hostile_input_gets_an_answer_not_an_error(app, officer_client, make_case):
    make_case(description="Akun resmi mengunggah materi kampanye")
    for text in HOSTILE:
        found(officer_client, text)  # 200 each time
    with app.app_context():
        for text in HOSTILE:
            search_cases(text, sa.true())
    assert fts5_query('NEAR(a b) "x') == '"NEAR a" "b" "x"*'


def test_other_teams_cases_are_not_found(app, officer_client, make_case):
    elsewhere = make_case(category="pungli", region="16.71", emails=["rahasia@example.com"])
    assert found(officer_client, elsewhere.reference) == []
    assert found(officer_client, "rahasia@example.com") == []


def test_the_index_follows_a_merge_and_a_split(app, officer_client, officer):
    with app.app_context():
        target = case_of(file_report(description="Spanduk di kantor camat"))
        moving = file_report(description="Baliho raksasa di simpang lima")
        source = case_of(moving)
        db.session.commit()
        refs = {"target": target.reference, "source": source.reference}
        moving_id = moving.id
    assert found(officer_client, "baliho raksasa") == [refs["source"]]
    with app.app_context(), unit_of_work():
        merge_cases(
            source=db.session.get(Case, source.id),
            target=db.session.get(Case, target.id),
            actor=officer,
        )
    assert found(officer_client, "baliho raksasa") == [refs["target"]]
    assert found(officer_client, refs["source"]) == [refs["source"]]  # still found by reference
    with app.app_context(), unit_of_work():
        new = split_report(report=db.session.get(Report, moving_id), actor=officer)
        new_ref = new.reference
    assert found(officer_client, "baliho raksasa") == [new_ref]


def test_reindex_command_rebuilds_the_index(app, officer_client, make_case):
    made = make_case(description="Pembagian uang transport")
    with app.app_context():
        db.session.execute(sa.delete(CaseSearch))
        db.session.commit()
    assert found(officer_client, "transport") == []
    result = app.test_cli_runner().invoke(args=["cases", "reindex"])
    assert result.exit_code == 0 and "Indexed" in result.output
    assert found(officer_client, "transport") == [made.reference]


def test_reindex_if_empty_fills_only_a_missing_index(app, officer_client, make_case):
    """`make run` passes --if-empty: an install upgraded past the search migration gets its
    index once; an index that holds rows is left alone."""
    made = make_case(description="Pembagian uang transport")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["cases", "reindex", "--if-empty"]).output == ""  # has rows
    with app.app_context():
        db.session.execute(sa.delete(CaseSearch))
        db.session.commit()
    result = runner.invoke(args=["cases", "reindex", "--if-empty"])
    assert result.exit_code == 0 and "Indexed 1 case(s)." in result.output
    assert found(officer_client, "transport") == [made.reference]


def test_queue_urls_carry_no_none_and_drop_empty_filters(app, officer_client, make_case):
    make_case()
    page = officer_client.get("/petugas/kasus/?tab=open&sort=oldest")
    hrefs = re.findall(r'href="([^"]*)"', page.text)
    assert hrefs and not [h for h in hrefs if "None" in h]
    assert 'value="None"' not in page.text
    response = officer_client.get(
        "/petugas/kasus/?tab=closed&q=&status=&category=None&region=None&team=&sort=oldest"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/petugas/kasus/?tab=closed&sort=oldest"


def test_no_public_page_can_reach_the_staff_search():
    """Reporters' emails are in the index: only the staff queue may search it."""
    from pathlib import Path

    import portal

    root = Path(portal.__file__).parent
    public = [*root.joinpath("public").rglob("*.py"), *root.joinpath("intake").rglob("*.py")]
    assert public
    for path in public:
        text = path.read_text()
        assert "cases.search" not in text and "case_search" not in text, path


@pytest.mark.parametrize("text", ["sembako", "@camat"])
def test_a_common_word_ranks_its_newest_matches_whatever_the_window(
    app, officer_client, make_case, monkeypatch, text
):
    # Only the newest RANK_WINDOW matches are ranked; PostgreSQL looks for them among the
    # newest cases first, widening the window until it holds them: the same cases either way.
    from portal.cases import search

    cases = [make_case(account=f"@camat_{i}", description=f"Bagi sembako {i}") for i in range(6)]
    newest = [c.reference for c in cases[::-1][:3]]
    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    for first_window in (1, 2, 1000):
        monkeypatch.setattr(search, "FIRST_WINDOW", first_window)
        assert found(officer_client, text) == newest, first_window
