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
import hashlib
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from portal.cases.duplicates.models import band_keys  # noqa: E402

BATCH = 20_000
RECENT = 3_000  # the newest cases: every status, about a third of them open
STRAGGLERS = 200  # older cases still open (about)
NOW = datetime(2026, 11, 1, tzinfo=UTC)
SUMMARY = (
    "Akun media sosial resmi instansi memuat materi kampanye salah satu pasangan calon; "
    "setelah klarifikasi, petugas menyimpulkan terjadi pelanggaran netralitas dan "
    "meneruskan rekomendasi sanksi kepada pejabat pembina kepegawaian. Kasus nomor "
)
STATUSES = [
    ("new", 8),
    ("triaged", 5),
    ("assigned", 5),
    ("investigating", 12),
    ("waiting_for_reporter", 3),
    ("resolved", 30),
    ("closed", 25),
    ("rejected", 10),
    ("reopened", 2),
]
OUTCOMES = ["substantiated", "not_substantiated", "referred_elsewhere"]
DONE = {"resolved", "closed"}
FINISHED = [("resolved", 40), ("closed", 45), ("rejected", 15)]
LINGERING = [("investigating", 3), ("waiting_for_reporter", 1)]
SPAN = 730 * 86400


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


def _status(case_id: int, n: int, rng: random.Random) -> str:
    if case_id > n - RECENT:
        table = STATUSES
    elif rng.random() < STRAGGLERS / n:
        table = LINGERING
    else:
        table = FINISHED
    return rng.choices([s for s, _w in table], [w for _s, w in table])[0]


def case_rows(n: int, cats: list, regions: list[int], published: float, rng: random.Random):
    """(case row, publication row or None) for cases 1..n, in the order they came in over the
    last two years."""
    for case_id in range(1, n + 1):
        created = NOW - timedelta(seconds=SPAN * (n - case_id + rng.random()) / n)
        cat_id, team_id = rng.choice(cats)
        status = _status(case_id, n, rng)
        responded = created + timedelta(hours=rng.randrange(1, 200)) if status != "new" else None
        resolved = (
            created + timedelta(hours=rng.randrange(24, 40 * 24))
            if status in DONE or status == "rejected"
            else None
        )
        responded = min(responded, NOW) if responded else None
        resolved = min(resolved, NOW) if resolved else None
        is_pub = status in DONE and rng.random() < published / 0.85
        case = {
            "id": case_id,
            "reference": f"ADU-{created.year}-{case_id:06d}",
            "category_id": cat_id,
            "region_id": rng.choice(regions),
            "team_id": team_id,
            "status": status,
            "reported_party": f"Dinas {rng.randrange(500)}",
            "report_count": 1,
            "first_reported_at": created,
            "learned_on": created.date(),
            "due_at": created + timedelta(days=14),
            "first_response_at": responded,
            "resolved_at": resolved,
            "outcome": rng.choice(OUTCOMES) if status in DONE else None,
            "is_published": is_pub,
            "published_at": min(created + timedelta(days=3), NOW) if is_pub else None,
            "created_at": created,
            "updated_at": resolved or created,
        }
        publication = None
        if is_pub:
            publication = {
                "case_id": case_id,
                "state": "published",
                "summary": SUMMARY + case["reference"],
                "reported_party": case["reported_party"],
                "evidence_ids": [],
                "requested_at": case["published_at"],
                "reviewed_at": case["published_at"],
            }
        yield case, publication


def children(case: dict, rng: random.Random, accounts: int) -> dict[str, list[dict]]:
    """The report, history event, link, screenshot (with its hash bands) and search rows of one
    case (report id = evidence id = case id)."""
    cid, created = case["id"], case["created_at"]
    account = f"akun{rng.randrange(accounts)}"
    description = f"Laporan {cid}: unggahan kampanye oleh akun resmi."
    rows: dict[str, list[dict]] = {
        "report": [
            {
                "id": cid,
                "case_id": cid,
                "tracking_hash": f"{cid:064x}",
                "category_id": case["category_id"],
                "region_id": case["region_id"],
                "reported_party": case["reported_party"],
                "reported_account": f"@{account}",
                "answers": {},
                "description": description,
                "visibility": "anonymous",
                "language": "id",
                "source": "web",
                "created_at": created,
            }
        ],
        "case_event": [
            {
                "case_id": cid,
                "seq": 1,
                "kind": "created",
                "visibility": "public",
                "actor_label": "system",
                "data": {},
                "created_at": created,
                "prev_hash": "0" * 64,
                "hash": hashlib.sha256(f"{cid}".encode()).hexdigest(),
            }
        ],
        "link": [],
        "evidence": [],
        "phash_band": [],
    }
    words = [case["reported_party"], description]
    if rng.random() < 0.4:
        post = f"P{rng.randrange(max(10, case['id'] // 2 + 10))}"
        rows["link"].append(
            {
                "report_id": cid,
                "url_given": f"https://instagram.com/p/{post}/",
                "url_canonical": f"https://www.instagram.com/p/{post}/",
                "platform": "instagram",
                "post_id": post,
                "created_at": created,
            }
        )
        words.append(rows["link"][0]["url_canonical"])
    rows["case_search"] = [
        {
            "case_id": cid,
            "reference": case["reference"],
            "handles": account,
            "document": " ".join(words),
            "emails": "",
            "updated_at": created,
        }
    ]
    if rng.random() < 0.3:
        sha = hashlib.sha256(f"e{cid}".encode()).hexdigest()
        phash = f"{rng.getrandbits(64):016x}"
        rows["evidence"].append(
            {
                "id": cid,
                "report_id": cid,
                "original_key": f"sealed/{sha}",
                "clean_key": f"clean/{sha}.png",
                "thumb_key": f"thumb/{sha}.webp",
                "original_filename": "x.png",
                "original_format": "PNG",
                "clean_mime": "image/png",
                "sha256_original": sha,
                "sha256_clean": sha,
                "size_original": 1,
                "size_clean": 1,
                "width": 1080,
                "height": 2400,
                "phash": phash,
                "is_publishable": False,
                "created_at": created,
            }
        )
        rows["phash_band"] = [
            {"evidence_id": cid, "band_key": key, "phash": phash} for key in band_keys(phash)
        ]
    return rows


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


def batches(n: int, cats: list, regions: list[int], published: float, seed: int) -> Iterator:
    """Rows per table, BATCH cases at a time."""
    rng = random.Random(seed)
    accounts = max(50, n // 20)
    pending: dict[str, list[dict]] = {}
    for case, publication in case_rows(n, cats, regions, published, rng):
        pending.setdefault("case", []).append(case)
        if publication:
            pending.setdefault("publication", []).append(publication)
        for name, rows in children(case, rng, accounts).items():
            pending.setdefault(name, []).extend(rows)
        if len(pending["case"]) >= BATCH:
            yield pending
            pending = {}
    if pending:
        yield pending


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
