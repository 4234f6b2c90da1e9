"""The backup folder's layout and its manifest.json: what is in a backup, with SHA-256 and size.

DIR/manifest.json        written last: a folder without it is not a finished backup
DIR/database.sqlite3     or DIR/database.pgdump (pg_dump custom format)
DIR/files/<storage key>  every stored file, under the key it had in the storage
"""

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "portal-aduan-warga-backup/1"
MANIFEST = "manifest.json"
FILES = "files"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup could not be made, read or restored; the message says why, for the operator."""


@dataclass(frozen=True)
class FileEntry:
    key: str  # the storage key; the copy lives at files/<key>
    sha256: str
    size: int


@dataclass(frozen=True)
class DatabaseEntry:
    dialect: str  # "sqlite" or "postgresql"
    path: str  # relative to the backup folder
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    created_at: str  # ISO 8601, UTC
    portal_version: str
    schema_revision: str | None  # the database's Alembic revision (None: never migrated)
    database: DatabaseEntry
    files: list[FileEntry]
    # Files the database refers to that the storage did not have when the backup was made.
    missing_at_backup: list[str] = field(default_factory=list)
    format: str = FORMAT

    @property
    def total_bytes(self) -> int:
        return self.database.size + sum(entry.size for entry in self.files)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1, sort_keys=True).encode() + b"\n"


def parse_manifest(data: bytes) -> Manifest:
    """The manifest in `data`; raises BackupError saying what is wrong with it."""
    try:
        raw: dict[str, Any] = json.loads(data)
        if raw.get("format") != FORMAT:
            raise BackupError(f"{MANIFEST}: not a portal backup manifest ({FORMAT})")
        return Manifest(
            format=raw["format"],
            created_at=str(raw["created_at"]),
            portal_version=str(raw["portal_version"]),
            schema_revision=raw["schema_revision"],
            database=DatabaseEntry(**raw["database"]),
            files=[FileEntry(**entry) for entry in raw["files"]],
            missing_at_backup=[str(key) for key in raw.get("missing_at_backup", [])],
        )
    except BackupError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise BackupError(f"{MANIFEST}: unreadable ({err.__class__.__name__}: {err})") from None


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the backup in `folder` (BackupError if missing or unreadable)."""
    try:
        data = (folder / MANIFEST).read_bytes()
    except FileNotFoundError:
        raise BackupError(f"{MANIFEST}: missing (not a finished backup)") from None
    except OSError as err:
        raise BackupError(f"{MANIFEST}: unreadable ({err})") from None
    return parse_manifest(data)


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def write_file(path: Path, data: bytes) -> None:
    """Write a new file (sync_tree forces it to disk once the backup is complete)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as fh:
        fh.write(data)


def sync_tree(folder: Path) -> None:
    """fsync every file and folder under `folder`, deepest first: a backup that is only in the
    page cache is none."""
    for root, _dirs, names in os.walk(folder, topdown=False):
        for name in names:
            with open(Path(root, name), "rb") as fh:
                os.fsync(fh.fileno())
        sync_dir(Path(root))


def sync_dir(folder: Path) -> None:
    """fsync one folder (its entries: names created or renamed in it)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
