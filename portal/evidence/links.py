"""Links given as evidence: refuse anything but http(s), and find one canonical form per post.

A link typed without a scheme but starting with a host name is completed with https:// first,
so every door (web form, Open311, staff forms) takes "www.instagram.com/p/…" alike.

The canonical form is what duplicate detection compares, so the same post shared with
different tracking parameters, hosts or letter case must come out identical.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from flask_babel import lazy_gettext as _l

from portal.evidence.platforms import (
    MAIN_HOST,
    PLATFORM_OF_HOST,
    PLATFORM_PARSERS,
    PLATFORM_TRACKING,
    PROFILE_URL,
    UrlParts,
    profile_account,
)

MAX_URL_LENGTH = 2048

_TRACKING_WORDS = """
    igsh igshid fbclid gclid dclid gbraid wbraid msclkid yclid twclid ttclid si ref ref_src ref_url
    feature mibextid _rdr share_id mc_cid mc_eid _ga _gl spm rdid share_url sfnsn is_from_webapp
    sender_device sender_web_id is_copy_url share_app_id share_link_id share_item_id
    social_sharing pp __tn__ ved usg sharer wtsid xmt
"""
TRACKING_PARAMS = frozenset(_TRACKING_WORDS.split())
TRACKING_PREFIXES = ("utm_", "__cft__", "__tn__", "hc_")

_BAD_CHARS = re.compile(r"[\x00-\x20\x7f]")
# Text that starts with a host name (labels, a dot, a top-level domain of letters), an optional
# port, then a path, query, fragment or nothing: "www.instagram.com/p/…" as people copy it.
_SCHEMELESS = re.compile(
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})\.?"
    r"(?::\d{1,5})?(?:[/?#]|$)",
    re.IGNORECASE,
)


class LinkRejected(ValueError):
    """Text that is not a web link; it may be kept as plain text, never as a live link."""

    message = _l(
        "Only web links are accepted, such as https://www.instagram.com/p/… or "
        "www.instagram.com/p/…"
    )


@dataclass(frozen=True)
class CanonicalLink:
    url_given: str
    url_canonical: str
    platform: str | None
    post_id: str | None
    account: str | None


def canonicalize_link(text: str) -> CanonicalLink:
    """The link as given and in canonical form, with platform, post id and account if known."""
    given = text.strip()
    parts, scheme, port = _split(complete_scheme(given))
    platform = PLATFORM_OF_HOST.get(parts.host)
    if platform:
        found = PLATFORM_PARSERS[platform](parts)
        if found:
            url, post_id, account = found
            return CanonicalLink(given, url, platform, post_id, account)
    account = profile_account(platform, parts.path)
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


def complete_scheme(given: str) -> str:
    """A link typed without its scheme ("www.instagram.com/p/…") with https:// before it;
    anything else unchanged, for _split to accept or refuse."""
    return f"https://{given}" if _SCHEMELESS.match(given) else given


def _split(given: str) -> tuple[UrlParts, str, int | None]:
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
    return UrlParts(host, split.path, query), scheme, port


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)
