"""The worker's loop outlives failures, even failures while a failure is being handled."""

import sqlite3
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.notify.models import OutboxMessage
from portal.worker import loop, runner
from portal.worker.loop import PassStats, describe_error, run_pass
from portal.worker.models import WorkerHeartbeat
from portal.worker.runner import Worker, backoff_delay


class Pauses(threading.Event):
    """The loop's stop event: records each pause instead of sleeping; set after `passes`."""

    def __init__(self, passes: int) -> None:
        super().__init__()
        self.passes = passes
        self.pauses: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.pauses.append(timeout)
        if len(self.pauses) >= self.passes:
            self.set()
        return self.is_set()


def locked() -> sa.exc.OperationalError:
    return sa.exc.OperationalError(
        "UPDATE outbox_message SET sent_at=? WHERE id = ?",
        ("2026-01-01", 7),
        sqlite3.OperationalError("database is locked"),
    )


def test_back_off_doubles_from_one_second_to_the_cap_and_resets():
    delays = [backoff_delay(n, interval=0.5, cap=60) for n in range(0, 10)]
    assert delays == [0.5, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert backoff_delay(3, interval=10, cap=60) == 10  # never shorter than the interval
    assert backoff_delay(10_000, interval=2, cap=60) == 60


def test_a_step_whose_rollback_fails_too_is_noted_and_the_pass_goes_on(
    mail_app, queue_news, monkeypatch
):
    """The escalation step fails, and the rollback in its error handling fails as well: the
    pass still sends the mail and reports the error instead of raising it."""
    with mail_app.app_context():
        queue_news(to="siti@example.test")

    broken = []

    def escalation_breaks(**_kwargs):
        broken.append(True)
        raise RuntimeError("escalation broke")

    def rollback_breaks():
        if not broken:  # the steps before escalation (retention ends its read) roll back fine
            return real_rollback()
        raise sa.exc.OperationalError("ROLLBACK", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(loop, "escalate_overdue", escalation_breaks)
    with mail_app.app_context():
        real_rollback = db.session.rollback
        monkeypatch.setattr(db.session, "rollback", rollback_breaks)
        stats = run_pass(owner="test-worker", escalate=True)
        monkeypatch.undo()
    assert stats.mailed == 1
    assert stats.errors == ["escalate: OperationalError: disk I/O error"]
    assert [rcpt for e in mail_app.inbox.envelopes for rcpt in e.rcpt_tos] == ["siti@example.test"]


def test_the_loop_carries_on_through_failed_passes_heartbeats_and_clean_ups(app_ctx, monkeypatch):
    """Three passes raise, the heartbeat table is missing, dropping the session fails once:
    the loop backs off 1, 2, 4 s, comes back to its interval after a clean pass, and ends
    only when stopped, with the heartbeat telling the story."""
    WorkerHeartbeat.__table__.drop(db.engine)
    calls = []

    def flaky_pass(**kwargs) -> PassStats:
        calls.append(kwargs)
        if len(calls) == 3:
            WorkerHeartbeat.__table__.create(db.engine)  # the heartbeat can be written again
        if len(calls) <= 3:
            raise locked()
        return PassStats()

    real_remove, removals = db.session.remove, []

    def remove_fails_once() -> None:
        removals.append(1)
        if len(removals) == 1:
            raise sa.exc.OperationalError("ROLLBACK", {}, sqlite3.OperationalError("gone"))
        real_remove()

    monkeypatch.setattr(runner, "run_pass", flaky_pass)
    monkeypatch.setattr(db.session, "remove", remove_fails_once)
    stop = Pauses(passes=5)
    worker = Worker(stop=stop, interval=0.5, escalate_every=300, backoff_max=60)
    worker.run()
    monkeypatch.undo()

    assert len(calls) == 5
    assert stop.pauses == [1, 2, 4, 0.5, 0.5]
    beat = db.session.scalar(sa.select(WorkerHeartbeat))
    assert (beat.passes, beat.failures) == (5, 0)
    assert beat.last_error == "pass: OperationalError: database is locked"
    assert beat.last_error_at is not None and beat.stopped_at is not None


def test_a_failed_escalation_is_tried_again_on_the_next_pass(app_ctx, monkeypatch):
    escalations = []

    def fake_pass(*, escalate: bool, **_kwargs) -> PassStats:
        escalations.append(escalate)
        return PassStats(errors=["escalate: OperationalError: database is locked"] * escalate)

    monkeypatch.setattr(runner, "run_pass", fake_pass)
    worker = Worker(stop=Pauses(passes=3), interval=0.5, escalate_every=300, backoff_max=60)
    worker.run()
    assert escalations == [True, True, True]


def test_only_the_stop_event_ends_the_loop_even_when_a_whole_iteration_breaks(app_ctx, monkeypatch):
    """Something outside every guard raises (here: the clock): the loop logs and backs off."""
    stop = Pauses(passes=3)
    worker = Worker(stop=stop, interval=0.5, escalate_every=300, backoff_max=60)
    broken = iter([RuntimeError("clock"), RuntimeError("clock")])

    def run_once() -> float:
        error = next(broken, None)
        if error:
            raise error
        return 0.5

    monkeypatch.setattr(worker, "run_once", run_once)
    worker.run()
    assert stop.pauses == [1, 2, 0.5]


def test_errors_for_admins_carry_no_sql_parameters_or_addresses(app_ctx, make_user):
    user = make_user(email="rahmat.hidayat@example.test")
    db.session.add(User(email=user.email, name="copy", password_hash="x", role="officer"))
    with pytest.raises(sa.exc.IntegrityError) as caught:
        db.session.flush()
    db.session.rollback()
    text = describe_error(caught.value)
    assert text.startswith("IntegrityError: UNIQUE constraint failed") or "duplicate key" in text
    assert "rahmat" not in text and "INSERT" not in text
    assert describe_error(ValueError("refused for budi@example.test\nline two")) == (
        "ValueError: refused for ***@***"
    )


def test_mail_handed_over_while_the_database_was_locked_is_recorded_not_resent(
    mail_app, queue_news
):
    """The unit that records a delivery fails: the message is remembered and recorded first on
    the next pass, and is never sent again (even after its lease ran out)."""
    from portal.notify.operations import Delivered, send_pending

    with mail_app.app_context():
        message_id = queue_news(to="warga@example.test")
    delivered = [Delivered(message_id, utcnow() - timedelta(seconds=5))]
    with mail_app.app_context():
        send_pending(delivered=delivered, now=utcnow() + timedelta(hours=1))
        message = db.session.get(OutboxMessage, message_id)
        assert message.sent_at is not None
    assert delivered == [] and mail_app.inbox.envelopes == []
