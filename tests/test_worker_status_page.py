"""The admins' worker page: who is alive, what waits for the worker, the last error."""

import re
import sqlite3
import threading
from datetime import timedelta

import pytest

from portal.capture.models import Job, JobKind
from portal.cases.models import Case
from portal.db import db, utcnow
from portal.notify.models import OutboxMessage
from portal.worker import operations
from portal.worker.runner import Worker
from tests.conftest import PG_URL

PAGE = "/petugas/admin/pekerja"


def cells(page: str, row_id: str) -> list[str]:
    """The data cells of one table row, as text."""
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', page, re.S)
    assert row, f"no row {row_id}"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row[1])]


def silent_worker(minutes: int) -> None:
    """A worker that reported `minutes` ago and then went quiet (killed, or its machine gone)."""
    started = utcnow() - timedelta(hours=1)
    beat = operations.Beat(
        name="lama:4242",
        host="lama",
        pid=4242,
        interval_seconds=2,
        started_at=started,
        passes=812,
        failures=0,
        last_error=None,
        last_error_at=None,
    )
    operations.record_heartbeat(beat=beat, now=utcnow() - timedelta(minutes=minutes, seconds=5))
    db.session.commit()


@pytest.fixture
def admin_client(client, make_user, login_as):
    login_as(client, make_user(role="admin", team=None))
    return client


def test_strangers_and_officers_are_kept_out(client, make_user, login_as):
    assert client.get(PAGE).status_code in (302, 303, 401)
    login_as(client, make_user(role="officer"))
    assert client.get(PAGE).status_code == 403


def test_the_admin_index_links_the_page(admin_client):
    page = admin_client.get("/petugas/admin/").text
    assert f'href="{PAGE}"' in page
    assert "Pekerja latar" in page


@pytest.mark.skipif(bool(PG_URL), reason="locks the SQLite file")
def test_a_worker_that_hit_a_locked_database_shows_running_with_its_last_error(
    make_app, admin_client, tmp_path
):
    """A real pass runs while another connection holds the write lock, then a clean pass:
    the page shows the worker running, its passes, and the lock as its last error."""
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=200)
    holder = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    holder.isolation_level = None
    worker = Worker(stop=threading.Event(), interval=2, escalate_every=300, backoff_max=60)
    with app.app_context():
        holder.execute("BEGIN EXCLUSIVE")
        try:
            assert worker.run_once() == 2  # failed: 1 s back-off, never below the interval
        finally:
            holder.execute("COMMIT")
            holder.close()
        assert worker.failures == 1
        worker.run_once()
        silent_worker(minutes=12)

    page = admin_client.get(PAGE).text
    assert "1 pekerja latar sedang berjalan." in page
    running = re.search(r'<tr class="worker-running">(.*?)</tr>', page, re.S)[1]
    assert worker.name in running and "Berjalan" in running
    assert "database is locked" in running
    assert re.search(r"<td>2</td>", running)  # two passes
    silent = re.search(r'<tr class="worker-silent">(.*?)</tr>', page, re.S)[1]
    assert "lama:4242" in silent and "Tidak terlihat selama 12 menit" in silent


def test_queue_depths_are_counted_per_queue(app, admin_client, make_case, queue_news):
    with app.app_context():
        make_work(make_case, queue_news)
    page = admin_client.get(PAGE).text
    assert cells(page, "queue-captures") == ["3", "2"]
    assert cells(page, "queue-liveness") == ["1", "0"]
    assert cells(page, "queue-mail") == ["4", "3"]
    assert cells(page, "queue-mail-failed") == ["1", "—"]
    assert cells(page, "queue-overdue") == ["1", "1"]


def make_work(make_case, queue_news) -> None:
    """Capture jobs (two due, one later, one done), a liveness check for later, mail (three
    due, one later, one given up), one case overdue and one not."""
    now = utcnow()
    past, future = now - timedelta(minutes=1), now + timedelta(hours=1)
    db.session.add_all(
        [
            Job(kind=JobKind.CAPTURE, target="https://x.test/1", run_after=past),
            Job(kind=JobKind.CAPTURE, target="https://x.test/2", run_after=past),
            Job(kind=JobKind.CAPTURE, target="https://x.test/3", run_after=future),
            Job(kind=JobKind.LIVENESS, target="1", run_after=future),
            Job(kind=JobKind.CAPTURE, target="https://x.test/4", run_after=past, state="done"),
        ]
    )
    db.session.commit()
    for n in range(3):
        queue_news(to=f"warga{n}@example.test")
    waiting = db.session.get(OutboxMessage, queue_news(to="nanti@example.test"))
    waiting.next_attempt_at = future
    db.session.get(OutboxMessage, queue_news(to="gagal@example.test")).failed_at = now
    db.session.commit()
    late, on_time = make_case().id, make_case().id
    db.session.get(Case, late).due_at = now - timedelta(days=1)
    db.session.get(Case, on_time).due_at = now + timedelta(days=3)
    db.session.commit()


def test_no_worker_at_all_is_an_alert_in_both_languages(app, client, make_user, login_as):
    with app.app_context():
        silent_worker(minutes=7)
    login_as(client, make_user(role="admin", team=None))
    page = client.get(PAGE).text
    assert 'role="alert"' in page
    assert "Tidak ada pekerja latar yang terlihat selama 7 menit." in page
    client.post("/bahasa", data={"lang": "en"})
    page = client.get(PAGE).text
    assert "<h1>Background worker</h1>" in page
    assert "No worker has been seen for 7 minutes." in page
    assert "Until one runs, no email is sent" in page


def test_a_worker_that_stopped_cleanly_says_so(app, admin_client):
    worker = Worker(stop=threading.Event(), interval=2, escalate_every=300, backoff_max=60)
    worker.stop.set()
    with app.app_context():
        worker.run()  # stopped before its first pass: it records the stop all the same
    page = admin_client.get(PAGE).text
    assert "Tidak ada pekerja latar yang berjalan: yang terakhir berhenti pada" in page
    assert "Berhenti" in re.search(r'<tr class="worker-stopped">(.*?)</tr>', page, re.S)[1]
