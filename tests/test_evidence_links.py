"""Links: only http(s), and one canonical form per post whatever the share link looked like."""

import pytest
import sqlalchemy as sa

from portal.db import db
from portal.evidence.links import LinkRejected, canonicalize_link
from portal.evidence.models import Link
from portal.evidence.operations import add_link

# Tests here that build no app need no database: the PostgreSQL pass leaves them out.
pytestmark = pytest.mark.nodb

IG = "https://www.instagram.com/p/C9xYz12AbCd/"
TWEET = "https://x.com/diskominfollg/status/1800000000000000001"
TIKTOK = "https://www.tiktok.com/@pemkot.llg/video/7300000000000000000"
YT = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"

CASES = [
    # given, canonical, platform, post id, account
    (
        "https://www.instagram.com/p/C9xYz12AbCd/?igsh=abc&utm_source=ig_web_copy_link",
        IG,
        "instagram",
        "C9xYz12AbCd",
        None,
    ),
    (
        "https://instagram.com/p/C9xYz12AbCd?igshid=MzRlODBiNWFlZA==",
        IG,
        "instagram",
        "C9xYz12AbCd",
        None,
    ),
    ("http://m.instagram.com/p/C9xYz12AbCd/#comments", IG, "instagram", "C9xYz12AbCd", None),
    ("https://instagr.am/p/C9xYz12AbCd/", IG, "instagram", "C9xYz12AbCd", None),
    (
        "https://www.instagram.com/reel/C9xYz12AbCd/?utm_medium=share_sheet",
        IG,
        "instagram",
        "C9xYz12AbCd",
        None,
    ),
    ("https://www.instagram.com/tv/C9xYz12AbCd/", IG, "instagram", "C9xYz12AbCd", None),
    (
        "https://www.instagram.com/diskominfo.lubuklinggau/p/C9xYz12AbCd/",
        IG,
        "instagram",
        "C9xYz12AbCd",
        "diskominfo.lubuklinggau",
    ),
    (
        "https://www.instagram.com/Diskominfo.LubukLinggau/?hl=id",
        "https://www.instagram.com/diskominfo.lubuklinggau/",
        "instagram",
        None,
        "diskominfo.lubuklinggau",
    ),
    (
        "https://www.facebook.com/PemkotLubukLinggau/posts/pfbid02xYz?__cft__[0]=AZ&__tn__=%2CO",
        "https://www.facebook.com/pemkotlubuklinggau/posts/pfbid02xYz/",
        "facebook",
        "pfbid02xYz",
        "pemkotlubuklinggau",
    ),
    (
        "https://m.facebook.com/story.php?story_fbid=1234&id=5678&mibextid=Nif5oz",
        "https://www.facebook.com/permalink.php?id=5678&story_fbid=1234",
        "facebook",
        "1234",
        "5678",
    ),
    (
        "https://www.facebook.com/permalink.php?id=5678&story_fbid=1234&_rdr",
        "https://www.facebook.com/permalink.php?id=5678&story_fbid=1234",
        "facebook",
        "1234",
        "5678",
    ),
    (
        "https://mbasic.facebook.com/photo.php?fbid=42&set=a.1&type=3",
        "https://www.facebook.com/photo/?fbid=42",
        "facebook",
        "42",
        None,
    ),
    (
        "https://web.facebook.com/photo?fbid=42&set=a.1",
        "https://www.facebook.com/photo/?fbid=42",
        "facebook",
        "42",
        None,
    ),
    (
        "https://www.facebook.com/watch/?v=987&ref=sharing",
        "https://www.facebook.com/watch/?v=987",
        "facebook",
        "987",
        None,
    ),
    (
        "https://www.facebook.com/share/p/1AbCdEfGh/?mibextid=WC7FNe",
        "https://www.facebook.com/share/p/1AbCdEfGh/",
        "facebook",
        "1AbCdEfGh",
        None,
    ),
    (
        "https://www.facebook.com/reel/112233?s=fb_shorts_tab&share_id=x",
        "https://www.facebook.com/reel/112233/",
        "facebook",
        "112233",
        None,
    ),
    (
        "https://fb.watch/aBc12-3/?mibextid=1",
        "https://fb.watch/aBc12-3/",
        "facebook",
        "aBc12-3",
        None,
    ),
    (
        "https://www.facebook.com/profile.php?id=1000123&mibextid=x",
        "https://www.facebook.com/profile.php?id=1000123",
        "facebook",
        None,
        "1000123",
    ),
    (
        "https://twitter.com/DiskominfoLLG/status/1800000000000000001?s=20&t=AbCd",
        TWEET,
        "x",
        "1800000000000000001",
        "diskominfollg",
    ),
    (
        "https://mobile.twitter.com/diskominfollg/status/1800000000000000001/photo/1",
        TWEET,
        "x",
        "1800000000000000001",
        "diskominfollg",
    ),
    (
        "https://x.com/DiskominfoLLG/status/1800000000000000001?s=46",
        TWEET,
        "x",
        "1800000000000000001",
        "diskominfollg",
    ),
    (
        "https://www.tiktok.com/@Pemkot.LLG/video/7300000000000000000?is_from_webapp=1"
        "&sender_device=pc&_r=1&_t=8abc",
        TIKTOK,
        "tiktok",
        "7300000000000000000",
        "pemkot.llg",
    ),
    (
        "https://m.tiktok.com/@pemkot.llg/video/7300000000000000000",
        TIKTOK,
        "tiktok",
        "7300000000000000000",
        "pemkot.llg",
    ),
    ("https://vm.tiktok.com/ZSjAbC123/", "https://vm.tiktok.com/ZSjAbC123/", "tiktok", None, None),
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=youtu.be&si=abc",
        YT,
        "youtube",
        "dQw4w9WgXcQ",
        None,
    ),
    ("https://youtu.be/dQw4w9WgXcQ?si=Abc123&t=42", YT, "youtube", "dQw4w9WgXcQ", None),
    ("https://m.youtube.com/watch?v=dQw4w9WgXcQ&pp=ygUE", YT, "youtube", "dQw4w9WgXcQ", None),
    (
        "https://www.youtube.com/shorts/dQw4w9WgXcQ?feature=share",
        YT,
        "youtube",
        "dQw4w9WgXcQ",
        None,
    ),
    ("https://www.youtube.com/live/dQw4w9WgXcQ?si=x", YT, "youtube", "dQw4w9WgXcQ", None),
    # Other sites: host lower-cased, default port, fragment and tracking dropped, params sorted.
    (
        "HTTPS://News.Example.COM:443/berita/123?b=2&utm_campaign=x&a=1&fbclid=IwAR#top",
        "https://news.example.com/berita/123?a=1&b=2",
        None,
        None,
        None,
    ),
    ("http://example.com:8080", "http://example.com:8080/", None, None, None),
    (
        "https://bücher.example/seite?q=1",
        "https://xn--bcher-kva.example/seite?q=1",
        None,
        None,
        None,
    ),
]


@pytest.mark.parametrize(("given", "canonical", "platform", "post_id", "account"), CASES)
def test_canonical_form(given, canonical, platform, post_id, account):
    link = canonicalize_link(given)
    assert link.url_given == given
    assert (link.url_canonical, link.platform, link.post_id, link.account) == (
        canonical,
        platform,
        post_id,
        account,
    )


def test_canonical_form_is_stable():
    for given, canonical, *_ in CASES:
        assert canonicalize_link(canonical).url_canonical == canonical, given


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        "file:///etc/passwd",
        "data:text/html;base64,PHNjcmlwdD4=",
        "mailto:someone@example.com",
        "ftp://example.com/x",
        "/relative/path",
        "//example.com/scheme-relative",
        "localhost/admin",
        "192.168.1.1/router",
        "user@example.com",
        "instagram.com@evil.example/p/abc",
        "lihat instagram.com/p/abc",
        "http//instagram.com/p/abc",
        "https:/instagram.com/p/abc",
        "example.c/too-short-a-domain",
        "example.com:99999/",
        "https://",
        "https:///no-host",
        "https://exa mple.com/",
        "https://example.com/\x00",
        "https://example.com/a\nb",
        "https://user:password@example.com/",
        "https://instagram.com@evil.example/",
        "https://example.com:99999/",
        "https://example.com/" + "a" * 2040,
        "",
    ],
)
def test_anything_but_a_web_link_is_refused(text):
    with pytest.raises(LinkRejected) as info:
        canonicalize_link(text)
    assert "https://www.instagram.com/p/" in str(info.value.message)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("www.instagram.com/p/C9xYz12AbCd/?igsh=MWZ0", IG),
        ("instagram.com/p/C9xYz12AbCd", IG),
        ("WWW.INSTAGRAM.COM/p/C9xYz12AbCd/", IG),
        ("m.instagram.com/p/C9xYz12AbCd/#comments", IG),
        (
            "x.com/diskominfo/status/1790000000000000000?s=20",
            "https://x.com/diskominfo/status/1790000000000000000",
        ),
        ("example.com", "https://example.com/"),
        ("example.com.", "https://example.com/"),
        ("news.example.co.id/berita?id=7&utm_source=wa", "https://news.example.co.id/berita?id=7"),
        ("example.com:8443/x", "https://example.com:8443/x"),
        ("bücher.example/x", "https://bücher.example/x".replace("bücher", "xn--bcher-kva")),
    ],
)
def test_a_link_typed_without_a_scheme_is_completed_with_https(typed, canonical):
    link = canonicalize_link(f"  {typed} ")
    assert link.url_canonical == canonical
    assert link.url_given == typed  # what the resident typed is kept as given


def test_a_completed_link_and_the_full_one_are_the_same_post():
    assert (
        canonicalize_link("instagram.com/p/C9xYz12AbCd").post_id
        == canonicalize_link("https://www.instagram.com/p/C9xYz12AbCd/").post_id
        == "C9xYz12AbCd"
    )


def test_link_at_the_length_limit_is_accepted():
    url = "https://example.com/" + "a" * (2048 - len("https://example.com/"))
    assert canonicalize_link(url).url_canonical == url


def test_add_link_stores_given_and_canonical(app_ctx, evidence_report):
    report = evidence_report()
    add_link(report=report, text="  https://www.instagram.com/p/C9xYz12AbCd/?igsh=abc  ")
    with pytest.raises(LinkRejected):
        add_link(report=report, text="javascript:alert(1)")
    db.session.commit()
    link = db.session.scalars(sa.select(Link)).one()
    assert link.url_given == "https://www.instagram.com/p/C9xYz12AbCd/?igsh=abc"
    assert (link.url_canonical, link.platform, link.post_id) == (IG, "instagram", "C9xYz12AbCd")
