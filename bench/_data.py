"""Bulk test data for the benchmarks, written through SQLAlchemy Core in batches into any
database URL: cases, reports, links, evidence, one event per case."""

import hashlib
import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bench._rows import created_event_row, evidence_row
from portal.db import db

NOW = datetime(2026, 11, 1, tzinfo=UTC)
STATUSES = [
    "new",
    "triaged",
    "assigned",
    "investigating",
    "waiting_for_reporter",
    "resolved",
    "closed",
    "rejected",
]


def make_app(where: str, **extra):
    """The portal on a scratch database with reference data: `where` is a database URL
    (SQLite or PostgreSQL; a PostgreSQL database is emptied first) or a folder for a new
    SQLite file (uploads beside it)."""
    from portal import create_app
    from portal.reference.operations import load_reference_data

    url = where if "://" in where else f"sqlite:///{where}/bench.sqlite3"
    config = {
        "TESTING": True,
        "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SUPPRESS_SEND": True,
        "SQLALCHEMY_DATABASE_URI": url,
        **extra,
    }
    if "://" not in where:
        config.setdefault("UPLOAD_FOLDER", f"{where}/uploads")
    app = create_app(config)
    with app.app_context():
        if url.startswith("postgresql"):
            db.drop_all()
        db.create_all()
        load_reference_data()
        db.session.commit()
    return app


def fill(n_cases: int, n_reports: int, seed: int = 7, batch: int = 5000) -> None:
    """Insert n_cases cases holding n_reports reports (inside an app context)."""
    from portal.accounts.models import Team
    from portal.cases.models import Case, CaseEvent
    from portal.evidence.models import Evidence, Link
    from portal.intake.models import Report
    from portal.reference.models import Category, Region

    rng = random.Random(seed)
    team = db.session.scalar(sa.select(Team.id).where(Team.slug == "bawaslu-sumsel"))
    categories = db.session.scalars(sa.select(Category.id)).all()
    regions = db.session.scalars(sa.select(Region.id)).all()
    accounts = [f"@akun{i}" for i in range(max(50, n_cases // 20))]
    first_case = (db.session.scalar(sa.select(sa.func.max(Case.id))) or 0) + 1
    rows, events = [], []
    for i in range(n_cases):
        cid = first_case + i
        created = NOW - timedelta(minutes=rng.randrange(180 * 24 * 60))
        rows.append(
            {
                "id": cid,
                "reference": f"ADU-2026-{cid:06d}",
                "category_id": rng.choice(categories),
                "region_id": rng.choice(regions),
                "team_id": team,
                "status": rng.choice(STATUSES),
                "reported_party": f"Dinas {rng.randrange(500)}",
                "report_count": 0,
                "first_reported_at": created,
                "created_at": created,
                "updated_at": created,
                "due_at": created + timedelta(days=7),
                "learned_on": created.date(),
                "priority": 0,
                "is_published": False,
                "version": 1,
            }
        )
        events.append(created_event_row(cid, created))
    _insert(Case, rows, batch)
    _insert(CaseEvent, events, batch)
    case_ids = [r["id"] for r in rows]
    # every case gets one report, the rest go to random cases
    owners = case_ids + [rng.choice(case_ids) for _ in range(max(0, n_reports - n_cases))]
    first_report = (db.session.scalar(sa.select(sa.func.max(Report.id))) or 0) + 1
    reports, links, evidence = [], [], []
    for j, cid in enumerate(owners):
        rid = first_report + j
        created = NOW - timedelta(minutes=rng.randrange(180 * 24 * 60))
        reports.append(
            {
                "id": rid,
                "case_id": cid,
                "tracking_hash": f"{rid:064x}",
                "category_id": rows[cid - first_case]["category_id"],
                "region_id": rows[cid - first_case]["region_id"],
                "reported_party": rows[cid - first_case]["reported_party"],
                "reported_account": rng.choice(accounts),
                "answers": {},
                "description": f"Laporan {rid}: unggahan kampanye oleh akun resmi.",
                "visibility": "anonymous",
                "language": "id",
                "source": "web",
                "created_at": created,
            }
        )
        if rng.random() < 0.4:
            links.append(
                {
                    "report_id": rid,
                    "url_given": f"https://instagram.com/p/P{cid}/",
                    "url_canonical": f"https://www.instagram.com/p/P{cid}/",
                    "platform": "instagram",
                    "post_id": f"P{cid}",
                    "created_at": created,
                }
            )
        if rng.random() < 0.5:
            sha = hashlib.sha256(f"e{rid}".encode()).hexdigest()
            evidence.append(evidence_row(rid, sha, f"{rng.getrandbits(64):016x}", created))
    _insert(Report, reports, batch)
    _insert(Link, links, batch)
    _insert(Evidence, evidence, batch)
    db.session.execute(
        sa.update(Case).values(
            report_count=sa.select(sa.func.count(Report.id))
            .where(Report.case_id == Case.id)
            .scalar_subquery()
        )
    )
    if db.engine.dialect.name == "postgresql":  # explicit ids leave the sequences behind
        for table in ("case", "report"):
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
            )
    db.session.commit()


def _insert(model, rows: list[dict], batch: int) -> None:  # noqa: ANN001
    for start in range(0, len(rows), batch):
        db.session.execute(sa.insert(model), rows[start : start + batch])
