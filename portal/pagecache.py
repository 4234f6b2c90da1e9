"""Public pages and answers kept in the shared cache (Flask-Caching), for a short time.

Only what is the same for every visitor is kept: a page is keyed by its language, host and full
path, and rendered with a marker where each visitor's CSRF token goes, filled in per request. A
page with a flashed message is never kept nor served from the cache. Nothing a resident or an
officer alone may see goes through here.
"""

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from portal.extensions import cache

CSRF_MARK = "__portal-csrf-token__"


def cached_page(render: Callable[[], str], seconds: int | None = None) -> str:
    """The page `render` returns, from the cache when this language and address are there.

    Kept for `seconds` (PAGE_CACHE_SECONDS by default); 0 keeps nothing.
    """
    seconds = current_app.config["PAGE_CACHE_SECONDS"] if seconds is None else seconds
    if "_flashes" in session or seconds <= 0:
        return render()
    key = _key("page")
    html = cache.get(key)
    if html is None:
        g.csrf_as_mark = True
        try:
            html = render()
        finally:
            g.csrf_as_mark = False
        cache.set(key, html, timeout=seconds)
    return html.replace(CSRF_MARK, generate_csrf())


def cached_value(name: str, compute: Callable[[], Any]) -> Any:
    """compute()'s result for this language and address, from the cache when it is there."""
    seconds = current_app.config["PAGE_CACHE_SECONDS"]
    if seconds <= 0:
        return compute()
    key = _key(name)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=seconds)
    return value


def _key(name: str) -> str:
    return f"{name}|{get_locale()}|{request.host}|{request.full_path}"


def init_app(app: Flask) -> None:
    """Bind the cache; templates rendered for the cache get the marker as their CSRF token."""
    cache.init_app(app)

    @app.context_processor
    def _csrf_mark() -> dict:
        return {"csrf_token": lambda: CSRF_MARK} if g.get("csrf_as_mark") else {}
