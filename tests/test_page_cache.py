"""The shared page cache (portal/pagecache.py): a kept page is served in each visitor's own
language with their own CSRF token, and nothing one resident may see reaches another."""

import re

from portal.pagecache import CSRF_MARK
from tests.fixtures.intake import code_on, post_report

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def in_english(client) -> None:
    assert client.post("/bahasa", data={"lang": "en", "next": "/"}).status_code == 303


def test_a_kept_home_page_is_served_in_each_visitors_language(app):
    indonesian, english = app.test_client(), app.test_client()
    first = indonesian.get("/").text
    in_english(english)
    assert '<html lang="en">' in english.get("/").text
    assert "Report a violation, follow your report" in english.get("/").text
    again = indonesian.get("/").text
    assert '<html lang="id">' in first and '<html lang="id">' in again
    assert "Report a violation, follow your report" not in again


def test_a_kept_public_page_gives_a_first_time_visitor_no_session(make_app):
    app = make_app.with_reference_data(WTF_CSRF_ENABLED=True)
    for path in ("/", "/", "/transparansi", "/transparansi"):  # rendered, then kept
        response = app.test_client().get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path
        assert "csrf_token" not in response.text and CSRF_MARK not in response.text


def test_the_language_switch_is_taken_only_from_this_sites_pages(make_app):
    app = make_app.with_reference_data(WTF_CSRF_ENABLED=True)
    visitor = app.test_client()
    for origin in ("https://evil.example", "null", "http://localhost.evil.example"):
        refused = visitor.post("/bahasa", data={"lang": "en"}, headers={"Origin": origin})
        assert refused.status_code == 400, origin
        assert "tidak dikirim dari situs ini" in refused.text
    refused = visitor.post(
        "/bahasa", data={"lang": "en"}, headers={"Referer": "https://evil.example/page"}
    )
    assert refused.status_code == 400
    assert '<html lang="id">' in visitor.get("/").text
    taken = visitor.post(
        "/bahasa", data={"lang": "en", "next": "/"}, headers={"Origin": "http://localhost"}
    )
    assert taken.status_code == 303
    assert '<html lang="en">' in visitor.get("/").text


def test_transparency_pages_are_kept_per_language_and_filter(app):
    indonesian, english = app.test_client(), app.test_client()
    in_english(english)
    assert "Transparansi" in indonesian.get("/transparansi").text
    page = english.get("/transparansi").text
    assert '<html lang="en">' in page and "Transparansi" not in page
    assert '<html lang="id">' in indonesian.get("/transparansi").text


def test_two_residents_each_see_only_their_own_report_in_their_language(app, client, report_form):
    codes = [
        code_on(post_report(client, report_form(description=text), follow=True).text)
        for text in (
            "Pertama: akun resmi dinas membagikan poster kampanye.",
            "Kedua: camat memasang baliho calon di kantor kecamatan.",
        )
    ]
    first, second = app.test_client(), app.test_client()
    in_english(second)
    for visitor, code in zip((first, second), codes, strict=True):
        assert visitor.post("/lacak", data={"code": code}).status_code == 303
    for _ in range(2):  # the second time round would come from any cache
        mine, theirs = first.get("/lacak/status").text, second.get("/lacak/status").text
        assert "Pertama:" in mine and "Kedua:" not in mine
        assert "Kedua:" in theirs and "Pertama:" not in theirs
        assert "Diterima, menunggu pemeriksaan" in mine
        assert "Received, waiting to be checked" in theirs


def test_open311_list_is_kept_per_language_and_answers_a_repeated_poll_with_304(app, case_pair):
    indonesian, english = app.test_client(), app.test_client()
    in_english(english)
    first = indonesian.get("/open311/v2/requests.json")
    names = [english.get("/open311/v2/requests.json").json[0]["service_name"]]
    names.append(indonesian.get("/open311/v2/requests.json").json[0]["service_name"])
    assert names[0] != names[1] and names[1] == first.json[0]["service_name"]
    tag = first.headers["ETag"]
    again = indonesian.get("/open311/v2/requests.json", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    other = english.get("/open311/v2/requests.json", headers={"If-None-Match": tag})
    assert other.status_code == 200  # the English list is another document


def test_kept_report_forms_carry_each_visitors_own_token_and_one_time_key(make_app):
    app = make_app.with_reference_data(WTF_CSRF_ENABLED=True)
    one, other = app.test_client(), app.test_client()
    pages = [one.get("/lapor").text, other.get("/lapor").text, one.get("/lapor").text]
    keys = [re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', p).group(1) for p in pages]
    tokens = [TOKEN.search(p).group(1) for p in pages]
    assert len(set(keys)) == 3  # a fresh one-time key for every form shown
    assert tokens[0] != tokens[1]
    assert all(CSRF_MARK not in p and "__portal-" not in p for p in pages)


def test_logged_in_staff_and_residents_never_share_a_kept_page(app, make_user, login_as):
    staff, resident = app.test_client(), app.test_client()
    assert 'href="/petugas/"' not in resident.get("/").text  # kept for residents now
    login_as(staff, make_user(role="officer"))
    assert 'href="/petugas/"' in staff.get("/").text
    assert 'href="/petugas/"' not in resident.get("/").text


def test_a_new_start_empties_the_kept_pages(make_app, tmp_path):
    """Pages kept on disk by a running portal are gone when it starts again (new templates or
    settings must not be hidden behind old copies)."""
    settings = {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(tmp_path / "cache")}
    first = make_app.with_reference_data(**settings)
    first.test_client().get("/")

    def kept(app) -> list[str]:  # the cache's entry files (cachelib leaves out its own count)
        from portal.extensions import cache

        with app.app_context():
            return list(cache.cache._list_dir())

    assert kept(first)  # the home page, on disk
    second = make_app(**settings)  # the next start, on the same folder
    assert kept(second) == []
