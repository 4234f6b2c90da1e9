"""Social-media platforms: their hosts, and where each keeps a post's id and account."""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

HOST_ALIASES = {
    "instagram": "instagram.com www.instagram.com m.instagram.com instagr.am www.instagr.am",
    "facebook": "facebook.com www.facebook.com m.facebook.com mobile.facebook.com "
    "mbasic.facebook.com web.facebook.com touch.facebook.com fb.com www.fb.com fb.watch "
    "www.fb.watch",
    "x": "x.com www.x.com mobile.x.com twitter.com www.twitter.com mobile.twitter.com "
    "m.twitter.com",
    "tiktok": "tiktok.com www.tiktok.com m.tiktok.com vm.tiktok.com vt.tiktok.com",
    "youtube": "youtube.com www.youtube.com m.youtube.com music.youtube.com youtu.be "
    "youtube-nocookie.com www.youtube-nocookie.com",
}
MAIN_HOST = {
    "instagram": "www.instagram.com",
    "facebook": "www.facebook.com",
    "x": "x.com",
    "tiktok": "www.tiktok.com",
    "youtube": "www.youtube.com",
}
PROFILE_URL = {
    "instagram": "https://www.instagram.com/{}/",
    "facebook": "https://www.facebook.com/{}",
    "x": "https://x.com/{}",
    "tiktok": "https://www.tiktok.com/@{}",
    "youtube": "https://www.youtube.com/@{}",
}
PLATFORM_OF_HOST = {host: name for name, hosts in HOST_ALIASES.items() for host in hosts.split()}
# Parameters dropped only on one platform (on other sites they may mean something).
PLATFORM_TRACKING = {"x": {"s", "t"}, "tiktok": {"_r", "_t", "lang"}, "youtube": {"t", "app"}}

_NAME = r"[A-Za-z0-9_.\-]+"


@dataclass(frozen=True)
class UrlParts:
    """A checked URL: lower-case punycode host, raw path, decoded query pairs."""

    host: str
    path: str
    query: list[tuple[str, str]]


def _param(parts: UrlParts, name: str) -> str | None:
    return next((v for k, v in parts.query if k == name and v), None)


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _instagram(parts: UrlParts) -> tuple[str, str | None, str | None] | None:
    seg = _segments(parts.path)
    account = None
    if len(seg) >= 3 and seg[1] in ("p", "reel", "reels", "tv"):  # /<user>/p/<id>/
        account, seg = seg[0].lower(), seg[1:]
    if len(seg) >= 2 and seg[0] in ("p", "reel", "reels", "tv"):
        # Instagram opens a reel or IGTV video under /p/ too: one form for all of them.
        return f"https://www.instagram.com/p/{seg[1]}/", seg[1], account
    if len(seg) >= 3 and seg[0] == "stories":
        user = seg[1].lower()
        return f"https://www.instagram.com/stories/{user}/{seg[2]}/", seg[2], user
    return None


def _facebook(parts: UrlParts) -> tuple[str, str | None, str | None] | None:
    seg = _segments(parts.path)
    base = "https://www.facebook.com"
    if parts.host.endswith("fb.watch") and seg:
        return f"https://fb.watch/{seg[0]}/", seg[0], None
    first = seg[0].lower() if seg else ""
    if first in ("permalink.php", "story.php") and _param(parts, "story_fbid"):
        post, page = _param(parts, "story_fbid"), _param(parts, "id")
        query = urlencode(sorted({"story_fbid": post, **({"id": page} if page else {})}.items()))
        return f"{base}/permalink.php?{query}", post, page
    if first == "profile.php" and _param(parts, "id"):
        return f"{base}/profile.php?id={_param(parts, 'id')}", None, _param(parts, "id")
    if first in ("photo", "photo.php") and _param(parts, "fbid"):
        return f"{base}/photo/?fbid={_param(parts, 'fbid')}", _param(parts, "fbid"), None
    if first == "watch" and _param(parts, "v"):
        return f"{base}/watch/?v={_param(parts, 'v')}", _param(parts, "v"), None
    if first == "share" and len(seg) >= 2:
        kind, code = (seg[1], seg[2]) if len(seg) >= 3 else ("", seg[1])
        return f"{base}/share/{kind + '/' if kind else ''}{code}/", code, None
    if first == "reel" and len(seg) >= 2:
        return f"{base}/reel/{seg[1]}/", seg[1], None
    if len(seg) >= 3 and seg[1] in ("posts", "videos"):
        account = seg[0].lower()
        return f"{base}/{account}/{seg[1]}/{seg[2]}/", seg[2], account
    if first == "groups" and len(seg) >= 4 and seg[2] in ("posts", "permalink"):
        return f"{base}/groups/{seg[1].lower()}/posts/{seg[3]}/", seg[3], seg[1].lower()
    return None


def _x(parts: UrlParts) -> tuple[str, str | None, str | None] | None:
    seg = _segments(parts.path)
    if len(seg) >= 4 and seg[:3] == ["i", "web", "status"] and seg[3].isdigit():
        return f"https://x.com/i/web/status/{seg[3]}", seg[3], None
    if len(seg) >= 3 and seg[1] in ("status", "statuses") and seg[2].isdigit():
        user = seg[0].lower()
        return f"https://x.com/{user}/status/{seg[2]}", seg[2], user
    return None


def _tiktok(parts: UrlParts) -> tuple[str, str | None, str | None] | None:
    seg = _segments(parts.path)
    if parts.host in ("vm.tiktok.com", "vt.tiktok.com") and seg:
        # A short link hides the video id until followed; we never fetch it here.
        return f"https://{parts.host}/{seg[0]}/", None, None
    if len(seg) >= 2 and seg[0] == "t":
        return f"https://www.tiktok.com/t/{seg[1]}/", None, None
    if len(seg) >= 3 and seg[0].startswith("@") and seg[1] in ("video", "photo"):
        user = seg[0][1:].lower()
        return f"https://www.tiktok.com/@{user}/{seg[1]}/{seg[2]}", seg[2], user
    return None


def _youtube(parts: UrlParts) -> tuple[str, str | None, str | None] | None:
    seg = _segments(parts.path)
    video = None
    if parts.host == "youtu.be" and seg:
        video = seg[0]
    elif seg[:1] == ["watch"]:
        video = _param(parts, "v")
    elif len(seg) >= 2 and seg[0] in ("shorts", "live", "embed", "v"):
        video = seg[1]
    if video and re.fullmatch(r"[A-Za-z0-9_-]{6,20}", video):
        return f"https://www.youtube.com/watch?v={video}", video, None
    return None


def profile_account(platform: str | None, path: str) -> str | None:
    """The account of a profile link (x.com/someone, tiktok.com/@someone, ...)."""
    seg = _segments(path)
    if not platform or len(seg) != 1:
        return None
    name = seg[0][1:] if seg[0].startswith("@") else seg[0]
    if platform in ("tiktok", "youtube") and not seg[0].startswith("@"):
        return None
    reserved = {
        "explore",
        "accounts",
        "home",
        "search",
        "watch",
        "login",
        "share",
        "i",
        "hashtag",
        "profile.php",
        "permalink.php",
        "photo",
        "photo.php",
        "reel",
    }
    return name.lower() if re.fullmatch(_NAME, name) and name.lower() not in reserved else None


PLATFORM_PARSERS = {
    "instagram": _instagram,
    "facebook": _facebook,
    "x": _x,
    "tiktok": _tiktok,
    "youtube": _youtube,
}
