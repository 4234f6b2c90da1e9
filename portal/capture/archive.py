"""Sending a captured link to a public web archive that speaks the Wayback Machine's Save Page
Now 2 API: POST the URL to the endpoint, then poll `<endpoint>/status/<job_id>` until the job
succeeds; the copy is then at `<scheme://host>/web/<timestamp>/<original_url>`.

Network only, no database; off unless CAPTURE_ARCHIVE_ENDPOINT is set. The endpoint is the
operator's choice, so it is reached directly (no proxy from the environment) with the stdlib
client, not through the fetcher for attacker-chosen URLs.
"""

import http.client
import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import ProxyHandler, Request, build_opener

logger = logging.getLogger(__name__)

MAX_ANSWER = 1024 * 1024
_TIMESTAMP = re.compile(r"\d{4,14}")


@dataclass(frozen=True)
class ArchiveResult:
    url: str | None  # where the archive's copy is
    error: str | None  # why there is none


class _Refused(Exception):
    pass


def submit_to_archive(url: str, config: Mapping[str, Any]) -> ArchiveResult:
    """Ask the archive to save `url` and wait (up to CAPTURE_ARCHIVE_TIMEOUT) for its copy;
    never raises for network or protocol reasons."""
    endpoint = str(config["CAPTURE_ARCHIVE_ENDPOINT"]).rstrip("/")
    deadline = time.monotonic() + float(config["CAPTURE_ARCHIVE_TIMEOUT"])
    poll = float(config["CAPTURE_ARCHIVE_POLL_SECONDS"])
    headers = {"Accept": "application/json", "User-Agent": config["CAPTURE_USER_AGENT"]}
    if config.get("CAPTURE_ARCHIVE_AUTH"):
        headers["Authorization"] = f"LOW {config['CAPTURE_ARCHIVE_AUTH']}"
    try:
        if urlsplit(endpoint).scheme not in ("http", "https"):
            raise _Refused("CAPTURE_ARCHIVE_ENDPOINT is not an http(s) address")
        job = _call(endpoint, deadline, headers, data={"url": url})
        if not isinstance(job.get("job_id"), str):
            raise _Refused(_reason(job) or "no job id in the answer")
        status_url = f"{endpoint}/status/{quote(job['job_id'], safe='')}"
        while True:
            status = _call(status_url, deadline, headers)
            if status.get("status") == "success":
                return ArchiveResult(_copy_url(endpoint, status, url), None)
            if status.get("status") != "pending":
                raise _Refused(_reason(status) or f"status {status.get('status')!r}")
            if time.monotonic() + poll >= deadline:
                raise _Refused("still pending at the time limit")
            time.sleep(poll)
    except _Refused as refused:
        error = str(refused)
    except HTTPError as err:
        error = _http_error(err)
    except (OSError, ValueError, http.client.HTTPException) as err:
        error = type(err).__name__
    logger.info("Web archive did not save a capture's link: %s", error)
    return ArchiveResult(None, error[:300])


def _call(
    url: str, deadline: float, headers: dict[str, str], data: dict[str, str] | None = None
) -> dict[str, Any]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Refused("no answer within the time limit")
    body = urlencode(data).encode() if data is not None else None
    # The endpoint's scheme was checked to be http(s) by submit_to_archive.
    request = Request(url, data=body, headers=headers, method="POST" if body else "GET")  # noqa: S310
    with build_opener(ProxyHandler({})).open(request, timeout=remaining) as response:
        return _json(response.read(MAX_ANSWER))


def _json(raw: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(raw)
    except ValueError:
        raise _Refused("the answer is not JSON") from None
    return answer if isinstance(answer, dict) else {}


def _http_error(err: HTTPError) -> str:
    try:
        return _reason(_json(err.read(MAX_ANSWER))) or f"HTTP {err.code}"
    except (_Refused, OSError):
        return f"HTTP {err.code}"


def _reason(answer: dict[str, Any]) -> str | None:
    text = answer.get("status_ext") or answer.get("message")
    return str(text) if text else None


def _copy_url(endpoint: str, status: dict[str, Any], url: str) -> str:
    timestamp = str(status.get("timestamp", ""))
    if not _TIMESTAMP.fullmatch(timestamp):
        raise _Refused("success without a timestamp")
    parts = urlsplit(endpoint)
    original = status.get("original_url")
    saved = original if isinstance(original, str) and original else url
    return f"{parts.scheme}://{parts.netloc}/web/{timestamp}/{saved}"
