"""README's "Running it for real" works as written: scripts/production-smoke.sh follows it, the
systemd units pass `systemd-analyze verify`, and the portal imports nothing that
pyproject.toml does not declare (the redis package was missing once)."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest
import sqlalchemy as sa
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.fixtures.processes import ROOT, clean_env, free_port, pids_in

REDIS_URL = os.environ.get("TEST_REDIS_URL")
PG_URL = os.environ.get("TEST_PG_URL")


def smoke_database() -> str | None:
    """The `portal_smoke` database of scripts/services.sh, emptied; None: SQLite."""
    if not PG_URL:
        return None
    url = sa.engine.make_url(PG_URL).set(database="portal_smoke")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is unset (scripts/services.sh)")
@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="runs once, in the SQLite pass (it uses TEST_PG_URL itself)",
)
def test_the_production_recipe_starts_as_written(tmp_path):
    env = clean_env(SMOKE_DIR=str(tmp_path), SMOKE_REDIS_URL=REDIS_URL, SMOKE_PORT=str(free_port()))
    database = smoke_database()
    if database:
        env["SMOKE_DATABASE_URL"] = database
    if os.environ.get("TEST_S3_ENDPOINT"):
        for name in ("ENDPOINT", "BUCKET", "ACCESS_KEY", "SECRET_KEY"):
            env[f"SMOKE_S3_{name}"] = os.environ[f"TEST_S3_{name}"]
    done = subprocess.run(
        ["bash", "scripts/production-smoke.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        start_new_session=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "POST /petugas/masuk as the admin: 303" in done.stdout
    assert "the production recipe works" in done.stdout
    assert not pids_in(tmp_path / "srv" / "portal-aduan")


def test_readme_shows_the_settings_file_as_shipped():
    readme = (ROOT / "README.md").read_text()
    production = readme[readme.index("## Running it for real") :]
    shown = re.search(r"```ini\n(.*?)\n```", production, re.S).group(1)
    example = (ROOT / "deploy" / "portal.env.example").read_text().splitlines()
    assert shown.splitlines() == [line for line in example if line and line[0] != "#"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_the_systemd_units_verify(tmp_path):
    """The units, with this checkout as /srv/portal-aduan, have no unknown or broken lines."""
    units = []
    for unit in sorted((ROOT / "deploy" / "systemd").iterdir()):
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace("/srv/portal-aduan", str(ROOT)))
        units.append(str(copy))
    done = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and not done.stdout + done.stderr, done.stdout + done.stderr
    assert len(units) == 8


def runtime_closure() -> set[str]:
    """The distributions pyproject.toml's dependencies pull in, extras included."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = [(Requirement(line), "") for line in declared]
    seen: set[tuple[str, str]] = set()
    names: set[str] = set()
    while wanted:
        requirement, extra = wanted.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        for wanted_extra in {"", *requirement.extras}:
            if (name, wanted_extra) in seen:
                continue
            seen.add((name, wanted_extra))
            names.add(name)
            wanted += [(Requirement(r), wanted_extra) for r in metadata.requires(name) or []]
    return names


# The app with production settings, where only declared distributions can be imported (others
# raise ModuleNotFoundError, as if not installed): a few requests, their status codes.
DECLARED_ONLY = """
import json, sys
settings, hidden = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in hidden:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NotInstalled())
from portal import create_app
client = create_app(settings).test_client()
codes = [client.get(path).status_code
         for path in ("/healthz", "/lapor", "/lacak", "/transparansi", "/data", "/petugas/masuk")]
codes.append(client.post("/petugas/masuk", data={"email": "a@b.test", "password": "x"}).status_code)
print(json.dumps({"codes": codes, "redis": "redis" in sys.modules}))
"""


def test_the_portal_runs_on_its_declared_dependencies_alone(make_app, tmp_path):
    make_app()  # the schema
    allowed = runtime_closure() | {"portal-aduan-warga"}
    hidden = [
        module
        for module, dists in metadata.packages_distributions().items()
        if module not in sys.stdlib_module_names
        and not {canonicalize_name(d) for d in dists} & allowed
    ]
    assert "pytest" in hidden  # test-only packages are hidden
    settings = {
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0",  # down: the fallback
    }
    done = subprocess.run(
        [sys.executable, "-c", DECLARED_ONLY, json.dumps(settings), json.dumps(hidden)],
        cwd=ROOT,
        env=clean_env(PORTAL_LOG_LEVEL="ERROR"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result == {"codes": [200, 200, 200, 200, 200, 200, 200], "redis": True}


# `make test` runs these in its SQLite pass: they make their own database and servers.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="runs in the SQLite pass"
)
