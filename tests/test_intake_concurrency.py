"""Many residents at once, against a real server (gunicorn, several workers and threads, an
SQLite file database in WAL): every upload goes through and every receipt is whole; a write
lock held elsewhere past the busy timeout is a 503 with Retry-After, not a 500."""

import http.cookiejar
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import pytest
from werkzeug.test import encode_multipart

from bench.uploads import form_fields, ids, prepare_database, run_load, server, stored

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL") is not None,
    reason="the write lock is SQLite's",
)
REPORTS = 50


@pytest.fixture
def served(tmp_path: Path):
    """The portal under gunicorn on a fresh database; yields (base URL, folder)."""
    env = prepare_database(tmp_path)
    with server(env, tmp_path / "server.log") as base:
        yield base, tmp_path


# pyproject turns warnings into errors; this one is a note for the log, as the comment below says
@pytest.mark.filterwarnings("always::UserWarning")
def test_fifty_concurrent_uploads_all_get_a_whole_receipt(served):
    base, folder = served
    outcomes = run_load(base, folder, REPORTS, side=360)
    filed = [o for o in outcomes if o.status == 200]  # the receipt, after the 303
    refused = [o for o in outcomes if o.status != 200]
    # On a quiet machine all 50 go through. On a saturated one (this shared 2-core machine
    # measured 4 of 50 at load 11) a writer can wait past the busy timeout: it must get the
    # "busy, try again" 503, never a 500, and leave nothing behind.
    if refused:
        warnings.warn(f"{len(refused)} of {REPORTS} uploads were told to retry", stacklevel=1)
    assert {(o.status, o.retry_after) for o in refused} <= {(503, "5")}
    assert [p for o in filed for p in o.problems] == []
    assert all(o.status_page_ok for o in filed)  # every code opens its own report
    assert len({o.code for o in filed}) == len({o.reference for o in filed}) == len(filed)
    assert stored(folder) == {
        "report": len(filed),
        "evidence": 2 * len(filed),
        "evidence_with_files": 2 * len(filed),
    }
    assert len(filed) >= REPORTS // 2


def post(base: str, fields) -> tuple[int, dict[str, str], str]:  # noqa: ANN001
    boundary, body = encode_multipart(fields)
    request = urllib.request.Request(
        base + "/lapor",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    try:
        with opener.open(request, timeout=60) as response:  # follows the 303 to the receipt
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def test_a_write_lock_held_for_8_s_is_a_503_with_retry_after_then_it_works(served):
    base, folder = served
    category, region = ids(folder)
    locked, answered = threading.Event(), threading.Event()

    def hold() -> None:  # another process's long transaction, as SQLite sees it: 8 s, and
        # on this shared machine until the answer came, so the request surely met the lock
        other = sqlite3.connect(folder / "portal.sqlite3", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(8)
        answered.wait(120)
        other.execute("ROLLBACK")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(10)
    try:
        status, headers, page = post(base, form_fields(1, category, region, side=360))
    finally:
        answered.set()
        holder.join()
    assert status == 503  # after the 5 s busy timeout, not a 500
    assert headers["Retry-After"] == "5"
    assert "Portal sedang sibuk" in page and "Dinas Contoh nomor 1" in page
    assert stored(folder) == {"report": 0, "evidence": 0, "evidence_with_files": 0}
    assert [p for p in (folder / "uploads").rglob("*") if p.is_file()] == []

    status, _, page = post(base, form_fields(2, category, region, side=360))
    assert status == 200 and 'id="tracking-code"' in page  # the receipt
    assert stored(folder)["report"] == 1
