"""Captures and liveness checks by the worker, against a real local server."""

from datetime import timedelta

import sqlalchemy as sa

from portal.capture.models import Capture, Job, JobKind, JobState, LivenessCheck
from portal.capture.views import capture_section
from portal.db import db, utcnow
from portal.evidence.models import Link
from portal.intake.models import Report
from portal.worker.loop import run_pass

pytest_plugins = ("tests.fixtures.capture",)


def work(app) -> object:
    with app.app_context():
        return run_pass(owner="test-worker")


def make_due(app, capture_id: int, *, reported_hours_ago: float | None = None) -> None:
    """Pretend time has passed: the liveness job is due (and the reports were filed earlier)."""
    with app.app_context():
        job = db.session.scalar(
            sa.select(Job).where(Job.kind == JobKind.LIVENESS, Job.target == str(capture_id))
        )
        job.run_after = utcnow() - timedelta(seconds=1)
        for report in db.session.scalars(sa.select(Report)) if reported_hours_ago else ():
            report.created_at = utcnow() - timedelta(hours=reported_hours_ago)
        db.session.commit()


def capture_row(app, url: str) -> Capture:
    with app.app_context():
        capture = db.session.scalar(sa.select(Capture).where(Capture.url_canonical == url))
        db.session.expunge(capture)
        return capture


def test_a_reported_link_is_captured_once_and_shared_by_reports(
    capture_app, link_report, make_case, post_server
):
    app = capture_app()
    first, second = make_case(), make_case()
    link_report(app, first.report_ids[0], post_server.url)
    stats = work(app)
    assert (stats.queued, stats.captured) == (1, 1)
    link_report(app, second.report_ids[0], post_server.url + "#fragment")
    assert (work(app).captured, len(post_server.requests)) == (0, 1)
    capture = capture_row(app, post_server.url)
    assert (capture.status_code, capture.error, capture.liveness) == (200, None, "live")
    import hashlib

    assert capture.html_sha256 == hashlib.sha256(post_server.html).hexdigest()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Capture)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Link)) == 2
        from portal.evidence.storage import get_storage

        assert get_storage().get(capture.html_key) == post_server.html


def test_a_refused_address_is_recorded_as_the_reason(
    capture_app, link_report, make_case, post_server
):
    app = capture_app(CAPTURE_ALLOW_PRIVATE=False)
    app.config["CAPTURE_ALLOWED_PORTS"] = (80, 443, post_server.port)  # only the address fails
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    work(app)
    capture = capture_row(app, post_server.url)
    assert (capture.error, capture.status_code, capture.html_key) == ("blocked_address", None, None)
    assert post_server.requests == []


def test_removal_change_login_wall_and_return_are_recorded(
    capture_app, link_report, make_case, post_server
):
    app = capture_app()
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    work(app)
    capture = capture_row(app, post_server.url)
    seen = []
    for n, mode in enumerate(("post", "removed", "removed", "changed", "login", "post")):
        post_server.mode = mode
        make_due(app, capture.id, reported_hours_ago=5 if n == 1 else None)
        assert work(app).checked == 1
        seen.append(capture_row(app, post_server.url).liveness)
    # a login wall says nothing about the post: recorded as such, it moves no state
    assert seen == ["live", "removed", "removed", "changed", "changed", "live"]
    with app.app_context():
        checks = db.session.scalars(sa.select(LivenessCheck).order_by(LivenessCheck.id)).all()
        assert [c.is_change for c in checks] == [False, True, False, True, False, True]
        assert checks[4].state == "login_wall"
        assert [c.status_code for c in checks][:3] == [200, 404, 404]
        job = db.session.scalar(sa.select(Job).where(Job.kind == JobKind.LIVENESS))
        assert job.state == JobState.QUEUED and job.run_after > utcnow()
    removed = capture_row(app, post_server.url)
    assert removed.removed_at is not None
    page = render_section(app, made.id)
    assert "Post removed 5 hours after the first report." in page, page


def render_section(app, case_id: int) -> str:
    from flask import render_template_string

    from portal.cases.models import Case

    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        case = db.session.get(Case, case_id)
        return render_template_string(
            "{% include section.template %}", case=case, section=capture_section(case, None)
        )


def test_liveness_schedule_is_dense_at_first_then_daily(capture_app):
    app = capture_app()
    from portal.capture.operations import next_check_at

    with app.app_context():
        start = utcnow()
        hours = []
        moment = start
        while (moment := next_check_at(start, moment)) is not None:
            hours.append(round((moment - start).total_seconds() / 3600))
    assert hours[:6] == [1, 3, 6, 12, 24, 48]
    assert hours[-1] == 30 * 24 and len(hours) == 5 + 29


def test_a_job_whose_worker_died_is_retried_after_its_lease(
    capture_app, link_report, make_case, post_server
):
    app = capture_app(WORKER_LEASE_SECONDS=60)
    from portal.capture.jobs import claim_job, run_job

    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    with app.app_context():
        from portal.capture.operations import enqueue_new_links

        enqueue_new_links()
        db.session.commit()
        assert claim_job("dead-worker", utcnow()) is not None  # claimed, then "killed"
        assert claim_job("other", utcnow()) is None  # leased: nobody else takes it
        claimed = claim_job("other", utcnow() + timedelta(seconds=61))
        assert claimed is not None
        assert run_job(claimed) == "captured"
        job = db.session.get(Job, claimed.id)
        assert (job.state, job.attempts) == (JobState.DONE, 2)


def test_an_unreachable_site_is_retried_before_the_failure_is_recorded(
    capture_app, link_report, make_case
):
    from tests.conftest import free_port

    app = capture_app(WORKER_MAX_ATTEMPTS=2, WORKER_RETRY_SECONDS=600)
    url = f"http://127.0.0.1:{free_port()}/p/1"  # nothing listens there
    link_report(app, make_case().report_ids[0], url)
    assert work(app).failed == 1  # first try: the job waits for another
    with app.app_context():
        job = db.session.scalar(sa.select(Job).where(Job.kind == JobKind.CAPTURE))
        assert (job.state, job.attempts, job.last_error) == (
            JobState.QUEUED,
            1,
            "TransientFetchError: connection",
        )
        assert job.run_after > utcnow() + timedelta(minutes=9)  # back-off
        assert db.session.scalar(sa.select(Capture)) is None
        job.run_after = utcnow()
        db.session.commit()
    assert work(app).captured == 1  # last try: the failure is recorded as the capture
    with app.app_context():
        capture = db.session.scalar(sa.select(Capture))
        assert (capture.error, capture.status_code) == ("connection", None)


def test_two_workers_never_claim_the_same_job(capture_app, link_report, make_case):
    import threading

    from portal.capture.jobs import claim_job
    from portal.capture.operations import enqueue_new_links

    app = capture_app()
    made = make_case()
    for n in range(8):
        link_report(app, made.report_ids[0], f"http://127.0.0.1:9/post/{n}")
    with app.app_context():
        enqueue_new_links()
        db.session.commit()
    claimed: dict[str, list[int]] = {"a": [], "b": []}

    def claim_all(name: str) -> None:
        with app.app_context():
            while (job := claim_job(name, utcnow())) is not None:
                claimed[name].append(job.id)
            db.session.remove()

    threads = [threading.Thread(target=claim_all, args=(name,)) for name in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(claimed["a"] + claimed["b"]) == list(range(1, 9))


def test_sweep_deletes_only_unreferenced_capture_files(
    capture_app, link_report, make_case, post_server
):
    from portal.capture.operations import capture_key
    from portal.evidence.storage import get_storage

    app = capture_app()
    link_report(app, make_case().report_ids[0], post_server.url)
    work(app)
    capture = capture_row(app, post_server.url)
    with app.app_context():
        orphan = capture_key("ab" * 32, "png")  # as a worker killed before its commit leaves
        get_storage().put(orphan, b"\x89PNG orphan", "image/png")
    runner = app.test_cli_runner()
    assert "deleted 0" in runner.invoke(args=["capture", "sweep"]).output  # too young
    result = runner.invoke(args=["capture", "sweep", "--grace-minutes", "0"])
    assert "Checked 3 capture files: deleted 1 unreferenced." in result.output
    with app.app_context():
        storage = get_storage()
        assert not storage.exists(orphan)
        assert storage.get(capture.html_key) == post_server.html
