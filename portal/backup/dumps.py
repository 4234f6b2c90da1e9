"""Copying the database out and back in: SQLite's online backup API, PostgreSQL's pg_dump and
pg_restore (the Debian `postgresql-client` tools)."""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa

from portal.backup.manifest import BackupError


def dump_database(engine: sa.Engine, dest: Path, *, busy_seconds: float) -> None:
    """Write a consistent copy of the database to `dest` while the portal keeps running."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        _dump_sqlite(sqlite_path(engine), dest, busy_seconds)
    elif dialect == "postgresql":
        # pg_dump reads one snapshot; writers are not blocked (its manual, "Description").
        _run_pg_tool("pg_dump", ["--format=custom", "--file", str(dest)], engine.url)
    else:
        raise BackupError(f"cannot back up a {dialect} database: only SQLite and PostgreSQL")


def restore_database(engine: sa.Engine, source: Path, *, busy_seconds: float) -> None:
    """Replace the database's contents with the copy in `source`, all or nothing."""
    engine.dispose()  # our own pooled connections would hold locks the restore needs
    if engine.dialect.name == "sqlite":
        _restore_sqlite(source, sqlite_path(engine), busy_seconds)
    else:
        _run_pg_tool(
            "pg_restore",
            ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"],
            engine.url,
            str(source),
        )
    engine.dispose()


def prepare_target(engine: sa.Engine) -> None:
    """Make the folder of a SQLite database that does not exist yet (a new instance)."""
    if engine.dialect.name == "sqlite":
        Path(sqlite_path(engine)).parent.mkdir(parents=True, exist_ok=True)


def sqlite_path(engine: sa.Engine) -> str:
    """The file of a SQLite database (BackupError for an in-memory one)."""
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        raise BackupError("the SQLite database is not a plain file: nothing to back up")
    return path


def _dump_sqlite(source: str, dest: Path, busy_seconds: float) -> None:
    if not Path(source).is_file():
        raise BackupError(f"no database at {source}")
    with (
        closing(sqlite3.connect(source, timeout=busy_seconds)) as live,
        closing(sqlite3.connect(dest)) as copy,
    ):
        # pages=-1 (the default): the whole database in one step, under one read lock, so the
        # copy is one moment of the database even while the portal writes.
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it


def _restore_sqlite(source: Path, target: str, busy_seconds: float) -> None:
    with (
        closing(open_read_only(source)) as copy,
        closing(sqlite3.connect(target, timeout=busy_seconds, isolation_level=None)) as live,
    ):
        try:
            # Leaving WAL needs the only connection: a running portal or worker is refused here.
            # (The backup API also cannot write into a WAL database of another page size.)
            mode = live.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            if mode != "delete":
                raise sqlite3.OperationalError("database is in use")
            copy.backup(live)
            live.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as err:
            raise BackupError(
                f"could not write {target} ({err}): stop the portal and its worker first"
            ) from None


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a SQLite file (a backup copy is never written to)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def sqlite_integrity(path: Path) -> str:
    """What SQLite's PRAGMA integrity_check says about the file: "ok" when it is intact."""
    try:
        with closing(open_read_only(path)) as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as err:
        return str(err)
    return "; ".join(str(row[0]) for row in rows[:3])


def _run_pg_tool(tool: str, args: list[str], url: sa.URL, *more: str) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            f"{tool} not found: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client)"
        )
    # The password goes in the environment, never on a command line that `ps` shows.
    conninfo = sa.URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    result = subprocess.run(  # noqa: S603 (a fixed tool, arguments as a list)
        [program, *args, "--dbname", conninfo, *more],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-1000:]}")
