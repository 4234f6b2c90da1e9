"""`flask demo load`: the demo team, logins, current cases and a six-month history, safe to run
twice, that fills the public pages with figures above the small-cell threshold."""

import csv
import io
import re
import shutil
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.cases.history import verify_chain
from portal.cases.models import Case, CaseEvent
from portal.db import db, utcnow
from portal.demo.history import CASES, make_plans
from tests.conftest import PG_URL, _postgres, _test_config

CURRENT = 8  # the scenario reports of portal/demo.py, in 6 cases


def load(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory, _sqlite_templates):
    """A test folder (uploads, signing key; on SQLite the database file) after one `flask demo
    load`, made once for the module, and on PostgreSQL a snapshot of the database then: the
    tests that only start from the loaded demo get a copy, as the demo load takes a while."""
    from portal import create_app

    folder = tmp_path_factory.mktemp("demo")
    config = _test_config(folder)
    if not PG_URL:
        _sqlite_templates.copy_to(
            folder / "portal.sqlite3",
            lambda uri: create_app(
                _test_config(_sqlite_templates.folder, SQLALCHEMY_DATABASE_URI=uri)
            ),
            seeded=True,
        )
    app = create_app(config)
    if PG_URL:
        _postgres.prepare(app, seeded=True)
    app.config["TESTING"] = False  # load as `make run` does: e.g. email addresses by real rules
    load(app)
    app.config["TESTING"] = True
    with app.app_context():
        snapshot = _postgres.snapshot() if PG_URL else None
        db.session.remove()
        db.engine.dispose()
    return folder, snapshot


@pytest.fixture
def demo_app(make_app, demo_folder, tmp_path):
    """An app on a database where `flask demo load` has run once, as the `app` fixture plus
    load(app) gives: a copy of demo_folder (and on PostgreSQL its snapshot put back)."""
    folder, snapshot = demo_folder
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    app = make_app()
    if snapshot is not None:
        with app.app_context():
            _postgres.put_back(snapshot)
    return app


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def figures(html: str) -> dict[str, list[str]]:
    """Each chart's accessible table: caption -> the shown values, row by row."""
    main = html.split('<main id="main">')[1].split("</main>")[0]
    tables = re.findall(r"<caption[^>]*>(.*?)</caption>(.*?)</table>", main, re.S)
    return {
        title: re.findall(r'<th scope="row">.*?</th><td>(.*?)</td>', body) for title, body in tables
    }


def numbers_at_least(values: list[str], k: int = 5) -> list[int]:
    return [int(v) for v in values if v.isdigit() and int(v) >= k]


def test_demo_load_is_idempotent(app, client, login_as):
    output = load(app)
    assert "petugas@demo.test" in output and "demo-password-123" in output
    with app.app_context():
        cases, events = count(Case), count(CaseEvent)
        statuses = set(db.session.scalars(sa.select(Case.status)))
        kominfo = db.session.scalar(
            sa.select(Case)
            .where(Case.reported_party == "Diskominfo Kota Lubuk Linggau")
            .order_by(Case.id)
        )
        assert kominfo.team.slug == "bawaslu-lubuklinggau"
        supervisor = db.session.scalar(sa.select(User).where(User.email == "supervisor@demo.test"))
        db.session.expunge(supervisor)
    assert cases == CASES + 6
    assert {
        "new",
        "triaged",
        "waiting_for_reporter",
        "resolved",
        "closed",
        "rejected",
        "assigned",
        "investigating",
    } <= statuses
    assert "0 new demo report(s), 0 new past case(s)" in load(app)
    with app.app_context():
        assert (count(Case), count(CaseEvent)) == (cases, events)
        assert count(User) == 6  # the four logins and one officer of each provincial team
    login_as(client, supervisor)
    queue = client.get("/petugas/kasus/")
    assert queue.status_code == 200 and kominfo.reference in queue.text
    assert client.get(f"/petugas/kasus/{kominfo.id}").status_code == 200


def test_history_is_in_the_past_with_valid_chains(demo_app):
    app = demo_app
    with app.app_context():
        now = utcnow()
        cases = list(db.session.scalars(sa.select(Case)))
        assert all(verify_chain(c.id).is_intact for c in cases)
        ages = [(now - c.created_at).days for c in cases]
        assert min(ages) == 0 and 150 <= max(ages) <= 183
        decided = [c for c in cases if c.resolved_at is not None]
        assert all(c.created_at <= c.first_response_at <= c.resolved_at <= now for c in decided)
        late = [c for c in decided if c.resolved_at > c.due_at]
        assert 10 <= len(late) < len(decided) / 2
        overdue = [c for c in cases if c.resolved_at is None and c.due_at < now]
        assert len(overdue) >= 3
        assert max(c.report_count for c in cases) >= 15
        assert {c.team.slug for c in cases} == {
            "bawaslu-lubuklinggau",
            "bawaslu-sumsel",
            "inspektorat-sumsel",
        }


def test_the_plan_is_the_same_every_time():
    now = utcnow()
    first, second = make_plans(now), make_plans(now)
    assert [(p.code, p.region, p.created, p.status, p.reports) for p in first] == [
        (p.code, p.region, p.created, p.status, p.reports) for p in second
    ]
    referrals = [p.referral for p in first if p.referral]
    assert {r["body"] for r in referrals} >= {"bkn", "bawaslu", "inspektorat"}
    assert sum(1 for r in referrals if r["answered"] and r["sanction"] == "yes") >= 10


def test_public_pages_are_informative_in_both_languages(demo_app):
    from portal.public.opendata.heads import publish_heads
    from portal.public.stats import refresh_stats

    app, client = demo_app, demo_app.test_client()
    with app.app_context():
        refresh_stats()
        published = db.session.scalar(
            sa.select(sa.func.count()).select_from(Case).where(Case.is_published.is_(True))
        )
        today = utcnow().astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).date()
        heads = publish_heads(day=today)
        db.session.commit()
    assert published >= 15 and heads == published
    page = client.get("/transparansi").text
    assert f'class="big">{CASES + 6}<' in page
    charts = figures(page)
    assert len(charts) >= 5
    for title, values in charts.items():
        assert len(numbers_at_least(values)) >= 3, (title, values)
    referrals = page.split('id="ref-title"')[1]
    assert len(numbers_at_least(re.findall(r"<td>(\d+)</td>", referrals))) >= 3
    assert "tidak ditampilkan (kasus terlalu sedikit)" not in page
    client.post("/bahasa", data={"lang": "en"})
    english = client.get("/transparansi").text
    assert "By region" in english and "Kota Lubuk Linggau" in english
    assert re.search(r"Median time to first response</dt><dd>\d+ (hours|days)<", english)

    listed = set(re.findall(r'href="/kasus/(ADU-[0-9-]+)"', client.get("/kasus").text))
    assert len(listed) == published
    rows = list(csv.DictReader(io.StringIO(client.get("/data/kasus.csv").text.lstrip("\ufeff"))))
    assert {r["reference"] for r in rows} == listed
    assert all(r["summary"] and r["opened_on"] < str(today - timedelta(days=1)) for r in rows)
    assert len(client.get("/data/kasus.json").get_json()["cases"]) == published
    assert client.get("/data/feed.atom").text.count("<entry>") >= 15
    assert client.get(f"/data/rantai/{today}.json").get_json()["cases"]


def test_the_diskominfo_case_carries_a_registered_and_an_incomplete_laporan(demo_app):
    """Issue 10's demo: the first Diskominfo report is a registered formal laporan, the third
    waits for its witness, the anonymous second is informasi awal; the supervisor holds the
    team's identities. The officer's case page says so."""
    from portal.cases.identity.models import IdentityCustodian
    from portal.intake.formal.models import CompletionRequest, FormalLaporan
    from portal.intake.queries import get_report_by_idempotency_key

    app, client = demo_app, demo_app.test_client()
    with app.app_context():
        first, second, third = (
            get_report_by_idempotency_key(f"demo-kominfo-{n}") for n in (1, 2, 3)
        )
        laporans = {row.report_id: row for row in db.session.scalars(sa.select(FormalLaporan))}
        registered, waiting = laporans[first.id], laporans[third.id]
        assert registered.state == "registered" and "/Reg/LP/" in registered.registration_number
        assert registered.decision_due_at is not None
        assert waiting.state == "incomplete" and second.id not in laporans
        request = db.session.scalar(sa.select(CompletionRequest))
        assert request.laporan_id == waiting.id and request.missing == ["witnesses"]
        custodian = db.session.scalar(sa.select(IdentityCustodian))
        assert custodian.user.email == "supervisor@demo.test"
        case_id, number = first.case_id, registered.registration_number
    assert client.post(
        "/petugas/masuk", data={"email": "petugas@demo.test", "password": "demo-password-123"}
    ).status_code in (302, 303)
    page = client.get(f"/petugas/kasus/{case_id}").text
    assert number in page and "Warga Demo Satu" not in page  # the custodian holds the name
