"""Security headers and small helpers for hostile input."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_talisman import Talisman
from itsdangerous import URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.extensions import limiter

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
    app.session_interface = CookieSessions()
    SiteHeaders(
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
    skip_limiter_on_unlimited_views(app)


class SiteHeaders(Talisman):
    """Flask-Talisman, with each view's options and policy texts worked out once.

    Talisman looks up the view's options four times a response and joins the same policies
    into the same header texts each time; the headers are the same, only worked out once.
    A view's options (its `talisman_view_options`) are set when the view is defined.
    """

    def __init__(self, app: Flask, **options: Any) -> None:
        self._view_options: dict[str | None, dict] = {}
        self._policies: dict[int, tuple[Any, str]] = {}
        super().__init__(app, **options)

    def _get_local_options(self) -> dict:
        endpoint = request.endpoint
        options = self._view_options.get(endpoint)
        if options is None:
            options = self._view_options[endpoint] = super()._get_local_options()
        return options

    def _parse_policy(self, policy: Any) -> str:
        if hasattr(request, "csp_nonce"):  # a nonce differs on every response
            return super()._parse_policy(policy)
        kept = self._policies.get(id(policy))
        if kept is None or kept[0] is not policy:  # the policy itself is kept: ids stay unique
            kept = self._policies[id(policy)] = (policy, super()._parse_policy(policy))
        return kept[1]


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per key.

    Flask builds a new serializer (and its signers) twice a request; the cookies are the same.
    """

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("portal_session_serializer")
        if kept is None or kept[0] != keys:
            kept = (keys, super().get_signing_serializer(app))
            app.extensions["portal_session_serializer"] = kept
        return kept[1]


UNLIMITED_ATTR = "portal_unlimited"
# Settings that put a rate limit on every route; with one of them set, no view is unlimited.
SITE_WIDE_LIMITS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_IN_MEMORY_FALLBACK")


def unlimited(view: Callable) -> Callable:
    """This view has no rate limit of its own: the limiter's check is skipped for it (a tenth of
    what a cached page costs) unless a site-wide limit is configured. Never with @limiter.limit."""
    setattr(view, UNLIMITED_ATTR, True)
    return view


def skip_limiter_on_unlimited_views(app: Flask) -> None:
    """Wrap Flask-Limiter's before-request check so that views marked @unlimited skip it.

    With no limit on the view and none site-wide the check finds nothing to count; it still
    resolves, filters and evaluates an empty set of limits on every request.
    """
    if any(app.config.get(name) for name in SITE_WIDE_LIMITS):
        return
    hooks = app.before_request_funcs.setdefault(None, [])
    check = limiter._check_request_limit
    if check not in hooks:
        return

    def check_limited_views() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if not getattr(view, UNLIMITED_ATTR, False):
            check()

    hooks[hooks.index(check)] = check_limited_views


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


def sent_from_this_site() -> bool:
    """Whether a POST came from one of this site's own pages, by its Origin header (or, when a
    browser sends none, its Referer): OWASP's "verifying origin with standard headers". Browsers
    send Origin with every cross-site form POST, so a request with neither header is not a
    browser's and passes (a script can send anything anyway)."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return True
    return urlsplit(source).netloc == request.host


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
