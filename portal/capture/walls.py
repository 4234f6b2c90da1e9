"""Login walls and interstitials: did the platform serve the post, or a page in front of it?

One pure function per platform and a generic fallback, each looking only at what the fetcher got:
the final address after redirects, the status and the HTML. The markers and where they come from
are listed in README ("Login walls"). A platform's markers are tried only on its own addresses;
the generic fallback on every page.
"""

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from portal.capture.models import WALL_KINDS

MAX_TEXT = 200_000  # characters of visible text kept for the phrase markers
# Walls are looked for only where the status does not already say what happened.
WALL_STATUSES = (401, 403)
NEXT_PARAMS = {"next", "redirect", "redirect_url", "redirect_after_login", "return_to", "continue"}
_LOGIN_PATH = re.compile(
    r"(?:^|/)(?:accounts/login|login|log-in|signin|sign-in|sign_in|auth|authorize|session/new)"
    r"(?:/|\.php|$)",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
# The registrable domains of each platform whose markers and sessions we know.
PLATFORM_DOMAINS = {
    "instagram": ("instagram.com",),
    "facebook": ("facebook.com",),
    "x": ("x.com", "twitter.com"),
    "tiktok": ("tiktok.com",),
}
# Phrases of generic login walls (from bellingcat's auto-archiver, antibot_extractor_enricher).
GENERIC_PHRASES = (
    "log in to continue",
    "sign in to continue",
    "sign up or log in",
    "login required",
    "please log in",
    "please sign in",
    "login to access",
    "sign up to access",
)


@dataclass(frozen=True)
class Wall:
    """A page that stands in front of the post, and the marker that showed it."""

    platform: str  # instagram, facebook, x, tiktok or generic
    # login_redirect, login_title, login_text, login_form, login_data: a login page;
    # consent: a cookie-consent page; js_required, placeholder: another interstitial
    reason: str
    detail: str  # the marker, in English, for officers and the bundle manifest

    @property
    def kind(self) -> str:
        """login, consent or interstitial."""
        return WALL_KINDS.get(self.reason, "login")


@dataclass
class Page:
    """What the detectors look at, read once from one fetch."""

    url: str  # as requested
    final_url: str
    status: int | None
    title: str = ""
    text: str = ""  # visible text, lower case, spaces collapsed
    has_password: bool = False
    ids: set[str] = field(default_factory=set)
    meta: dict[str, str] = field(default_factory=dict)  # og:* and twitter:* properties
    scripts: dict[str, str] = field(default_factory=dict)  # script elements by id

    @property
    def path(self) -> str:
        return urlsplit(self.final_url).path or "/"

    @property
    def is_redirected(self) -> bool:
        return self.final_url.rstrip("/") != self.url.rstrip("/")

    @property
    def has_post_meta(self) -> bool:
        """The page describes some content (a post's text, picture or video) in its metadata."""
        keys = ("og:description", "og:image", "og:video", "twitter:description", "twitter:image")
        return any(self.meta.get(key) for key in keys)

    def says(self, *phrases: str) -> str | None:
        """The first phrase that appears in the visible text."""
        return next((p for p in phrases if p in self.text), None)


class _Reader(HTMLParser):
    SKIP = {"script", "style", "template"}
    WANTED_SCRIPTS = {"__UNIVERSAL_DATA_FOR_REHYDRATION__", "SIGI_STATE"}

    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[str] = []
        self.text: list[str] = []
        self.size = 0
        self.script_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if found.get("id"):
            self.page.ids.add(found["id"])
        if tag == "input" and found.get("type", "").lower() == "password":
            self.page.has_password = True
        elif tag == "meta":
            key = (found.get("property") or found.get("name") or "").lower()
            if key.startswith(("og:", "twitter:")):
                self.page.meta.setdefault(key, found.get("content", "").strip())
        if tag in ("title", *self.SKIP):
            self.stack.append(tag)
            self.script_id = found.get("id") if tag == "script" else None

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
            self.script_id = None

    def handle_data(self, data: str) -> None:
        inside = self.stack[-1] if self.stack else None
        if inside == "title":
            self.page.title += data
        elif inside == "script" and self.script_id in self.WANTED_SCRIPTS:
            self.page.scripts[self.script_id] = self.page.scripts.get(self.script_id, "") + data
        elif inside is None and self.size < MAX_TEXT:
            self.text.append(data)
            self.size += len(data)


def read_page(*, url: str, final_url: str | None, status: int | None, body: bytes) -> Page:
    """Parse what one fetch got into the facts the detectors use (never raises)."""
    page = Page(url=url, final_url=final_url or url, status=status)
    reader = _Reader(page)
    reader.feed(body.decode("utf-8", errors="replace"))
    reader.close()
    page.title = _SPACE.sub(" ", page.title).strip().lower()
    page.text = _SPACE.sub(" ", " ".join(reader.text)).lower()[:MAX_TEXT].replace("\u2019", "'")
    return page


def _redirect_detail(page: Page) -> str:
    query = {k for k, _ in parse_qsl(urlsplit(page.final_url).query)}
    back = sorted(query & NEXT_PARAMS)
    return f"sent to {page.path}" + (f" with {back[0]}=" if back else "")


def instagram_wall(page: Page) -> Wall | None:
    """Instagram sends logged-out visitors to /accounts/login/?next=<the post> (yt-dlp's
    InstagramIE checks the same), titled "Login • Instagram"."""
    if page.path.startswith("/accounts/login"):
        return Wall("instagram", "login_redirect", _redirect_detail(page))
    if page.title in ("login • instagram", "log in • instagram") and not page.has_post_meta:
        return Wall("instagram", "login_title", f"title “{page.title}”")
    if page.says("allow the use of cookies from instagram") and not page.has_post_meta:
        return Wall("instagram", "consent", "cookie consent dialog, no post metadata")
    if page.has_password and not page.has_post_meta:
        return Wall("instagram", "login_form", "password field, no post metadata")
    return None


def facebook_wall(page: Page) -> Wall | None:
    """Facebook's /login/?next= redirect, "You must log in to continue" and the login_form /
    loginbutton elements (yt-dlp's FacebookIE), the "Log into Facebook" title and the cookie
    consent dialog ("Allow the use of cookies from Facebook on this browser?")."""
    if re.match(r"/(login|login\.php|checkpoint)(/|$)", page.path):
        return Wall("facebook", "login_redirect", _redirect_detail(page))
    if page.says("you must log in to continue"):
        return Wall("facebook", "login_text", "text “you must log in to continue”")
    if page.title.startswith(("log into facebook", "log in to facebook")):
        return Wall("facebook", "login_title", f"title “{page.title}”")
    if page.has_post_meta:
        return None
    if page.says("allow the use of cookies from facebook"):
        return Wall("facebook", "consent", "cookie consent dialog, no post metadata")
    if page.has_password or {"login_form", "loginbutton"} & page.ids:
        return Wall("facebook", "login_form", "login form, no post metadata")
    return None


def x_wall(page: Page) -> Wall | None:
    """X sends logged-out visitors to /i/flow/login?redirect_after_login=<the post>; without
    JavaScript it serves "JavaScript is not available." instead of the post."""
    if re.match(r"/(i/flow/login|i/flow/signup|login)(/|$)", page.path):
        return Wall("x", "login_redirect", _redirect_detail(page))
    if page.says("javascript is not available") and not page.has_post_meta:
        return Wall("x", "js_required", "text “javascript is not available”")
    return None


def tiktok_wall(page: Page) -> Wall | None:
    """TikTok's /login redirect (yt-dlp's TikTokIE), statusCode 10222 "login required" in the
    page's rehydration data (gallery-dl's tiktok extractor), and its generic "TikTok - Make Your
    Day" page in place of a video (auto-archiver's antibot title markers)."""
    if re.match(r"/login(/|$)", page.path):
        return Wall("tiktok", "login_redirect", _redirect_detail(page))
    if _tiktok_status(page) == 10222:
        return Wall("tiktok", "login_data", "webapp.video-detail statusCode 10222")
    if page.title == "tiktok - make your day" and not page.has_post_meta:
        return Wall("tiktok", "placeholder", f"title “{page.title}”")
    return None


def _tiktok_status(page: Page) -> int | None:
    raw = page.scripts.get("__UNIVERSAL_DATA_FOR_REHYDRATION__")
    try:
        data: Any = json.loads(raw) if raw else {}
        status = data["__DEFAULT_SCOPE__"]["webapp.video-detail"]["statusCode"]
    except (ValueError, KeyError, TypeError):
        return None
    return status if isinstance(status, int) else None


def generic_wall(page: Page) -> Wall | None:
    """Any site: a redirect to a login address, or a page with a password field or a wall
    phrase and no content metadata."""
    if page.is_redirected and _LOGIN_PATH.search(page.path):
        return Wall("generic", "login_redirect", _redirect_detail(page))
    if page.has_post_meta:
        return None
    if page.has_password:
        return Wall("generic", "login_form", "password field, no content metadata")
    if phrase := page.says(*GENERIC_PHRASES):
        return Wall("generic", "login_text", f"text “{phrase}”")
    return None


DETECTORS: dict[str, Callable[[Page], Wall | None]] = {
    "instagram": instagram_wall,
    "facebook": facebook_wall,
    "x": x_wall,
    "tiktok": tiktok_wall,
}


def is_within(host: str, domains: Iterable[str]) -> bool:
    """The host is one of the domains or below one of them."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def platform_of_url(url: str, extra_hosts: Mapping[str, Iterable[str]]) -> str | None:
    """Which platform an address belongs to (extra_hosts adds hosts, for tests), or None."""
    host = urlsplit(url).hostname or ""
    for platform, domains in PLATFORM_DOMAINS.items():
        if is_within(host, (*domains, *extra_hosts.get(platform, ()))):
            return platform
    return None


def detect_wall(page: Page, platform: str | None) -> Wall | None:
    """The wall in front of the post, if any: the platform's markers, then the generic ones.
    A status that already says what happened (404, 410, 5xx) is never read as a wall."""
    if page.status is None or (page.status >= 400 and page.status not in WALL_STATUSES):
        return None
    detector = DETECTORS.get(platform or "")
    return (detector(page) if detector else None) or generic_wall(page)
