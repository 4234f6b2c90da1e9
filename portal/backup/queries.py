"""Reads of the backup area: checking a backup folder, and what a database holds."""

import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app

from portal.backup.dumps import open_read_only, sqlite_integrity
from portal.backup.manifest import (
    DATABASE_FILES,
    FILES,
    MANIFEST,
    BackupError,
    Manifest,
    file_digest,
    read_manifest,
)
from portal.capture.models import Capture
from portal.capture.operations import capture_key
from portal.cases.models import Case
from portal.db import db
from portal.evidence.models import Evidence, Redaction
from portal.evidence.storage import check_key
from portal.intake.models import Report


@dataclass(frozen=True)
class Verification:
    problem: str | None  # the first problem found, naming the file; None when all is well
    manifest: Manifest | None = None

    @property
    def is_ok(self) -> bool:
        return self.problem is None


def verify_backup(folder: Path) -> Verification:
    """Check a backup folder against its manifest: every file present with its SHA-256 and
    size, nothing extra, the database copy intact; stops at the first problem."""
    try:
        manifest = read_manifest(folder)
        _check_database(folder, manifest)
        keys = _check_files(folder, manifest)
        _check_nothing_extra(folder, manifest, keys)
        if manifest.database.dialect == "sqlite":
            _check_sqlite_copy(folder / manifest.database.path, manifest, keys)
    except BackupError as err:
        return Verification(str(err))
    return Verification(None, manifest)


def _check_database(folder: Path, manifest: Manifest) -> None:
    entry = manifest.database
    if DATABASE_FILES.get(entry.dialect) != entry.path:
        raise BackupError(f"{MANIFEST}: unknown database {entry.dialect!r} at {entry.path!r}")
    _check_file(folder / entry.path, entry.path, entry.sha256, entry.size)


def _check_files(folder: Path, manifest: Manifest) -> set[str]:
    keys: set[str] = set()
    for entry in manifest.files:
        try:
            check_key(entry.key)
        except ValueError:
            raise BackupError(f"{MANIFEST}: invalid file name {entry.key!r}") from None
        if entry.key in keys:
            raise BackupError(f"{MANIFEST}: {FILES}/{entry.key} is listed twice")
        keys.add(entry.key)
        _check_file(folder / FILES / entry.key, f"{FILES}/{entry.key}", entry.sha256, entry.size)
    return keys


def _check_file(path: Path, label: str, sha256: str, size: int) -> None:
    if not path.is_file():
        raise BackupError(f"{label}: missing")
    actual_sha256, actual_size = file_digest(path)
    if actual_size != size:
        raise BackupError(f"{label}: {actual_size} bytes, the manifest says {size}")
    if actual_sha256 != sha256:
        raise BackupError(f"{label}: SHA-256 does not match the manifest")


def _check_nothing_extra(folder: Path, manifest: Manifest, keys: set[str]) -> None:
    expected = {MANIFEST, manifest.database.path} | {f"{FILES}/{key}" for key in keys}
    found = sorted(
        Path(root, name).relative_to(folder).as_posix()
        for root, _dirs, names in os.walk(folder)
        for name in names
    )
    for name in found:
        if name not in expected:
            raise BackupError(f"{name}: not listed in the manifest")


def _check_sqlite_copy(path: Path, manifest: Manifest, keys: set[str]) -> None:
    label = manifest.database.path
    result = sqlite_integrity(path)
    if result != "ok":
        raise BackupError(f"{label}: integrity check failed: {result}")
    engine = sa.create_engine("sqlite://", creator=lambda: open_read_only(path))
    try:
        with engine.connect() as conn:
            wanted = referenced_keys(conn)
    except sa.exc.DBAPIError as err:
        raise BackupError(f"{label}: cannot read the file references ({err.orig})") from None
    finally:
        engine.dispose()
    absent = sorted(wanted - keys - set(manifest.missing_at_backup))
    if absent:
        raise BackupError(f"{label} refers to {FILES}/{absent[0]}, which is not in the backup")


def referenced_keys(conn: sa.Connection) -> set[str]:
    """Every storage key the database points to: evidence files and capture artefacts."""
    keys: set[str] = set()
    for row in conn.execute(
        sa.select(Evidence.original_key, Evidence.clean_key, Evidence.thumb_key)
    ):
        keys.update(row)
    for key, thumb_key in conn.execute(sa.select(Redaction.key, Redaction.thumb_key)):
        keys.update((key, thumb_key))
    captures = sa.select(Capture.html_key, Capture.screenshot_key, Capture.headers_sha256)
    for html_key, screenshot_key, headers_sha256 in conn.execute(captures):
        keys.update(key for key in (html_key, screenshot_key) if key)
        if headers_sha256:
            keys.add(capture_key(headers_sha256, "json"))
    return keys


def schema_revision(conn: sa.Connection) -> str | None:
    """The Alembic revision the database is at (None: it was never migrated)."""
    return MigrationContext.configure(conn).get_current_revision()


def migration_scripts() -> ScriptDirectory:
    """This code's Alembic migrations."""
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def is_known_revision(revision: str) -> bool:
    """True if this code has the migration `revision` (a newer backup would not fit it)."""
    try:
        return migration_scripts().get_revision(revision) is not None
    except CommandError:
        return False


def count_reports_and_cases() -> tuple[int, int]:
    """How many reports and cases the configured database holds (0 where there is no table)."""
    counts: list[int] = []
    with db.engine.connect() as conn:
        inspector = sa.inspect(conn)
        for model in (Report, Case):
            present = inspector.has_table(model.__tablename__)
            query = sa.select(sa.func.count()).select_from(model)
            counts.append((conn.scalar(query) or 0) if present else 0)
    return counts[0], counts[1]


def portal_version() -> str:
    """The installed portal's version (from its package metadata)."""
    try:
        return version("portal-aduan-warga")
    except PackageNotFoundError:
        return "unknown"
