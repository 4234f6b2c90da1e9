"""`flask backup create|verify|restore`: a portal with real content is backed up, checked and
restored into a new empty portal, where every report, case history and file is back; a changed,
missing or extra file or an edited manifest is named by `verify`; a crashed backup never looks
complete. Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_migrate import stamp

from portal import create_app
from portal.accounts.models import User
from portal.capture.models import Capture
from portal.cases.models import Case, CaseEvent, Status
from portal.cases.operations import add_note, assign_case
from portal.cases.workflow import change_status
from portal.db import db
from portal.evidence.storage import get_storage
from portal.intake.models import Report
from portal.worker.loop import run_pass
from tests.fixtures.images import png
from tests.fixtures.intake import code_on, post_report

pytest_plugins = ("tests.fixtures.capture",)

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL")
# PostgreSQL: the restore goes into a second database of the same server (scripts/services.sh).
PG_RESTORE_URL = PG_URL.rsplit("/", 1)[0] + "/portal_test_restore" if PG_URL else None


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def file_report(client, report_form, *, link: str, colors: list[tuple]) -> str:
    """A report through the real form (screenshots, a link); the tracking code on the receipt."""
    files = [(png(color=color), f"layar-{n}.png") for n, color in enumerate(colors)]
    response = post_report(client, report_form(files=files, links=link), follow=True)
    assert response.status_code == 200, response.text[:500]
    return code_on(response.text)


def work_case(app, case_id: int) -> None:
    """Triage, assign, investigate, note and resolve: five more events in the history."""
    with app.test_request_context(method="POST"), force_locale("en"):
        case = db.session.get(Case, case_id)
        officer = User(
            email="petugas@example.test",
            name="Petugas",
            password_hash="x",
            role="officer",
            team_id=case.team_id,
        )
        db.session.add(officer)
        db.session.flush()
        change_status(case=case, to=Status.TRIAGED, actor=officer)
        assign_case(case=case, assignee=officer, actor=officer)
        change_status(case=case, to=Status.INVESTIGATING, actor=officer)
        add_note(case=case, author=officer, body="Tangkapan layar cocok dengan unggahan.")
        change_status(
            case=case,
            to=Status.RESOLVED,
            actor=officer,
            outcome="substantiated",
            summary="Terbukti melanggar netralitas ASN.",
        )
        db.session.commit()


@pytest.fixture
def portal(app, client, report_form, post_server):
    """A portal with three reports in two cases (one worked through five status changes and a
    note), six screenshots, a captured link, and a migrated schema revision."""
    app.config.update(CAPTURE_ALLOW_PRIVATE=True, CAPTURE_SCREENSHOT=False, CAPTURE_TIMEOUT=5)
    codes = [
        file_report(client, report_form, link=post_server.url, colors=[(200, 0, 0), (0, 200, 0)]),
        file_report(client, report_form, link=post_server.url, colors=[(0, 0, 200), (9, 9, 9)]),
        file_report(client, report_form, link="", colors=[(90, 90, 0), (0, 90, 90)]),
    ]
    with app.app_context():
        stamp()  # as `flask db upgrade` leaves it: the manifest records the revision
        case_id = db.session.scalar(sa.select(Report.case_id).order_by(Report.id))
    work_case(app, case_id)
    with app.app_context():
        assert run_pass(owner="test-worker").captured == 1
    app.codes = codes
    yield app
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def contents(app) -> dict:
    """What a user or operator would miss: reports, cases, histories, captures, files."""
    with app.app_context():
        storage = get_storage()
        keys = sorted(key for key, _ in storage.iter_keys())
        return {
            "reports": db.session.execute(
                sa.select(Report.id, Report.description, Report.case_id).order_by(Report.id)
            ).all(),
            "cases": db.session.execute(
                sa.select(Case.reference, Case.status, Case.outcome).order_by(Case.id)
            ).all(),
            "events": db.session.execute(
                sa.select(
                    CaseEvent.case_id, CaseEvent.seq, CaseEvent.kind, CaseEvent.hash
                ).order_by(CaseEvent.case_id, CaseEvent.seq)
            ).all(),
            "captures": db.session.execute(
                sa.select(Capture.url_canonical, Capture.html_sha256)
            ).all(),
            "files": {key: storage.get(key) for key in keys},
        }


def empty_portal(tmp_path: Path, **overrides):
    """A new instance: its own database (a folder that does not exist yet) and upload folder."""
    if PG_RESTORE_URL:
        engine = sa.create_engine(PG_RESTORE_URL)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",  # the same key: the tracking codes keep working
        "SQLALCHEMY_DATABASE_URI": PG_RESTORE_URL
        or f"sqlite:///{tmp_path / 'instance-2' / 'portal.sqlite3'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads-2"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SUPPRESS_SEND": True,
        **overrides,
    }
    return create_app(config)


@pytest.fixture
def new_portal(tmp_path):
    apps = []

    def make(**overrides):
        apps.append(empty_portal(tmp_path, **overrides))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_backup_verify_and_restore_into_a_new_empty_portal(portal, new_portal, tmp_path):
    before = contents(portal)
    assert len(before["reports"]) == 3 and len(before["cases"]) == 2
    assert before["cases"][0].status == "resolved" and len(before["events"]) >= 10
    assert len(before["files"]) == 6 * 3 + 2  # sealed, clean, thumb; captured HTML and headers

    made = cli(portal, "backup", "create", str(tmp_path / "backup"))
    assert made.exit_code == 0, made.output
    assert "OK: backup written to" in made.output and "20 files" in made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    with portal.app_context():
        from portal.backup.queries import migration_scripts

        assert manifest["schema_revision"] == migration_scripts().get_current_head()
    assert {entry["key"] for entry in manifest["files"]} == set(before["files"])
    checked = cli(portal, "backup", "verify", str(tmp_path / "backup"))
    assert checked.exit_code == 0 and "every SHA-256 matches" in checked.output

    (tmp_path / "instance-2").mkdir()  # set up the way an operator would: migrated, empty
    target = new_portal()
    assert cli(target, "db", "upgrade").exit_code == 0
    restored = cli(target, "backup", "restore", str(tmp_path / "backup"))
    assert restored.exit_code == 0, restored.output
    assert "OK: restored the database and 20 files" in restored.output

    after = contents(target)
    assert after == before  # every report, case, event (hash included) and byte of every file
    audit = cli(target, "audit", "verify")
    assert audit.exit_code == 0, audit.output
    assert f"OK: 2 cases, {len(before['events'])} events intact" in audit.output
    visitor = target.test_client()  # the resident's code opens the restored report
    assert visitor.post("/lacak", data={"code": portal.codes[0]}).status_code == 303
    page = visitor.get("/lacak/status")
    assert page.status_code == 200 and page.text.count('src="/bukti/') == 2
    thumb = page.text.split('src="/bukti/', 1)[1].split('"', 1)[0]
    assert visitor.get("/bukti/" + thumb).status_code == 200


def test_restore_refuses_a_portal_that_holds_reports_unless_forced(portal, new_portal, tmp_path):
    assert cli(portal, "backup", "create", str(tmp_path / "backup")).exit_code == 0
    target = new_portal()
    assert cli(target, "backup", "restore", str(tmp_path / "backup")).exit_code == 0
    again = cli(target, "backup", "restore", str(tmp_path / "backup"))
    assert again.exit_code == 1
    assert "already holds 3 reports and 2 cases" in again.output and "--force" in again.output
    forced = cli(target, "backup", "restore", "--force", str(tmp_path / "backup"))
    assert forced.exit_code == 0, forced.output
    assert contents(target) == contents(portal)


def test_create_refuses_a_folder_that_is_not_empty_and_accepts_an_empty_one(portal, tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("keep me")
    refused = cli(portal, "backup", "create", str(busy))
    assert refused.exit_code == 1 and "exists and is not an empty folder" in refused.output
    assert sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli(portal, "backup", "create", str(empty)).exit_code == 0
    assert cli(portal, "backup", "verify", str(empty)).exit_code == 0
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []


# Tampering -----------------------------------------------------------------------------------


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _rewrite(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def tamper_changed_byte(folder: Path) -> str:
    key = _manifest(folder)["files"][0]["key"]
    _flip_byte(folder / "files" / key)
    return f"files/{key}: SHA-256 does not match the manifest"


def tamper_missing_file(folder: Path) -> str:
    key = _manifest(folder)["files"][-1]["key"]
    (folder / "files" / key).unlink()
    return f"files/{key}: missing"


def tamper_extra_file(folder: Path) -> str:
    (folder / "files" / "sealed" / "zz").mkdir(parents=True)
    (folder / "files" / "sealed" / "zz" / "planted").write_bytes(b"not from the portal")
    return "files/sealed/zz/planted: not listed in the manifest"


def tamper_manifest_hash(folder: Path) -> str:
    manifest = _manifest(folder)
    entry = manifest["files"][2]
    entry["sha256"] = "0" * 64
    _rewrite(folder, manifest)
    return f"files/{entry['key']}: SHA-256 does not match the manifest"


def tamper_manifest_size(folder: Path) -> str:
    manifest = _manifest(folder)
    entry = manifest["files"][1]
    entry["size"] += 1
    _rewrite(folder, manifest)
    return f"files/{entry['key']}: {entry['size'] - 1} bytes, the manifest says {entry['size']}"


def tamper_manifest_entry_removed(folder: Path) -> str:
    manifest = _manifest(folder)
    entry = manifest["files"].pop(3)
    _rewrite(folder, manifest)
    return f"files/{entry['key']}: not listed in the manifest"


def tamper_database(folder: Path) -> str:
    name = _manifest(folder)["database"]["path"]
    _flip_byte(folder / name)
    return f"{name}: SHA-256 does not match the manifest"


def tamper_manifest_missing(folder: Path) -> str:
    (folder / "manifest.json").unlink()
    return "manifest.json: missing (not a finished backup)"


def tamper_manifest_garbled(folder: Path) -> str:
    (folder / "manifest.json").write_text('{"format": "portal-aduan-warga-backup/1", "files": [')
    return "manifest.json: unreadable"


def tamper_manifest_escapes(folder: Path) -> str:
    manifest = _manifest(folder)
    manifest["files"][0]["key"] = "../../etc/passwd"
    _rewrite(folder, manifest)
    return "manifest.json: invalid file name '../../etc/passwd'"


TAMPERING = [
    tamper_changed_byte,
    tamper_missing_file,
    tamper_extra_file,
    tamper_manifest_hash,
    tamper_manifest_size,
    tamper_manifest_entry_removed,
    tamper_database,
    tamper_manifest_missing,
    tamper_manifest_garbled,
    tamper_manifest_escapes,
]


@pytest.mark.parametrize("tamper", TAMPERING, ids=lambda f: f.__name__.removeprefix("tamper_"))
def test_verify_names_the_first_problem_and_restore_refuses(
    tamper, app, client, report_form, new_portal, tmp_path
):
    file_report(client, report_form, link="", colors=[(1, 2, 3), (4, 5, 6)])
    folder = tmp_path / "backup"
    assert cli(app, "backup", "create", str(folder)).exit_code == 0
    expected = tamper(folder)
    checked = cli(app, "backup", "verify", str(folder))
    assert checked.exit_code == 1
    assert f"FAILED: {expected}" in checked.output
    target = new_portal()
    refused = cli(target, "backup", "restore", str(folder))
    assert refused.exit_code == 1 and expected in refused.output
    with target.app_context():
        assert list(get_storage().iter_keys()) == []  # nothing was put back


@pytest.mark.skipif(bool(PG_URL), reason="the file references are read from a SQLite copy")
def test_a_file_gone_from_both_folder_and_manifest_is_still_named(
    app, client, report_form, tmp_path
):
    file_report(client, report_form, link="", colors=[(7, 7, 7)])
    folder = tmp_path / "backup"
    assert cli(app, "backup", "create", str(folder)).exit_code == 0
    manifest = _manifest(folder)
    entry = next(e for e in manifest["files"] if e["key"].startswith("sealed/"))
    manifest["files"].remove(entry)
    _rewrite(folder, manifest)
    (folder / "files" / entry["key"]).unlink()
    checked = cli(app, "backup", "verify", str(folder))
    assert checked.exit_code == 1
    assert f"database.sqlite3 refers to files/{entry['key']}, which is not in the backup" in (
        checked.output
    )


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's own locking")
def test_restore_refuses_a_database_the_running_portal_holds_open(
    app, client, report_form, new_portal, tmp_path
):
    file_report(client, report_form, link="", colors=[(3, 3, 3)])
    assert cli(app, "backup", "create", str(tmp_path / "backup")).exit_code == 0
    (tmp_path / "instance-2").mkdir()
    target = new_portal(SQLITE_BUSY_TIMEOUT_MS=100)
    assert cli(target, "db", "upgrade").exit_code == 0
    running = sqlite3.connect(tmp_path / "instance-2" / "portal.sqlite3")  # the portal, serving
    try:
        running.execute("SELECT count(*) FROM report").fetchone()
        refused = cli(target, "backup", "restore", str(tmp_path / "backup"))
    finally:
        running.close()
    assert refused.exit_code == 1
    assert "stop the portal and its worker first" in refused.output
    assert cli(target, "backup", "restore", str(tmp_path / "backup")).exit_code == 0


# A crash in the middle -----------------------------------------------------------------------


def test_a_backup_killed_half_way_never_looks_complete(app, client, report_form, tmp_path):
    file_report(client, report_form, link="", colors=[(5, 5, 5), (6, 6, 6)])
    uploads = Path(app.config["UPLOAD_FOLDER"])
    # A stored file whose read never ends (a hung disk or network share): the backup stops on
    # it after the database and the other files are copied, and is killed there.
    (uploads / "thumb" / "zz").mkdir(parents=True)
    hung = uploads / "thumb" / "zz" / "hung.webp"
    os.mkfifo(hung)
    folder = tmp_path / "backup"
    env = {
        **os.environ,
        "PORTAL_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_UPLOAD_FOLDER": str(uploads),
        "PORTAL_SECRET_KEY": "test-secret",
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    flask = Path(sys.executable).with_name("flask")
    log = tmp_path / "backup.log"
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(  # noqa: S603
            [str(flask), "--app", "app", "backup", "create", str(folder)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        end = time.monotonic() + 60
        while not list(tmp_path.glob(".backup.partial-*/files/sealed")):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < end, f"the backup never reached the files:\n{log.read_text()}"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    partial = next(tmp_path.glob(".backup.partial-*"))
    assert not (partial / "manifest.json").exists()
    assert not folder.exists()
    checked = cli(app, "backup", "verify", str(folder))
    assert checked.exit_code == 1 and "manifest.json: missing" in checked.output

    hung.unlink()
    shutil.rmtree(partial)  # what an operator does with a crashed attempt (README, Backups)
    assert cli(app, "backup", "create", str(folder)).exit_code == 0
    assert cli(app, "backup", "verify", str(folder)).exit_code == 0


# S3: files come back into another storage backend ---------------------------------------------


S3 = {
    "S3_ENDPOINT_URL": os.environ.get("TEST_S3_ENDPOINT", "http://127.0.0.1:8333"),
    "S3_BUCKET": os.environ.get("TEST_S3_BUCKET", "portal-test"),
    "S3_ACCESS_KEY": os.environ.get("TEST_S3_ACCESS_KEY", "portal"),
    "S3_SECRET_KEY": os.environ.get("TEST_S3_SECRET_KEY", "portal-secret"),
}


@pytest.mark.s3
def test_restore_puts_the_files_into_s3_storage(portal, new_portal, tmp_path):
    try:
        urllib.request.urlopen(S3["S3_ENDPOINT_URL"], timeout=2)  # noqa: S310
    except urllib.error.HTTPError:
        pass  # any HTTP answer (403 for anonymous) means the server is there
    except OSError as err:
        pytest.skip(f"no S3 server at {S3['S3_ENDPOINT_URL']} ({err}); `make test` starts one")
    assert cli(portal, "backup", "create", str(tmp_path / "backup")).exit_code == 0
    target = new_portal(STORAGE_BACKEND="s3", S3_PREFIX=f"backup-test-{os.urandom(6).hex()}", **S3)
    restored = cli(target, "backup", "restore", str(tmp_path / "backup"))
    assert restored.exit_code == 0, restored.output
    assert contents(target) == contents(portal)
    with target.app_context():
        storage = get_storage()
        for key, _ in list(storage.iter_keys()):
            storage.delete(key)
