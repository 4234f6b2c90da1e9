"""Rate limits across app servers: two apps (two processes, as two gunicorn processes or two
machines would be) count together through a real Redis, and each counts alone when it is down."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.fixtures.processes import ROOT, clean_env, free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL is unset (scripts/services.sh starts a Redis)"
)

# One app in its own process: N failed logins, their status codes on one line.
FAILED_LOGINS = """
import json, sys
from portal import create_app
client = create_app(json.loads(sys.argv[1])).test_client()
form = {"email": "nobody@example.test", "password": "not-the-password"}
print(" ".join(str(client.post("/petugas/masuk", data=form).status_code)
               for _ in range(int(sys.argv[2]))))
"""


@pytest.fixture
def login_app(make_app, tmp_path):
    """Settings for apps on one database whose login limit is 3 failures a minute."""
    make_app()  # creates the schema
    prefix = f"portal-test-{uuid.uuid4().hex}"

    def settings(storage: str) -> dict:
        return {
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "WTF_CSRF_ENABLED": False,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "RATELIMIT_STORAGE_URI": storage,
            "RATELIMIT_KEY_PREFIX": prefix,
        }

    return settings


def failed_logins(settings: dict, count: int) -> list[int]:
    """Run one app in a new process and return what its failed logins were answered."""
    done = subprocess.run(
        [sys.executable, "-c", FAILED_LOGINS, json.dumps(settings), str(count)],
        cwd=ROOT,
        env=clean_env(PORTAL_LOG_LEVEL="ERROR"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return [int(code) for code in done.stdout.split()]


@needs_redis
def test_logins_on_one_app_count_against_the_other(login_app):
    shared = login_app(REDIS_URL)
    assert failed_logins(shared, 3) == [200, 200, 200]  # app A: three wrong passwords
    assert failed_logins(shared, 1) == [429]  # app B: the fourth, from the same address


def test_without_a_shared_store_each_app_counts_alone(login_app):
    """Why production needs Redis: with memory:// app B has not seen A's failures."""
    alone = login_app("memory://")
    assert failed_logins(alone, 3) == [200, 200, 200]
    assert failed_logins(alone, 1) == [200]


def test_when_redis_is_down_logins_are_still_answered_and_limited(login_app):
    down = login_app(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    assert failed_logins(down, 4) == [200, 200, 200, 429]


# Redis clients connected: before the app is created, after, and after its first login POST.
CONNECTIONS = """
import json, sys
import redis
from portal import create_app
settings = json.loads(sys.argv[1])
watcher = redis.Redis.from_url(settings["RATELIMIT_STORAGE_URI"])
counts = [len(watcher.client_list())]
app = create_app(settings)
counts.append(len(watcher.client_list()))
app.test_client().post("/petugas/masuk", data={"email": "a@example.test", "password": "x"})
counts.append(len(watcher.client_list()))
print(" ".join(map(str, counts)))
"""


@needs_redis
def test_creating_the_app_opens_no_redis_connection(login_app):
    """gunicorn forks after loading the app (preload_app): a connection opened by then would
    be shared by every process. The first request opens one."""
    done = subprocess.run(
        [sys.executable, "-c", CONNECTIONS, json.dumps(login_app(REDIS_URL))],
        cwd=ROOT,
        env=clean_env(PORTAL_LOG_LEVEL="ERROR"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    before, created, used = map(int, done.stdout.split())
    assert created == before
    assert used == before + 1


# `make test` runs these in its SQLite pass: they make their own database and servers.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="runs in the SQLite pass"
)
