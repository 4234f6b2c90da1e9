"""`make run` as an operator sees it: scripts/run.sh in a fresh project folder serves with
gunicorn (deploy/gunicorn.conf.py), cuts off a body sent a byte a second, starts the worker
again when it dies, and leaves nothing running after Ctrl+C."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.db import db
from tests.fixtures.processes import (
    clean_env,
    cmdline,
    free_port,
    is_running,
    kill_group,
    pids_in,
    project_copy,
    wait_for,
)

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="`make run` serves SQLite; this runs in the SQLite pass only",
)

BODY_TIMEOUT = 5  # PORTAL_GUNICORN_TIMEOUT for this test; the default is 60
STARTED = re.compile(r"supervise: worker started \(pid (\d+)\)")


@dataclass
class Served:
    project: Path
    port: int
    process: subprocess.Popen
    output: Path

    def log(self, name: str) -> Path:
        return self.project / "instance" / name

    def get(self, path: str) -> int:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{self.port}{path}", timeout=30) as answer:
            return answer.status


def flask(project: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [".venv/bin/flask", "--app", "app", *args], cwd=project, env=env, check=True, timeout=300
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """run.sh started the way `make run` starts it (with DEMO=0), in a fresh project folder."""
    project = project_copy(tmp_path_factory.mktemp("run"))
    config = subprocess.run(
        [sys.executable, "scripts/make-instance-config.py"], cwd=project, capture_output=True
    )
    (project / "instance" / "config.py").write_bytes(config.stdout)
    env = clean_env(
        PORTAL_LOG_LEVEL="WARNING",
        PORTAL_UPLOAD_FOLDER=str(project / "uploads"),
        PORTAL_GUNICORN_TIMEOUT=str(BODY_TIMEOUT),
        PORTAL_GUNICORN_WORKERS="2",
        MAIL_SINK_PORT=str(free_port()),
    )
    flask(project, env, "db", "upgrade")
    flask(project, env, "reference", "load")
    port = free_port()
    output = project / "run-output.txt"
    with output.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "scripts/run.sh", "127.0.0.1", str(port)],
            cwd=project,
            env={**env, "PORTAL_LOG_LEVEL": "INFO"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's job
        )
    run = Served(project, port, process, output)
    try:
        wait_for(lambda: "Stop with Ctrl+C" in output.read_text(), "the address block", 240, output)
        yield run
    finally:
        if process.poll() is None:
            kill_group(process)


def test_it_prints_where_to_go_once_the_server_answers(served):
    text = served.output.read_text()
    assert text.count(f"http://127.0.0.1:{served.port}/lapor") == 1
    assert "Rate limits are shared by the server processes through Redis" in text
    assert served.get("/healthz") == 200
    assert "gunicorn" in served.log("web.log").read_text()


def test_a_body_sent_a_byte_a_second_is_cut_off(served):
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as conn:
        conn.sendall(
            b"POST /lapor HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
        )
        conn.settimeout(1)
        answer, end = None, time.monotonic() + 85  # the finding: still open after 91 s
        while answer is None and time.monotonic() < end:
            try:
                conn.send(b"a")
                answer = conn.recv(200)  # b"" when the server closed the connection
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                answer = b""
    assert answer is not None, "the upload was still open after 85 seconds"
    assert not answer.startswith((b"HTTP/1.1 2", b"HTTP/1.1 3"))
    assert "WORKER TIMEOUT" in served.log("web.log").read_text()
    assert served.get("/healthz") == 200  # the master started a new process in its place


def test_a_worker_that_dies_is_started_again(served):
    log = served.log("worker.log")
    first = int(wait_for(lambda: STARTED.findall(log.read_text()), "the worker", 60, log)[-1])
    assert "worker" in cmdline(first)
    os.kill(first, signal.SIGKILL)

    def successor() -> int | None:
        pids = [int(p) for p in STARTED.findall(log.read_text())]
        return pids[-1] if pids[-1] != first and is_running(pids[-1]) else None

    second = wait_for(successor, "a new worker", 60, log)
    assert "worker exited with status 137" in log.read_text()
    assert "flask --app app worker" in cmdline(second)


def test_ctrl_c_stops_everything_it_started(served):
    """Runs last: it stops the portal that the tests above share."""
    assert len(pids_in(served.project)) >= 5  # gunicorn, worker, Redis, mail sink, loops
    os.killpg(served.process.pid, signal.SIGINT)  # what Ctrl+C sends to the terminal's job
    served.process.wait(timeout=120)
    wait_for(lambda: not pids_in(served.project), "every process to stop", 60)
    assert not (served.project / "instance" / "redis.sock").exists()


def test_creating_the_app_opens_no_database_connection(tmp_path):
    """gunicorn forks its processes after loading the app (preload_app): no connection may be
    open by then, or the processes would share one."""
    app = create_app(
        {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    )
    with app.app_context():
        pool = db.engine.pool
        assert isinstance(pool, sa.pool.QueuePool)
        assert pool.checkedin() == 0 and pool.checkedout() == 0
        db.engine.dispose()
