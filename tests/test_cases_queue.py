"""The triage queue: tabs and counts, filters, search, sorts and keyset pages."""

import re
from datetime import timedelta

import pytest
from babel.dates import format_date

from portal.cases.models import Case
from portal.db import db, utcnow

ROW = re.compile(r'data-case="(ADU-[0-9-]+)"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
COUNT = re.compile(r'data-tab="(\w+)">\s*[^<]*<span class="count">(\d+\+?)</span>')


def refs(html: str) -> list[str]:
    return ROW.findall(html)


def row_of(html: str, reference: str) -> str:
    """The queue's table row of one case."""
    match = re.search(rf'<tr class="case-row[^"]*" data-case="{reference}">.*?</tr>', html, re.S)
    assert match, f"no row for {reference}"
    return match.group(0)


def walk(client, url: str) -> list[list[str]]:
    """Every page of the queue from `url`, following the next links."""
    pages = []
    while url:
        page = client.get(url)
        assert page.status_code == 200
        pages.append(refs(page.text))
        found = NEXT.search(page.text)
        url = found.group(1).replace("&amp;", "&") if found else None
        assert len(pages) < 50
    return pages


@pytest.fixture
def officer_client(client, make_user, login_as):
    login_as(client, make_user(team="bawaslu-sumsel"))
    return client


def _set(app, made, **values):
    with app.app_context():
        case = db.session.get(Case, made.id)
        for key, value in values.items():
            setattr(case, key, value)
        db.session.commit()


@pytest.mark.parametrize("sort", ["newest", "oldest", "due", "reports"])
def test_keyset_pages_cover_everything_once_in_order(app, officer_client, make_case, sort):
    app.config["CASES_PAGE_SIZE"] = 4
    now = utcnow()
    made = [make_case(reports=1 + n % 3) for n in range(11)]
    for n, case in enumerate(made):
        # ties on every key, and one case without a deadline
        _set(
            app,
            case,
            created_at=now - timedelta(hours=n // 2),
            due_at=None if n == 5 else now + timedelta(days=n // 3),
        )
    pages = walk(officer_client, f"/petugas/kasus/?tab=open&sort={sort}")
    seen = [r for page in pages for r in page]
    assert len(pages) == 3 and all(len(p) == 4 for p in pages[:2])
    assert sorted(seen) == sorted(m.reference for m in made)  # no gap, no overlap
    with app.app_context():
        cases = {c.reference: c for c in db.session.query(Case)}
        key = {
            "newest": lambda c: (-c.created_at.timestamp(), -c.id),
            "oldest": lambda c: (c.created_at, c.id),
            "due": lambda c: (c.due_at is None, c.due_at or now, c.id),
            "reports": lambda c: (-c.report_count, -c.id),
        }[sort]
        assert seen == [c.reference for c in sorted(cases.values(), key=key)]


@pytest.mark.parametrize(
    "after",
    ["garbage", "eyJhIjoxfQ", "W10", "WyJuZXdlc3QiLDEsMV0", "WyJkdWUiLG51bGwsMV0", "%00%ff"],
)
def test_tampered_cursor_is_a_400_with_a_message(officer_client, make_case, after):
    make_case()
    officer_client.post("/bahasa", data={"lang": "en"})
    page = officer_client.get(f"/petugas/kasus/?sort=newest&after={after}")
    assert page.status_code == 400
    # a NUL is refused before the queue sees it, with its own message
    assert ("NUL" if "%00" in after else "no longer valid") in page.text


def test_cursor_of_another_sort_is_refused(app, officer_client, make_case):
    app.config["CASES_PAGE_SIZE"] = 1
    make_case(), make_case()
    page = officer_client.get("/petugas/kasus/?sort=reports")
    cursor = re.search(r"after=([\w-]+)", page.text).group(1)
    assert officer_client.get(f"/petugas/kasus/?sort=newest&after={cursor}").status_code == 400


def test_filters(app, officer_client, make_case, make_user):
    officer = make_user(name="Filter Officer")
    base = make_case()
    other_category = make_case(category="asn-hadir-kampanye")
    other_region = make_case(region="16.71")
    many = make_case(reports=6)
    overdue = make_case()
    mine = make_case()
    _set(app, overdue, due_at=utcnow() - timedelta(hours=1))
    _set(app, mine, assignee_id=officer.id, status="assigned")
    with app.app_context():
        from portal.reference.models import Category, Region

        cat = db.session.query(Category).filter_by(code="asn-hadir-kampanye").one().id
        reg = db.session.query(Region).filter_by(code="16.71").one().id

    def q(query):
        return set(refs(officer_client.get("/petugas/kasus/?" + query).text))

    everything = {m.reference for m in (base, other_category, other_region, many, overdue, mine)}
    assert q("") == everything
    assert q(f"category={cat}") == {other_category.reference}
    assert q(f"region={reg}") == {other_region.reference}
    assert q("min_reports=5") == {many.reference}
    assert q("overdue=y") == {overdue.reference}
    assert q(f"assignee={officer.id}") == {mine.reference}
    assert q("assignee=0") == everything - {mine.reference}
    assert q("status=assigned") == {mine.reference}
    assert q("min_reports=abc") == everything  # a bad value is ignored, not a crash
    _set(app, base, status="resolved")
    assert q("") == everything - {base.reference}  # the default tab: open cases
    assert q("tab=closed") == {base.reference}
    assert q("tab=all") == everything  # open and finished alike


def test_search_in_reference_party_text_and_account(app, officer_client, make_case):
    a = make_case(party="Dinas Pendidikan Kota", description="Guru 100% ikut kampanye")
    b = make_case(account="@camat_barat", description="Unggahan foto calon")
    c = make_case(description="Laporan lain")

    def q(text):
        return set(refs(officer_client.get("/petugas/kasus/", query_string={"q": text}).text))

    assert q("pendidikan") == {a.reference}
    assert q("100%") == {a.reference}
    assert q("%") == set()  # no word in it: nothing, and no wildcard
    assert q("camat_") == {b.reference}
    assert q("_") == set()
    assert q("FOTO CALON") == {b.reference}
    assert q(c.reference) == {c.reference}


def test_tab_counts_and_team_scope(app, client, make_case, make_user, login_as):
    officer = make_user()
    new = make_case()
    mine = make_case()
    waiting = make_case()
    closed = make_case()
    late = make_case()
    elsewhere = make_case(category="pungli", region="16.71")  # another team
    _set(app, mine, assignee_id=officer.id, status="investigating")
    _set(app, waiting, status="waiting_for_reporter")
    _set(app, closed, status="closed")
    _set(app, late, status="triaged", due_at=utcnow() - timedelta(days=1))
    login_as(client, officer)
    page = client.get("/petugas/kasus/?tab=open")
    counts = dict(COUNT.findall(page.text))
    assert counts == {
        "new": "1",
        "mine": "1",
        "open": "4",
        "overdue": "1",
        "waiting": "1",
        "closed": "1",
        "all": "5",
    }
    assert set(refs(page.text)) == {
        new.reference,
        mine.reference,
        waiting.reference,
        late.reference,
    }
    assert set(refs(client.get("/petugas/kasus/?tab=closed").text)) == {closed.reference}
    found = set(refs(client.get("/petugas/kasus/?q=ADU-2026").text))  # searches span all tabs
    assert found == {new.reference, mine.reference, waiting.reference, late.reference} | {
        closed.reference
    }
    assert elsewhere.reference not in found


def test_counts_are_capped(app, officer_client, make_case):
    app.config["CASES_COUNT_CAP"] = 2
    for _ in range(3):
        make_case()
    counts = dict(COUNT.findall(officer_client.get("/petugas/kasus/").text))
    assert counts["open"] == "2+" and counts["mine"] == "0"


def test_row_shows_count_due_and_legal_window(app, officer_client, make_case):
    from portal.clock import local_today

    with app.app_context():
        today = local_today()  # Jakarta's day
    made = make_case(reports=14, learned_on=today - timedelta(days=10))
    _set(app, made, due_at=utcnow() - timedelta(days=1))
    officer_client.post("/bahasa", data={"lang": "en"})
    row = row_of(officer_client.get("/petugas/kasus/").text, made.reference)
    assert '<td data-label="Reports" class="report-count">14 reports</td>' in row
    assert '<span class="badge badge-bad">Overdue</span>' in row
    closed_on = format_date(today - timedelta(days=3), "full", locale="en")
    assert f"The reporting window closed on {closed_on} (3 days ago)." in row


def test_admin_filters_by_team(app, client, make_case, make_user, login_as):
    bawaslu = make_case()
    inspektorat = make_case(category="pungli", region="16.71")
    login_as(client, make_user(role="admin", team=None))
    assert set(refs(client.get("/petugas/kasus/").text)) == {
        bawaslu.reference,
        inspektorat.reference,
    }
    only = refs(client.get(f"/petugas/kasus/?team={inspektorat.team_id}").text)
    assert only == [inspektorat.reference]
