"""Pages and answers kept in the shared cache (Flask-Caching), for a short time.

A page is keyed by its language, host and full path, and by what the caller adds. Public pages
add nothing or a date: they are the same for every visitor. A resident's status page adds its
report, case and the case's page version (intake/statuspage.py), and is asked for only after
the session check that this device holds the report. The visitor's own values in a page (their
CSRF token, a report form's one-time key) are put back as markers in the kept copy and filled
in afresh for each visitor. Pages for logged-in staff and pages with a flashed message are
never kept nor served from the cache. Nothing an officer alone may see goes through here.
"""

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from portal.extensions import cache

CSRF_MARK = "__portal-csrf-token__"


def cached_page(
    render: Callable[[], str],
    seconds: int | None = None,
    own: Mapping[str, str] | None = None,
    key: str = "",
) -> str:
    """The page `render` returns, from the cache when this language and address are there.

    `own` maps a marker to this visitor's value of something the page shows; `key` adds to the
    cache key (a date the page depends on). Kept for `seconds` (PAGE_CACHE_SECONDS by default);
    0 keeps nothing.
    """
    seconds = current_app.config["PAGE_CACHE_SECONDS"] if seconds is None else seconds
    if "_flashes" in session or "_user_id" in session or seconds <= 0:
        return render()
    cache_key = f"{_key('page')}|{key}"
    kept = cache.get(cache_key)
    if kept is None:
        html = kept = render()
        if g.pop("portal_page_not_kept", False):
            return html
        field = current_app.config["WTF_CSRF_FIELD_NAME"]
        for mark, value in _own_values(own, shows_token=field in g).items():
            kept = kept.replace(value, mark)
        cache.set(cache_key, kept, timeout=seconds)
        return html
    for mark, value in _own_values(own, shows_token=CSRF_MARK in kept).items():
        kept = kept.replace(mark, value)
    return kept


def _own_values(own: Mapping[str, str] | None, shows_token: bool) -> dict[str, str]:
    """The visitor's values by marker. A CSRF token only when the page shows one (rendering it
    left it in `g`, or the kept copy has its marker): making one gives a first-time visitor a
    session, and a cookie to sign."""
    values = dict(own or {})
    if shows_token:
        values[CSRF_MARK] = generate_csrf()
    return values


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


GENERATION_KEY = "generation"


def tokens(*names: str) -> list[str]:
    """The current token of each name, shared by every process through the cache: parts of
    the keys of kept pages, renewed by renew() after a commit that changes what those pages
    show (so a kept page is found without asking the database whether it is current).

    Random, never counted: a token dropped (by renew() or by the cache) is replaced by a new
    one, never by an old one. A page rendered while a writer commits is kept under the token
    before the writer's renewal, which no reader asks for afterwards.
    """
    found = cache.get_many(*names)
    missing = [name for name, value in zip(names, found, strict=True) if value is None]
    if missing:
        for name in missing:
            cache.add(name, secrets.token_hex(8), timeout=_token_seconds())
        found = cache.get_many(*names)  # another process's add may have won
    return [secrets.token_hex(8) if value is None else str(value) for value in found]


def _token_seconds() -> int:
    """As long as the longest kept page: a token outliving its pages would only hold a place
    in the cache (a full FileSystemCache makes room one entry at a time, reading its whole
    folder each time, unless expired entries free many at once); one gone sooner costs a miss."""
    config = current_app.config
    return max(60, config["PAGE_CACHE_SECONDS"], config.get("STAFF_PAGE_CACHE_SECONDS", 0))


def renew(*names: str) -> None:
    """Every page kept under these tokens is from now on looked for under new ones: the tokens
    are dropped, and the next reader of each makes a new one (tokens()). Dropping, not writing
    new ones, adds nothing to the cache for the many cases a commit bumps that nobody views (a
    full FileSystemCache reads its whole folder on each write to make room)."""
    if names:
        cache.delete_many(*names)


def new_generation() -> None:
    """Every page keyed by the shared generation is from now on looked for under a new key."""
    renew(GENERATION_KEY)


def dont_keep() -> None:
    """The page being rendered for cached_page() must not be kept (it found the key it was
    asked for out of date): it is given to this visitor only."""
    g.portal_page_not_kept = True


def _key(name: str) -> str:
    return f"{name}|{get_locale()}|{request.host}|{request.full_path}"


def init_app(app: Flask) -> None:
    """Bind the cache, and empty it: a new start may bring new templates or settings, and a
    page kept by the old code must not outlive it."""
    cache.init_app(app)
    with app.app_context():
        cache.clear()
