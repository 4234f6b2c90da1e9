"""A full-page screenshot of HTML the fetcher already got, rendered in headless Chromium.

Chromium never fetches anything itself: the page is loaded with set_content (a <base> of the
final URL resolves relative links), JavaScript and service workers are off, and every
subresource request is answered by the safe fetcher (same address checks, size and time caps)
or refused. So the browser cannot be used to reach an address the fetcher would refuse.

With an officer-supplied session the context is made with its storage state, and the fetcher
sends the session's cookies with each subresource request they match (the router, not the
browser, makes those requests).
"""

import logging
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from html import escape
from typing import TYPE_CHECKING, Any

from portal.capture.fetch import CookieSource, FetchPolicy, fetch

if TYPE_CHECKING:  # Playwright is optional: imported only when a screenshot is taken
    from playwright.sync_api import PlaywrightContextManager, Route

logger = logging.getLogger(__name__)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MAX_SUBRESOURCES = 40
SUBRESOURCE_BYTES = 3 * 1024 * 1024
_REFRESH = re.compile(r"<meta[^>]+http-equiv\s*=\s*[\"']?refresh[^>]*>", re.IGNORECASE)
NOT_INSTALLED = "screenshot unavailable: Chromium not installed"


@dataclass(frozen=True)
class Screenshot:
    png: bytes | None
    note: str | None  # why there is no screenshot


def render_screenshot(
    html: bytes,
    *,
    base_url: str,
    chromium_path: str,
    policy: FetchPolicy,
    timeout: float,
    storage_state: dict[str, Any] | None = None,
    cookies: CookieSource | None = None,
) -> Screenshot:
    """PNG of the page, or None with the reason (Chromium missing, rendering failed)."""
    if not chromium_path or not os.path.exists(chromium_path):
        return Screenshot(None, NOT_INSTALLED)
    try:  # late: Playwright is optional (a test dependency) and only screenshots need it
        from playwright.sync_api import sync_playwright
    except ImportError:
        return Screenshot(None, "screenshot unavailable: Playwright not installed")
    # Its own thread: Playwright's sync API refuses to run where an event loop is running
    # (a caller's asyncio, or a test session's browser), and a fresh thread has none.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(
            _render,
            sync_playwright,
            html,
            base_url,
            chromium_path,
            policy,
            time.monotonic() + timeout,
            storage_state,
            cookies,
        ).result()


def _render(
    sync_playwright: "Callable[[], PlaywrightContextManager]",
    html: bytes,
    base_url: str,
    chromium_path: str,
    policy: FetchPolicy,
    deadline: float,
    storage_state: dict[str, Any] | None,
    cookies: CookieSource | None,
) -> Screenshot:
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(
                    java_script_enabled=False,
                    service_workers="block",
                    viewport={"width": 1280, "height": 900},
                    storage_state=storage_state,  # type: ignore[arg-type]
                )
                page = context.new_page()
                page.route("**/*", _router(policy, deadline, cookies))
                page.set_content(
                    _with_base(html, base_url),
                    wait_until="load",
                    timeout=max(1.0, deadline - time.monotonic()) * 1000,
                )
                return Screenshot(page.screenshot(full_page=True, type="png"), None)
            finally:
                browser.close()
    except Exception as err:  # noqa: BLE001  (the capture keeps its HTML and headers)
        logger.warning("Screenshot failed: %s", type(err).__name__)
        return Screenshot(None, f"screenshot failed: {type(err).__name__}")


def _with_base(html: bytes, base_url: str) -> str:
    # A refresh would replace the page before the screenshot (the navigation itself is
    # refused by the router in any case); the stored HTML keeps the tag.
    text = _REFRESH.sub("", html.decode("utf-8", errors="replace"))
    base = f'<base href="{escape(base_url, quote=True)}">'
    head = re.search(r"<head\b[^>]*>", text, re.IGNORECASE)
    return text[: head.end()] + base + text[head.end() :] if head else base + text


def _router(
    policy: FetchPolicy, deadline: float, cookies: CookieSource | None
) -> "Callable[[Route], None]":
    small = replace(policy, max_bytes=min(policy.max_bytes, SUBRESOURCE_BYTES))
    served = [0]

    def handle(route: "Route") -> None:
        url = route.request.url
        request = route.request
        if request.is_navigation_request() and request.frame.parent_frame is None:
            route.abort()  # a meta refresh must not replace the captured page
            return
        if url.startswith("data:"):
            route.continue_()
            return
        remaining = deadline - time.monotonic()
        served[0] += 1
        if served[0] > MAX_SUBRESOURCES or remaining < 1:
            route.abort()
            return
        result = fetch(url, replace(small, timeout=min(remaining, small.timeout)), cookies)
        if result.error or result.status is None:
            route.abort()
            return
        content_type = result.headers.get("content-type", "application/octet-stream")
        route.fulfill(
            status=result.status, body=result.body, headers={"content-type": content_type}
        )

    return handle
