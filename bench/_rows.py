"""The rows bench/generate.py writes: cases in the order they came in over two years, almost
all finished, and per case its report, history event, search document, and on some a link and
a screenshot with its perceptual-hash bands."""

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from portal.cases.duplicates.models import band_keys

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
        "case_event": [created_event_row(cid, created)],
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
        rows["evidence"].append({"id": cid, **evidence_row(cid, sha, phash, created)})
        rows["phash_band"] = [
            {"evidence_id": cid, "band_key": key, "phash": phash} for key in band_keys(phash)
        ]
    return rows


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


def evidence_row(report_id: int, sha: str, phash: str, created: datetime) -> dict:
    """A screenshot row of a generated report (its files are never read)."""
    return {
        "report_id": report_id,
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


def created_event_row(case_id: int, created: datetime) -> dict:
    """A generated case's first history event ("created"), the head of its chain."""
    return {
        "case_id": case_id,
        "seq": 1,
        "kind": "created",
        "visibility": "public",
        "actor_label": "system",
        "data": {},
        "created_at": created,
        "prev_hash": "0" * 64,
        "hash": hashlib.sha256(f"{case_id}".encode()).hexdigest(),
    }
