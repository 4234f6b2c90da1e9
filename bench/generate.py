"""Bulk data for the benchmarks, written through SQLAlchemy Core in batches (COPY on
PostgreSQL) into whichever database URL is given: N cases spread over two years in the order
they came in, a share published (with their publication rows), one report, one history event
and one search document per case, links on 40 % and screenshots (with their perceptual-hash
bands) on 30 % of the reports.

As on a real install that has run for years, almost every case is finished: only the newest
RECENT cases hold the whole mix of open statuses, and STRAGGLERS older ones are still open, so
the open work per team is about the same at 10k and at 1M cases.

    .venv/bin/python bench/generate.py URL N [--published 0.3]
    .venv/bin/python bench/generate.py sqlite:////tmp/bench.sqlite3 200000
    .venv/bin/python bench/generate.py postgresql+psycopg://portal:portal@HOST:PORT/bench 200000

The database is emptied first. The schema is the models' (create_all); columns this script
does not know get their model default, so new columns do not break it.
"""

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench._rows import NOW, batches  # noqa: E402


def make_app(url: str, **extra: Any):
    """The portal on a benchmark database (no CSRF, no rate limits, no mail)."""
    from portal import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_SUPPRESS_SEND": True,
            "SQLALCHEMY_DATABASE_URI": url,
            **extra,
        }
    )


def prepare(app) -> tuple[list, list[int]]:
    """Empty schema with reference data; the categories (id, team) and region ids."""
    from portal.db import db
    from portal.reference.models import Category, Region
    from portal.reference.operations import load_reference_data

    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference_data()
        db.session.commit()
        cats = [(c.id, c.default_team_id) for c in db.session.scalars(sa.select(Category))]
        regions = list(db.session.scalars(sa.select(Region.id).where(Region.kind != "province")))
        db.session.remove()
    return cats, regions


def defaults(table: sa.Table, known: set[str]) -> dict:
    """Model defaults of the columns the generator does not fill."""
    result = {}
    for column in table.columns:
        if column.name in known or (column.primary_key and column.name == "id"):
            continue
        default = column.default
        if default is not None and callable(default.arg):
            value = NOW if column.name.endswith("_at") else None
        else:
            value = None if default is None else getattr(default.arg, "value", default.arg)
        result[column.name] = value
    return result


def write(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """One batch, converted by the columns' own SQLAlchemy types, then sent in one go: COPY on
    PostgreSQL, one executemany INSERT on SQLite (the Core statement per row costs more than
    the database's work)."""
    if not rows:
        return
    columns = list(rows[0])
    binds = [table.c[c].type._cached_bind_processor(conn.dialect) for c in columns]
    tuples = [
        [
            bind(row[c]) if bind and row[c] is not None else row[c]
            for c, bind in zip(columns, binds, strict=True)
        ]
        for row in rows
    ]
    raw: Any = conn.connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
            for values in tuples:
                cp.write_row(values)
    else:
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', tuples)


ORDER = ["case", "publication", "report", "case_event", "link", "evidence", "phash_band"]
ORDER += ["case_search"]


def generate(url: str, n: int, published: float = 0.3, seed: int = 7) -> float:
    """Fill the database at url with n cases; returns the seconds it took."""
    from portal.cases.models import SEARCH_DDL_POSTGRESQL, SEARCH_DDL_SQLITE
    from portal.db import db
    from portal.public.stats import refresh_stats

    started = time.perf_counter()
    extra_config = {}
    if url.startswith("postgresql"):  # the portal role's 120 s limit is for requests
        options = "-c statement_timeout=0 -c maintenance_work_mem=256MB"
        extra_config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": options}}
    app = make_app(url, **extra_config)
    cats, regions = prepare(app)
    with app.app_context():
        tables = {name: db.metadata.tables[name] for name in ORDER}
        extra: dict[str, dict] = {}
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.begin() as conn:
            # indexes are built once at the end: faster than keeping them up to date
            indexes = [ix for name in ORDER for ix in tables[name].indexes]
            for index in indexes:
                index.drop(conn)
            if postgres:
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                for sql in SEARCH_DDL_POSTGRESQL:
                    if sql.startswith("CREATE INDEX"):
                        name = sql.split()[5]
                        conn.exec_driver_sql(f"DROP INDEX {name}")
            else:  # the full-text table is built in one go at the end
                conn.exec_driver_sql("PRAGMA cache_size = -262144")
                conn.exec_driver_sql("DROP TRIGGER case_search_fts_ai")
            for pending in batches(n, cats, regions, published, seed):
                for name in ORDER:
                    rows = pending.get(name, [])
                    if rows and name not in extra:
                        extra[name] = defaults(tables[name], set(rows[0]))
                    write(conn, tables[name], [{**extra[name], **r} for r in rows])
            for index in indexes:
                index.create(conn)
            if postgres:
                for sql in SEARCH_DDL_POSTGRESQL:
                    conn.exec_driver_sql(sql)
                for name in ORDER:  # explicit ids leave the sequences behind
                    if "id" in tables[name].c:
                        conn.execute(
                            sa.text(
                                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                                f'(SELECT coalesce(max(id), 1) FROM "{name}"))'
                            )
                        )
            else:
                conn.exec_driver_sql(
                    "INSERT INTO case_search_fts(case_search_fts) VALUES ('rebuild')"
                )
                for sql in SEARCH_DDL_SQLITE:
                    conn.exec_driver_sql(sql)
        refresh_stats()
        db.session.commit()
        # PostgreSQL gets the statistics autovacuum would gather; SQLite none, as the portal
        # never runs ANALYZE there: its plans are those of an install without statistics.
        if postgres:
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("n", type=int)
    parser.add_argument("--published", type=float, default=0.3)
    args = parser.parse_args()
    seconds = generate(args.url, args.n, args.published)
    print(f"{args.n} cases in {seconds:.1f} s")


if __name__ == "__main__":
    main()
