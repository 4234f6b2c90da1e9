"""Links given as evidence: refuse anything but http(s), and find one canonical form per post.

The canonical form is what duplicate detection compares, so the same post shared with
different tracking parameters, hosts or letter case must come out identical.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from flask_babel import lazy_gettext as _l

MAX_URL_LENGTH = 2048

TRACKING_PARAMS = frozenset({
    "igsh", "igshid", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
    "twclid", "ttclid", "si", "ref", "ref_src", "ref_url", "feature", "mibextid", "_rdr",
    "share_id", "mc_cid", "mc_eid", "_ga", "_gl", "spm", "rdid", "share_url", "sfnsn",
    "is_from_webapp", "sender_device", "sender_web_id", "is_copy_url", "share_app_id",
    "share_link_id", "share_item_id", "social_sharing", "pp", "__cft__[0]", "__tn__", "ved",
    "usg", "sharer", "wtsid", "xmt",
})
TRACKING_PREFIXES = ("utm_", "__cft__", "__tn__", "hc_")

HOST_ALIASES = {
    "instagram": {"instagram.com", "www.instagram.com", "m.instagram.com", "instagr.am",
                  "www.instagr.am"},
    "facebook": {"facebook.com", "www.facebook.com", "m.facebook.com", "mobile.facebook.com",
                 "mbasic.facebook.com", "web.facebook.com", "touch.facebook.com", "fb.com",
                 "www.fb.com", "fb.watch", "www.fb.watch"},
    "x": {"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com",
          "mobile.twitter.com", "m.twitter.com"},
    "tiktok": {"tiktok.com", "www.tiktok.com", "m.tiktok.com", "vm.tiktok.com",
               "vt.tiktok.com"},
    "youtube": {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
                "youtu.be", "www.youtube-nocookie.com", "youtube-nocookie.com"},
}
# Where a platform link that names no post (a profile, a search) is pointed.
MAIN_HOST = {"instagram": "www.instagram.com", "facebook": "www.facebook.com", "x": "x.com",
             "tiktok": "www.tiktok.com", "youtube": "www.youtube.com"}
PROFILE_URL = {"instagram": "https://www.instagram.com/{}/",
               "facebook": "https://www.facebook.com/{}", "x": "https://x.com/{}", "tiktok": "https://www.tiktok.com/@{}",
               "youtube": "https://www.youtube.com/@{}"}
PLATFORM_OF_HOST = {host: name for name, hosts in HOST_ALIASES.items() for host in hosts}
# Parameters dropped only on one platform (on other sites they may mean something).
PLATFORM_TRACKING = {"x": {"s", "t"}, "tiktok": {"_r", "_t", "lang"}, "youtube": {"t", "app"}}

_NAME = r"[A-Za-z0-9_.\-]+"
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f]")


class LinkRejected(ValueError):
    """Text that is not a web link; it may be kept as plain text, never as a live link."""

    message = _l("Only web links starting with http:// or https:// are accepted.")


@dataclass(frozen=True)
class CanonicalLink:
    url_given: str
    url_canonical: str
    platform: str | None
    post_id: str | None
    account: str | None


@dataclass(frozen=True)
class _Parts:
    host: str
    path: str
    query: list[tuple[str, str]]


def canonicalize_link(text: str) -> CanonicalLink:
    """The link as given and in canonical form, with platform, post id and account if known."""
    given = text.strip()
    parts, scheme, port = _split(given)
    platform = PLATFORM_OF_HOST.get(parts.host)
    if platform:
        found = PLATFORM_PARSERS[platform](parts)
        if found:
            url, post_id, account = found
            return CanonicalLink(given, url, platform, post_id, account)
    account = _profile(platform, parts.path)
    if platform and account:
        return CanonicalLink(given, PROFILE_URL[platform].format(account), platform, None, account)
    drop = PLATFORM_TRACKING.get(platform or "", set())
    query = sorted((k, v) for k, v in parts.query if not _is_tracking(k) and k not in drop)
    host = parts.host if port is None else f"{parts.host}:{port}"
    if platform:
        scheme, host = "https", MAIN_HOST[platform]
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    url = f"{scheme}://{host}{path}" + (f"?{urlencode(query)}" if query else "")
    return CanonicalLink(given, url, platform, None, None)


def _split(given: str) -> tuple[_Parts, str, int | None]:
    if not given or len(given) > MAX_URL_LENGTH or _BAD_CHARS.search(given):
        raise LinkRejected(given)
    try:
        split = urlsplit(given)
        port = split.port
        host = (split.hostname or "").rstrip(".")
        host = host.encode("idna").decode("ascii").lower() if host else ""
    except (ValueError, UnicodeError):
        raise LinkRejected(given) from None
    scheme = split.scheme.lower()
    if scheme not in ("http", "https") or not host or "\\" in given or split.username is not None:
        raise LinkRejected(given)
    if ":" in host:
        host = f"[{host}]"
    if port == {"http": 80, "https": 443}[scheme]:
        port = None
    query = parse_qsl(split.query, keep_blank_values=True)
    return _Parts(host, split.path, query), scheme, port


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _param(parts: _Parts, name: str) -> str | None:
    return next((v for k, v in parts.query if k == name and v), None)


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _instagram(parts: _Parts) -> tuple[str, str | None, str | None] | None:
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


def _facebook(parts: _Parts) -> tuple[str, str | None, str | None] | None:
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


def _x(parts: _Parts) -> tuple[str, str | None, str | None] | None:
    seg = _segments(parts.path)
    if len(seg) >= 4 and seg[:3] == ["i", "web", "status"] and seg[3].isdigit():
        return f"https://x.com/i/web/status/{seg[3]}", seg[3], None
    if len(seg) >= 3 and seg[1] in ("status", "statuses") and seg[2].isdigit():
        user = seg[0].lower()
        return f"https://x.com/{user}/status/{seg[2]}", seg[2], user
    return None


def _tiktok(parts: _Parts) -> tuple[str, str | None, str | None] | None:
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


def _youtube(parts: _Parts) -> tuple[str, str | None, str | None] | None:
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


def _profile(platform: str | None, path: str) -> str | None:
    """The account of a profile link (x.com/someone, tiktok.com/@someone, ...)."""
    seg = _segments(path)
    if not platform or len(seg) != 1:
        return None
    name = seg[0][1:] if seg[0].startswith("@") else seg[0]
    if platform in ("tiktok", "youtube") and not seg[0].startswith("@"):
        return None
    reserved = {"explore", "accounts", "home", "search", "watch", "login", "share", "i",
                "hashtag", "profile.php", "permalink.php", "photo", "photo.php", "reel"}
    return name.lower() if re.fullmatch(_NAME, name) and name.lower() not in reserved else None


PLATFORM_PARSERS = {"instagram": _instagram, "facebook": _facebook, "x": _x,
                    "tiktok": _tiktok, "youtube": _youtube}
