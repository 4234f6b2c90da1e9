"""Officer-supplied platform sessions: a Playwright storage state per platform (what
`context.storage_state()` writes), checked on upload, sealed with AES-GCM under a key derived
from CAPTURE_SESSION_KEY and bound to its platform, opened only by the capture worker.

Nothing here ever returns a cookie value to a page: the upload is checked, sealed and stored,
and the admin page shows only its domains, count and expiry. Only the cookies are kept: the
origins' local storage is checked (it must belong to the platform too) but dropped, since
captures render with JavaScript off and never read it.
"""

import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask_babel import lazy_gettext as _l

from portal.capture.models import CaptureSession
from portal.capture.walls import PLATFORM_DOMAINS, is_within, platform_of_url
from portal.db import db, utcnow

logger = logging.getLogger(__name__)

SESSION_PLATFORMS = tuple(PLATFORM_DOMAINS)
MIN_KEY_CHARS = 32
NONCE_BYTES = 12
COOKIE_KEYS = ("name", "value", "domain", "path", "expires", "httpOnly", "secure", "sameSite")
SAME_SITE = ("Strict", "Lax", "None")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f;]")


class SessionRejected(ValueError):
    """The upload is not a usable storage state for the platform; the message says why."""


class SessionKeyInvalid(ValueError):
    """CAPTURE_SESSION_KEY is set but too short to seal anything with."""


@dataclass(frozen=True)
class CheckedState:
    state: dict[str, Any]  # {"cookies": [...], "origins": []}, only Playwright's cookie keys
    domains: list[str]
    expires_at: datetime | None


@dataclass(frozen=True)
class OpenSession:
    """A session opened for one capture: its platform and storage state."""

    platform: str
    state: dict[str, Any]

    def cookie_header(self, url: str) -> str | None:
        """The Cookie header a browser would send to `url` with this session, or None."""
        return cookie_header(self.state["cookies"], url, time.time())


def session_key(config: Mapping[str, Any]) -> bytes | None:
    """The 256-bit sealing key, or None when CAPTURE_SESSION_KEY is not set (feature off)."""
    material = config.get("CAPTURE_SESSION_KEY")
    if not material:
        return None
    if len(str(material)) < MIN_KEY_CHARS:
        raise SessionKeyInvalid(f"CAPTURE_SESSION_KEY needs at least {MIN_KEY_CHARS} characters")
    return hmac.new(str(material).encode(), b"capture-session", hashlib.sha256).digest()


def key_id(key: bytes) -> str:
    """A short public name of a sealing key, to tell whether a row was sealed with it."""
    return hmac.new(key, b"key-id", hashlib.sha256).hexdigest()[:16]


def platform_hosts(platform: str, config: Mapping[str, Any]) -> tuple[str, ...]:
    """The domains a platform's cookies may belong to."""
    return (*PLATFORM_DOMAINS[platform], *config["CAPTURE_PLATFORM_HOSTS"].get(platform, ()))


def _context(platform: str) -> bytes:
    return f"capture-session:{platform}".encode()


def seal(state: dict[str, Any], *, key: bytes, platform: str) -> bytes:
    """The state encrypted for storage, bound to its platform."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, json.dumps(state).encode(), _context(platform))


def unseal(sealed: bytes, *, key: bytes, platform: str) -> dict[str, Any] | None:
    """The stored state, or None when it does not open (another key, another platform)."""
    try:
        plain = AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _context(platform))
    except (InvalidTag, ValueError):
        return None
    return json.loads(plain)


def check_storage_state(
    data: bytes, *, platform: str, domains: tuple[str, ...], max_bytes: int, now: float
) -> CheckedState:
    """The upload as a storage state for `platform`, or SessionRejected with the reason."""
    if len(data) > max_bytes:
        raise SessionRejected(
            str(
                _l(
                    "The file is larger than %(kib)d KiB: too big for a session.",
                    kib=max_bytes // 1024,
                )
            )
        )
    try:
        state = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SessionRejected(
            str(_l("The file is not JSON. Upload the file that Playwright's storage_state writes."))
        ) from None
    if not (
        isinstance(state, dict)
        and isinstance(state.get("cookies"), list)
        and isinstance(state.get("origins"), list)
    ):
        raise SessionRejected(
            str(_l('This is not a Playwright storage state: it needs "cookies" and "origins".'))
        )
    if not state["cookies"]:
        raise SessionRejected(
            str(_l("The session has no cookies: log in in the browser first, then save it."))
        )
    cookies = [_cookie(n, c, platform, domains) for n, c in enumerate(state["cookies"], 1)]
    for origin in state["origins"]:  # checked, not kept: with JavaScript off it is never read
        _check_origin(origin, platform, domains)
    expiries = [c["expires"] for c in cookies if c.get("expires", -1) > 0]
    if len(expiries) == len(cookies) and max(expiries) <= now:
        raise SessionRejected(str(_l("Every cookie of this session has expired: log in again.")))
    return CheckedState(
        state={"cookies": cookies, "origins": []},
        domains=sorted({c["domain"].lstrip(".").lower() for c in cookies}),
        expires_at=datetime.fromtimestamp(min(expiries), UTC) if expiries else None,
    )


def _cookie(n: int, cookie: Any, platform: str, domains: tuple[str, ...]) -> dict[str, Any]:
    if not (
        isinstance(cookie, dict)
        and all(isinstance(cookie.get(k), str) for k in ("name", "value", "domain", "path"))
        and isinstance(cookie.get("expires", -1), int | float)
        and not isinstance(cookie.get("expires"), bool)
    ):
        raise SessionRejected(
            str(_l("Cookie %(n)d is not in Playwright's format (name, value, domain, path).", n=n))
        )
    if not cookie["name"] or _UNSAFE.search(cookie["name"] + cookie["value"]):
        raise SessionRejected(str(_l("Cookie %(n)d has characters no cookie may carry.", n=n)))
    domain = cookie["domain"].lstrip(".")
    if not is_within(domain, domains):
        raise SessionRejected(
            str(
                _l(
                    "Cookie “%(name)s” is for %(domain)s, not for %(platform)s. Nothing was "
                    "stored: save the session from a browser profile used only for %(platform)s.",
                    name=cookie["name"][:60],
                    domain=domain[:100],
                    platform=platform,
                )
            )
        )
    kept = {key: cookie[key] for key in COOKIE_KEYS if key in cookie}
    if kept.get("sameSite") not in SAME_SITE:
        kept.pop("sameSite", None)
    return kept


def _check_origin(origin: Any, platform: str, domains: tuple[str, ...]) -> None:
    if not (
        isinstance(origin, dict)
        and isinstance(origin.get("origin"), str)
        and isinstance(origin.get("localStorage", []), list)
    ):
        raise SessionRejected(str(_l('An entry of "origins" is not in Playwright\'s format.')))
    if not is_within(urlsplit(origin["origin"]).hostname or "", domains):
        raise SessionRejected(
            str(
                _l(
                    "The stored data for %(origin)s is not for %(platform)s. Nothing was stored.",
                    origin=origin["origin"][:100],
                    platform=platform,
                )
            )
        )


def cookie_header(cookies: list[dict[str, Any]], url: str, now: float) -> str | None:
    """RFC 6265 section 5.4: the cookies that match the URL's host, path and scheme and have
    not expired, longest path first. A domain with a leading dot covers its subdomains (that
    is how Playwright writes domain cookies); one without is for that host only."""
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path or "/"
    chosen = [
        c
        for c in cookies
        if _domain_matches(c["domain"].lower(), host)
        and _path_matches(c["path"] or "/", path)
        and (parts.scheme == "https" or not c.get("secure"))
        and not 0 < c.get("expires", -1) <= now
    ]
    chosen.sort(key=lambda c: len(c["path"]), reverse=True)
    return "; ".join(f"{c['name']}={c['value']}" for c in chosen) or None


def _domain_matches(domain: str, host: str) -> bool:
    if domain.startswith("."):
        return is_within(host, (domain[1:],))
    return host == domain


def _path_matches(cookie_path: str, path: str) -> bool:
    if path == cookie_path:
        return True
    prefix = cookie_path if cookie_path.endswith("/") else cookie_path + "/"
    return path.startswith(prefix)


def save_session(*, platform: str, data: bytes, user: Any, config: Mapping[str, Any]) -> None:
    """Check, seal and store the platform's session, replacing any earlier one."""
    key = session_key(config)
    if key is None:
        raise SessionRejected(str(_l("Sessions are switched off: no key is configured.")))
    checked = check_storage_state(
        data,
        platform=platform,
        domains=platform_hosts(platform, config),
        max_bytes=int(config["CAPTURE_SESSION_MAX_BYTES"]),
        now=time.time(),
    )
    row = db.session.scalar(sa.select(CaptureSession).where(CaptureSession.platform == platform))
    if row is None:
        row = CaptureSession(platform=platform)
        db.session.add(row)
    row.sealed, row.key_id = seal(checked.state, key=key, platform=platform), key_id(key)
    row.cookie_count = len(checked.state["cookies"])
    row.domains = checked.domains
    row.expires_at = checked.expires_at
    row.uploaded_at, row.uploaded_by_id = utcnow(), user.id
    db.session.flush()
    logger.info("User %s uploaded a capture session for %s", user.id, platform)


def remove_session(*, session: CaptureSession, user: Any) -> None:
    """Delete a platform's session; captures go back to anonymous fetches."""
    db.session.delete(session)
    db.session.flush()
    logger.info("User %s removed the capture session for %s", user.id, session.platform)


def get_session_for(url: str, config: Mapping[str, Any]) -> OpenSession | None:
    """The opened session of the URL's platform, for the capture worker only; None when the
    feature is off, no session was uploaded, or it does not open with the current key."""
    platform = platform_of_url(url, config["CAPTURE_PLATFORM_HOSTS"])
    if platform is None:
        return None
    try:
        key = session_key(config)
    except SessionKeyInvalid:
        logger.warning("CAPTURE_SESSION_KEY is too short: capturing without sessions")
        return None
    row = db.session.scalar(sa.select(CaptureSession).where(CaptureSession.platform == platform))
    if key is None or row is None:
        return None
    state = unseal(row.sealed, key=key, platform=platform)
    if state is None:
        logger.warning("The %s session does not open with the current key", platform)
        return None
    return OpenSession(platform, state)
