"""`flask worker` as a real process: killed mid-capture, restarted, the capture done once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from portal.capture.models import Capture, Job, JobKind, JobState
from portal.db import db

pytest_plugins = ("tests.fixtures.capture",)

ROOT = Path(__file__).resolve().parent.parent


def start_worker(app, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORTAL_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_SECRET_KEY": "test-secret",
        "PORTAL_UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "PORTAL_CAPTURE_ALLOW_PRIVATE": "true",
        "PORTAL_CAPTURE_SCREENSHOT": "false",
        "PORTAL_WORKER_LEASE_SECONDS": "2",
        "PORTAL_MAIL_SUPPRESS_SEND": "true",
    }
    flask = Path(sys.executable).with_name("flask")
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [
                str(flask),
                "--app",
                "tests.fixtures.capture:create_test_app",
                "worker",
                "--interval",
                "0.2",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(check, what: str, log: Path, seconds: float = 20) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text()}")


def job_and_captures(app) -> tuple[Job | None, int]:
    with app.app_context():
        job = db.session.scalar(sa.select(Job).where(Job.kind == JobKind.CAPTURE))
        if job is not None:
            db.session.expunge(job)
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Capture))
        db.session.rollback()
        return job, count


def test_a_worker_killed_mid_capture_leaves_the_job_to_its_successor(
    capture_app, link_report, make_case, post_server, tmp_path
):
    app = capture_app()
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    post_server.mode = "hang"  # the first fetch never gets an answer
    log = tmp_path / "worker.log"
    first = start_worker(app, log)
    try:
        wait_for(lambda: "/p/1" in post_server.requests, "the first worker's request", log)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    job, captures = job_and_captures(app)
    assert (job.state, job.attempts, captures) == (JobState.QUEUED, 1, 0)
    assert job.locked_until is not None  # the dead worker's lease is still on it

    post_server.mode = "post"
    second = start_worker(app, log)
    try:
        wait_for(lambda: job_and_captures(app)[1] == 1, "the capture", log, 30)
        wait_for(lambda: job_and_captures(app)[0].state == JobState.DONE, "the job to finish", log)
    finally:
        second.send_signal(signal.SIGTERM)
        code = second.wait(15)
    assert code == 0, log.read_text()  # SIGTERM ends the worker cleanly
    job, captures = job_and_captures(app)
    assert (job.state, job.attempts, captures) == (JobState.DONE, 2, 1)
    assert post_server.requests.count("/p/1") == 2
    with app.app_context():
        capture = db.session.scalar(sa.select(Capture))
        assert (capture.status_code, capture.error) == (200, None)
