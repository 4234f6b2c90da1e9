"""Storage backends, the storage guard and the sweep: nothing lost, nothing left behind."""

import os
import secrets
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.db import db, unit_of_work
from portal.evidence.images import ImageRejected
from portal.evidence.models import Evidence
from portal.evidence.operations import store_evidence, sweep
from portal.evidence.storage import (
    LocalStorage,
    StorageUnavailable,
    StoredFileMissing,
    get_storage,
)
from tests.fixtures.images import png

# Tests here that build no app need no database: the PostgreSQL pass leaves them out.
pytestmark = pytest.mark.nodb


def files_under(folder) -> list[str]:
    root = Path(folder)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def age(folder, key: str, minutes: int) -> None:
    """Pretend a stored file was written `minutes` ago."""
    path = Path(folder, key)
    then = time.time() - minutes * 60
    os.utime(path, (then, then))


# Local folder -------------------------------------------------------------------------------


def test_local_put_is_atomic_and_leaves_no_temporary_file(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("clean/ab/abc.png", b"first", "image/png")
    storage.put("clean/ab/abc.png", b"second", "image/png")
    assert storage.get("clean/ab/abc.png") == b"second"
    assert files_under(tmp_path) == ["clean/ab/abc.png"]
    assert [key for key, _ in storage.iter_keys()] == ["clean/ab/abc.png"]


def test_local_put_failing_midway_leaves_neither_file_nor_temporary(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(StorageUnavailable) as raised:  # a 503 naming the fault
        storage.put("sealed/cd/cdef", b"x" * 1000, "application/octet-stream")
    assert raised.value.fault.startswith("ENOSPC")
    assert files_under(tmp_path) == []


def test_local_storage_refuses_keys_that_leave_its_folder(tmp_path):
    storage = LocalStorage(tmp_path / "uploads")
    for key in ("../escape", "/etc/passwd", "a/../../b", "a//b", "a\\b", ""):
        with pytest.raises(ValueError):
            storage.put(key, b"x", "text/plain")


def test_local_get_delete_exists(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("thumb/00/k.webp", b"data", "image/webp")
    assert storage.exists("thumb/00/k.webp")
    storage.delete("thumb/00/k.webp")
    storage.delete("thumb/00/k.webp")  # missing is fine
    assert not storage.exists("thumb/00/k.webp")
    with pytest.raises(StoredFileMissing):
        storage.get("thumb/00/k.webp")


# Guard and sweep through the app --------------------------------------------------------------


def test_store_evidence_writes_sealed_clean_and_thumbnail(app_ctx, evidence_report):
    report = evidence_report()
    evidence = store_evidence(report=report, data=png(), filename="C:\\fakepath\\shot.png")
    db.session.commit()
    assert evidence.original_key.startswith("sealed/")
    assert evidence.original_key.endswith(evidence.sha256_original)
    assert evidence.clean_key.startswith("clean/") and evidence.thumb_key.startswith("thumb/")
    assert evidence.original_filename == "shot.png"
    assert get_storage().get(evidence.original_key) == png()
    folder = app_ctx.config["UPLOAD_FOLDER"]
    assert files_under(folder) == sorted(
        [evidence.original_key, evidence.clean_key, evidence.thumb_key]
    )


def test_a_failed_unit_of_work_removes_its_files(app_ctx, evidence_report):
    report = evidence_report()
    folder = app_ctx.config["UPLOAD_FOLDER"]
    with pytest.raises(ImageRejected), unit_of_work():
        store_evidence(report=report, data=png(color=(1, 2, 3)), filename="a.png")
        store_evidence(report=report, data=png(color=(4, 5, 6)), filename="b.png")
        store_evidence(report=report, data=b"<svg></svg>", filename="c.png")
    assert files_under(folder) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0


def test_a_failed_unit_never_removes_a_file_a_committed_row_references(app_ctx, evidence_report):
    report = evidence_report()
    with unit_of_work():
        kept = store_evidence(report=report, data=png(color=(9, 9, 9)), filename="a.png")
    keys = {kept.original_key, kept.clean_key, kept.thumb_key}

    # The same screenshot again (same content keys), then a crash before the commit.
    with pytest.raises(RuntimeError), unit_of_work():
        store_evidence(report=report, data=png(color=(9, 9, 9)), filename="again.png")
        store_evidence(report=report, data=png(color=(7, 7, 7)), filename="new.png")
        raise RuntimeError("crash between writing the files and committing")
    assert set(files_under(app_ctx.config["UPLOAD_FOLDER"])) == keys


def test_crash_leftovers_are_swept_after_the_grace_period(app_ctx, evidence_report):
    report = evidence_report()
    folder = app_ctx.config["UPLOAD_FOLDER"]
    kept = store_evidence(report=report, data=png(color=(1, 1, 1)), filename="kept.png")
    db.session.commit()
    # A crash with no guard: files written, the row never committed.
    store_evidence(report=report, data=png(color=(2, 2, 2)), filename="lost.png")
    db.session.rollback()
    storage = get_storage()
    storage.put("clean/ff/young-orphan.png", b"x", "image/png")
    Path(folder, "sealed/ee").mkdir(parents=True)
    Path(folder, "sealed/ee/crashed.tmp-0a1b2c").write_bytes(b"partial")  # killed mid-put
    Path(folder, ".gitkeep").write_bytes(b"")
    referenced = [kept.original_key, kept.clean_key, kept.thumb_key]
    for key in files_under(folder):
        if key not in ("clean/ff/young-orphan.png", ".gitkeep"):
            age(folder, key, 120)

    result = sweep(older_than=timedelta(hours=1))
    assert result.deleted == 4 and result.kept_young == 1 and result.kept_referenced == 3
    assert files_under(folder) == sorted([".gitkeep", "clean/ff/young-orphan.png", *referenced])


def test_sweep_command_reports_what_it_did(app, evidence_report):
    with app.app_context():
        report = evidence_report()
        store_evidence(report=report, data=png(color=(3, 3, 3)), filename="lost.png")
        db.session.rollback()
    result = app.test_cli_runner().invoke(args=["evidence", "sweep", "--grace-minutes", "0"])
    assert result.exit_code == 0, result.output
    assert "deleted 3" in result.output
    assert files_under(app.config["UPLOAD_FOLDER"]) == []


def test_verify_files_command_finds_a_missing_file(app, evidence_report):
    with app.app_context():
        evidence = store_evidence(report=evidence_report(), data=png(), filename="a.png")
        db.session.commit()
        clean_key = evidence.clean_key
    runner = app.test_cli_runner()
    assert runner.invoke(args=["evidence", "verify-files"]).exit_code == 0
    Path(app.config["UPLOAD_FOLDER"], clean_key).unlink()
    result = runner.invoke(args=["evidence", "verify-files"])
    assert result.exit_code == 1 and "missing" in result.output


# S3 (a real SeaweedFS server) -----------------------------------------------------------------

S3 = {
    "S3_ENDPOINT_URL": os.environ.get("TEST_S3_ENDPOINT", "http://127.0.0.1:8333"),
    "S3_BUCKET": os.environ.get("TEST_S3_BUCKET", "portal-test"),
    "S3_ACCESS_KEY": os.environ.get("TEST_S3_ACCESS_KEY", "portal"),
    "S3_SECRET_KEY": os.environ.get("TEST_S3_SECRET_KEY", "portal-secret"),
}


@pytest.fixture
def s3_app(make_app):
    """An app storing in the real S3 server, under a prefix of its own."""
    try:
        urllib.request.urlopen(S3["S3_ENDPOINT_URL"], timeout=2)  # noqa: S310
    except urllib.error.HTTPError:
        pass  # any HTTP answer (403 for anonymous) means the server is there
    except OSError as err:
        pytest.skip(f"no S3 server at {S3['S3_ENDPOINT_URL']} ({err}); `make test` starts one")
    app = make_app(STORAGE_BACKEND="s3", S3_PREFIX=f"test-{secrets.token_hex(6)}", **S3)
    with app.app_context():
        from portal.reference.operations import load_reference_data

        load_reference_data()
        db.session.commit()
    yield app
    with app.app_context():
        storage = get_storage()
        for key, _ in list(storage.iter_keys()):
            storage.delete(key)


@pytest.mark.s3
def test_s3_put_get_exists_delete_and_list(s3_app):
    with s3_app.app_context():
        storage = get_storage()
        storage.put("clean/aa/one.png", b"\x89PNG one", "image/png")
        assert storage.get("clean/aa/one.png") == b"\x89PNG one"
        assert storage.exists("clean/aa/one.png") and not storage.exists("clean/aa/two.png")
        head = storage.client.head_object(
            Bucket=storage.bucket, Key=storage._name("clean/aa/one.png")
        )
        assert head["ContentType"] == "image/png"
        ((key, modified_at),) = storage.iter_keys()
        assert key == "clean/aa/one.png" and modified_at.tzinfo is not None
        storage.delete("clean/aa/one.png")
        storage.delete("clean/aa/one.png")
        assert not storage.exists("clean/aa/one.png")
        with pytest.raises(StoredFileMissing):
            storage.get("clean/aa/one.png")


@pytest.mark.s3
def test_s3_store_evidence_guard_and_sweep(s3_app, evidence_report):
    with s3_app.app_context():
        report = evidence_report()
        evidence = store_evidence(report=report, data=png(color=(5, 6, 7)), filename="a.png")
        db.session.commit()
        storage = get_storage()
        assert storage.get(evidence.original_key) == png(color=(5, 6, 7))
        with pytest.raises(ImageRejected), unit_of_work():
            store_evidence(report=report, data=png(color=(8, 8, 8)), filename="b.png")
            store_evidence(report=report, data=b"not an image", filename="c.png")
        store_evidence(report=report, data=png(color=(1, 2, 1)), filename="lost.png")
        db.session.rollback()
        assert len(list(storage.iter_keys())) == 6
        result = sweep(older_than=timedelta(0))
        assert result.deleted == 3
        assert sorted(k for k, _ in storage.iter_keys()) == sorted(
            [evidence.original_key, evidence.clean_key, evidence.thumb_key]
        )
