"""Security headers and small helpers for hostile input."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_babel import lazy_gettext as _l
from flask_talisman import Talisman
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
}


def init_app(app: Flask) -> None:
    """Strict headers on every response: CSP without unsafe-inline, nosniff, no framing."""
    https = app.config["FORCE_HTTPS"]
    hops = int(app.config["PROXY_FIX_X_FOR"])
    if hops > 0:
        # Flask's documented way to add WSGI middleware; mypy sees a method being replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    Talisman(
        app,
        force_https=https,
        strict_transport_security=https,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy={"geolocation": "(self)", "camera": "()", "microphone": "()"},
    )
    app.before_request(refuse_unstorable_input)


def keep_retry_after_for_waits(response: Response) -> Response:
    """Drop Retry-After from every response but 429 and 503, the two that ask a client to wait.

    Flask-Limiter puts it on each response of a rate-limited route (no setting turns off that
    one header); on a redirect it would ask the browser to wait before following it
    (RFC 9110 section 10.2.3), and elsewhere it means nothing.
    """
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


class UnstorableInput(BadRequest):
    """A form field or query parameter carries a NUL character, which no database stores."""

    portal_message = _l(
        "What you sent contains an invisible control character (NUL) that cannot be stored. "
        "Remove it, for example by typing the text again instead of pasting it, and send again."
    )

    def __init__(self) -> None:
        super().__init__(description=str(self.portal_message))


def _has_nul(data: MultiDict) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in data.items(multi=True))


def refuse_unstorable_input() -> None:
    """One check for every endpoint, so that no view can pass a NUL to PostgreSQL (a 500)."""
    if _has_nul(request.args) or (
        request.method in ("POST", "PUT", "PATCH") and _has_nul(request.form)
    ):
        raise UnstorableInput()


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths are followed after a redirect."""
    if not target:
        return default
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if any(ord(ch) < 32 for ch in target):
        return default
    return target


# Stored bytes are never a page. Should a browser ever render one as a document, CSP's
# `sandbox` (CSP Level 3) gives it what an <iframe sandbox> would: no script, no forms, no
# plugins, an opaque origin. Flask-Talisman writes the CSP header after every view and takes a
# view's own policy from the attribute that its decorator sets.
SANDBOX_POLICY = {"default-src": "'none'", "frame-ancestors": "'none'", "sandbox": ""}


def sandboxed(view: Callable[..., Response]) -> Callable[..., Response]:
    """Serve this view's responses under SANDBOX_POLICY instead of the site's policy."""
    options = {"content_security_policy": SANDBOX_POLICY}
    view.talisman_view_options = options  # type: ignore[attr-defined]
    return view
