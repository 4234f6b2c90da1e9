"""Making a backup and restoring one.

A backup is the database first, then every stored file. Files are stored before the rows that
point to them are committed, and the sweep deletes only files no row points to, so every file
the database copy needs is still in the storage when the files are listed after it.
"""

import hashlib
import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from portal.backup.dumps import dump_database, prepare_target, restore_database
from portal.backup.manifest import (
    DATABASE_FILES,
    FILES,
    MANIFEST,
    BackupError,
    DatabaseEntry,
    FileEntry,
    Manifest,
    file_digest,
    sync_dir,
    sync_tree,
    write_file,
)
from portal.backup.queries import (
    count_reports_and_cases,
    is_known_revision,
    migration_scripts,
    portal_version,
    referenced_keys,
    schema_revision,
    verify_backup,
)
from portal.db import db, utcnow
from portal.evidence.storage import TEMP_MARK, StoredFileMissing, check_key, get_storage

logger = logging.getLogger(__name__)
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "json": "application/json",
}  # anything else (sealed originals, captured HTML) is stored as application/octet-stream


@dataclass(frozen=True)
class RestoreResult:
    files: int
    bytes: int
    schema_revision: str | None
    needs_upgrade: bool  # the backup's schema is older than this code's migrations


def create_backup(target: Path) -> Manifest:
    """Back up the database and every stored file into the new or empty folder `target`.

    Everything is written under a hidden temporary name next to `target`, checked, forced to
    disk and renamed only when complete: a backup that crashed never looks like a backup.
    """
    target = target.absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not an empty folder")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    temp = target.parent / f".{target.name}.partial-{secrets.token_hex(4)}"
    temp.mkdir()
    try:
        manifest = _write_backup(temp)
        check = verify_backup(temp)
        if not check.is_ok:
            raise BackupError(f"the new backup does not verify: {check.problem}")
        sync_tree(temp)
        os.replace(temp, target)  # replaces an empty folder; refuses one that filled meanwhile
        sync_dir(target.parent)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    logger.info("Backup written to %s: %d files", target, len(manifest.files))
    return manifest


def _write_backup(folder: Path) -> Manifest:
    engine = db.engine
    dialect = engine.dialect.name
    if dialect not in DATABASE_FILES:
        raise BackupError(f"cannot back up a {dialect} database: only SQLite and PostgreSQL")
    with engine.connect() as conn:
        revision = schema_revision(conn)
    database = folder / DATABASE_FILES[dialect]
    dump_database(engine, database, busy_seconds=_busy_seconds())
    files = _copy_files(folder / FILES)
    digest, size = file_digest(database)
    manifest = Manifest(
        created_at=utcnow().isoformat(timespec="seconds"),
        portal_version=portal_version(),
        schema_revision=revision,
        database=DatabaseEntry(dialect=dialect, path=database.name, sha256=digest, size=size),
        files=files,
        missing_at_backup=_missing_files({entry.key for entry in files}),
    )
    write_file(folder / MANIFEST, manifest.to_json())  # last: it marks the copy complete
    return manifest


def _busy_seconds() -> float:
    return float(current_app.config["SQLITE_BUSY_TIMEOUT_MS"]) / 1000


def _copy_files(folder: Path) -> list[FileEntry]:
    storage = get_storage()
    entries = []
    for key in sorted(key for key, _modified in storage.iter_keys() if TEMP_MARK not in key):
        try:
            check_key(key)
            data = storage.get(key)
        except ValueError:
            logger.warning("Not backed up: %r is not a name the portal stores files under", key)
            continue
        except StoredFileMissing:  # swept since it was listed: no row of the copy needs it
            continue
        write_file(folder / key, data)
        entries.append(FileEntry(key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data)))
    return entries


def _missing_files(copied: set[str]) -> list[str]:
    """Files the database refers to that the storage does not have (a file lost before the
    backup; rows committed after the file listing have their files in the storage)."""
    with db.engine.connect() as conn:
        wanted = referenced_keys(conn)
    storage = get_storage()
    missing = sorted(key for key in wanted - copied if not storage.exists(key))
    for key in missing:
        logger.warning("Not in the storage, so not in the backup: %s", key)
    return missing


def restore_backup(source: Path, *, force: bool = False) -> RestoreResult:
    """Put a verified backup's files into the configured storage, then replace the database
    with its copy. Refuses a portal that holds any report or case unless `force`."""
    check = verify_backup(source)
    if not check.is_ok or check.manifest is None:
        raise BackupError(f"the backup does not verify: {check.problem}")
    manifest = check.manifest
    dialect = db.engine.dialect.name
    if manifest.database.dialect != dialect:
        raise BackupError(
            f"the backup holds a {manifest.database.dialect} database, "
            f"but this portal is configured for {dialect}"
        )
    revision = manifest.schema_revision
    if revision is not None and not is_known_revision(revision):
        raise BackupError(
            f"the backup's schema revision {revision} is newer than this code: restore it with "
            f"portal version {manifest.portal_version}"
        )
    prepare_target(db.engine)
    reports, cases = count_reports_and_cases()
    if (reports or cases) and not force:
        raise BackupError(
            f"this portal already holds {reports} reports and {cases} cases; restore into an "
            "empty portal, or pass --force to replace its database"
        )
    _restore_files(source, manifest)
    restore_database(db.engine, source / manifest.database.path, busy_seconds=_busy_seconds())
    head = migration_scripts().get_current_head()
    logger.info("Restored the backup of %s from %s", manifest.created_at, source)
    return RestoreResult(
        files=len(manifest.files),
        bytes=manifest.total_bytes,
        schema_revision=revision,
        needs_upgrade=revision is not None and revision != head,
    )


def _restore_files(source: Path, manifest: Manifest) -> None:
    """Files before rows: if the database restore fails, the files are unreferenced and the
    sweep removes them."""
    storage = get_storage()
    for entry in manifest.files:
        data = (source / FILES / entry.key).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise BackupError(f"{FILES}/{entry.key}: changed since the backup was verified")
        extension = entry.key.rsplit("/", 1)[-1].rpartition(".")[2].lower()
        storage.put(entry.key, data, CONTENT_TYPES.get(extension, "application/octet-stream"))
        if hashlib.sha256(storage.get(entry.key)).hexdigest() != entry.sha256:
            raise BackupError(f"{FILES}/{entry.key}: the storage gave back different bytes")
