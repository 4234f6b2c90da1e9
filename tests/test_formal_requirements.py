"""The syarat formil and materiil, computed in one place (cases/registration/requirements.py),
and registration numbers taken by concurrent officers: never the same number twice."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.cases.registration.requirements import (
    FORMIL,
    MATERIIL,
    LaporanFacts,
    check_requirements,
)
from portal.db import db

NOW = datetime(2024, 12, 3, 12, 42, tzinfo=UTC)
IDENTITY = {
    "full_name": "Siti",
    "nik": "1673012345678901",
    "birth_place": "Lubuk Linggau",
    "birth_date": date(1990, 5, 17),
    "sex": "P",
    "occupation": "Guru",
    "nationality": "Indonesia",
    "address": "Jl. Yos Sudarso 12",
}


def complete(**changes) -> LaporanFacts:
    facts = {
        "identity": IDENTITY,
        "has_id_card": True,
        "party_name": "Diskominfo",
        "party_address": "Jl. Garuda 1",
        "incident_at": NOW - timedelta(days=1),
        "event_place": "Instagram",
        "description": "Akun resmi mengunggah materi kampanye.",
        "evidence_count": 2,
        "witness_count": 1,
        "filed_at": NOW,
        "window_closes_at": NOW + timedelta(days=6),
    }
    facts.update(changes)
    return LaporanFacts(**facts)


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({}, []),
        ({"witness_count": 0}, ["witnesses"]),
        ({"identity": {**IDENTITY, "nik": ""}}, ["reporter_identity"]),
        ({"has_id_card": False, "party_address": " "}, ["id_card", "reported_party"]),
        ({"filed_at": NOW + timedelta(days=7)}, ["on_time"]),
        ({"event_place": ""}, ["time_place"]),
        ({"incident_at": None, "evidence_count": 0}, ["time_place", "evidence"]),
        ({"window_closes_at": None, "filed_at": NOW + timedelta(days=30)}, []),  # no window
    ],
)
def test_each_requirement_is_met_or_named(app, changes, missing):
    with app.test_request_context():
        checklist = check_requirements(complete(**changes), now=NOW)
    assert checklist.missing == missing
    assert checklist.is_complete is (not missing)


def test_the_summary_reads_as_officers_say_it(app):
    with app.test_request_context():
        checklist = check_requirements(complete(witness_count=0), now=NOW)
        assert checklist.summaries() == "syarat formil: lengkap, syarat materiil: 1 kurang (saksi)"
        assert [item.code for item in checklist.group(FORMIL)] == [
            "reporter_identity",
            "id_card",
            "reported_party",
            "on_time",
        ]
        assert len(checklist.group(MATERIIL)) == 4
    with app.test_request_context(), force_english(app):
        checklist = check_requirements(complete(witness_count=0, has_id_card=False), now=NOW)
        assert checklist.summaries() == (
            "formal requirements: 1 missing (ID card), material requirements: 1 missing (witnesses)"
        )


def force_english(app):
    from flask_babel import force_locale

    return force_locale("en")


def test_concurrent_registrations_never_share_a_number(app):
    from portal.accounts.models import Team
    from portal.cases.registration.operations import next_number
    from portal.db import unit_of_work, utcnow

    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.slug == "bawaslu-sumsel"))
        team_id, slug = team.id, team.slug
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def officer() -> None:
        try:
            for _ in range(5):
                with app.app_context(), unit_of_work():
                    number = next_number(
                        team_id=team_id, team_slug=slug, on=utcnow(), region="06.04"
                    )
                with lock:
                    numbers.append(number)
        except BaseException as err:  # noqa: BLE001  (reported below)
            errors.append(err)

    threads = [threading.Thread(target=officer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(numbers) == 20 and len(set(numbers)) == 20
    assert sorted(int(n.split("/")[0]) for n in numbers) == list(range(1, 21))
