"""Bulk data for benchmarks: N cases (a share published, with their publication rows) written
straight into a SQLite database with executemany, in one transaction.

    .venv/bin/python bench/generate.py DB_PATH N [--published 0.3]

The schema is the models' (create_all); columns this script does not know get their model
default, so new columns do not break it.
"""

import argparse
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 50_000
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


def stamp(moment: datetime) -> str:
    """SQLAlchemy's SQLite DateTime storage format (naive UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def make_app(db_path: str):
    from portal import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_SUPPRESS_SEND": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        }
    )


def prepare(app) -> tuple[list, list[int]]:
    """Empty schema with reference data; the categories (id, team) and region ids."""
    import sqlalchemy as sa

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
        db.engine.dispose()
    return cats, regions


def defaults(table, known: set[str]) -> dict:
    """Model defaults of the columns the generator does not fill."""
    result = {}
    for column in table.columns:
        if column.name in known or column.primary_key:
            continue
        default = column.default
        result[column.name] = (
            None
            if default is None or callable(default.arg)
            else getattr(default.arg, "value", default.arg)
        )
    return result


def case_rows(n: int, cats: list, regions: list[int], published: float, rng: random.Random):
    """(case row, publication row or None) for cases 1..n spread over the last two years."""
    now = datetime.now(UTC)
    weights = [w for _s, w in STATUSES]
    names = [s for s, _w in STATUSES]
    for case_id in range(1, n + 1):
        created = now - timedelta(seconds=rng.randrange(730 * 86400))
        cat_id, team_id = rng.choice(cats)
        status = rng.choices(names, weights)[0]
        responded = created + timedelta(hours=rng.randrange(1, 200)) if status != "new" else None
        resolved = (
            created + timedelta(hours=rng.randrange(24, 40 * 24))
            if status in DONE or status == "rejected"
            else None
        )
        is_pub = rng.random() < published
        case = {
            "id": case_id,
            "reference": f"ADU-{created.year}-{case_id:07d}",
            "category_id": cat_id,
            "region_id": rng.choice(regions),
            "team_id": team_id,
            "status": status,
            "reported_party": "Dinas contoh",
            "report_count": 1,
            "first_reported_at": stamp(created),
            "due_at": stamp(created + timedelta(days=14)),
            "first_response_at": stamp(responded) if responded else None,
            "resolved_at": stamp(resolved) if resolved else None,
            "outcome": rng.choice(OUTCOMES) if status in DONE else None,
            "public_summary": None,
            "is_published": int(is_pub),
            "published_at": stamp(created + timedelta(days=3)) if is_pub else None,
            "created_at": stamp(created),
            "updated_at": stamp(resolved or created),
        }
        publication = None
        if is_pub:
            publication = {
                "case_id": case_id,
                "state": "published",
                "summary": SUMMARY + case["reference"],
                "reported_party": "Dinas contoh",
                "evidence_ids": "[]",
                "requested_at": case["published_at"],
                "reviewed_at": case["published_at"],
            }
        yield case, publication


def insert(conn: sqlite3.Connection, table, rows: list[dict]) -> None:
    columns = list(rows[0])
    sql = (
        f'INSERT INTO "{table.name}" ({", ".join(columns)}) '
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    conn.executemany(sql, [tuple(r[c] for c in columns) for r in rows])


def generate(db_path: str, n: int, published: float = 0.3, seed: int = 7) -> float:
    """Fill db_path with n cases; returns the seconds it took."""
    from portal.cases.models import Case
    from portal.cases.publishing.models import Publication

    started = time.perf_counter()
    app = make_app(db_path)
    cats, regions = prepare(app)
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path)
    # One big load: no journal, a large page cache, and the indexes built once at the end.
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS "
        "NOT NULL AND tbl_name IN ('case', 'publication')"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    case_extra = defaults(Case.__table__, set(next(case_rows(1, cats, regions, 0, rng))[0]))
    pub_extra = defaults(
        Publication.__table__,
        {
            "case_id",
            "state",
            "summary",
            "reported_party",
            "evidence_ids",
            "requested_at",
            "reviewed_at",
        },
    )
    cases, pubs = [], []
    for case, publication in case_rows(n, cats, regions, published, rng):
        cases.append({**case_extra, **case})
        if publication:
            pubs.append({**pub_extra, **publication})
        if len(cases) >= BATCH:
            insert(conn, Case.__table__, cases)
            if pubs:
                insert(conn, Publication.__table__, pubs)
            cases, pubs = [], []
    if cases:
        insert(conn, Case.__table__, cases)
    if pubs:
        insert(conn, Publication.__table__, pubs)
    conn.commit()
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    with app.app_context():
        from portal.db import db

        db.engine.dispose()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db_path")
    parser.add_argument("n", type=int)
    parser.add_argument("--published", type=float, default=0.3)
    args = parser.parse_args()
    seconds = generate(args.db_path, args.n, args.published)
    print(f"{args.n} cases in {seconds:.1f} s")


if __name__ == "__main__":
    main()
