"""The formal laporan path in the demo (issue 10): the Diskominfo case's first report as a
registered laporan, its third as one waiting for the resident to complete it (no witness yet);
the anonymous second report stays *informasi awal*. The supervisor is the team's identity
custodian. Everything goes through the real operations, as a resident and officers would."""

from datetime import date, datetime, timedelta

from flask import current_app

from portal.accounts.models import Team, User
from portal.cases.identity.operations import appoint_custodian
from portal.cases.identity.queries import list_custodians
from portal.cases.models import Case
from portal.cases.registration.operations import register_laporan, request_completion
from portal.db import utcnow
from portal.demo.shared import screenshot
from portal.intake.formal.drafts import FormalDraft, Witness, clean_formal
from portal.intake.formal.operations import add_formal_laporan, store_id_card
from portal.intake.models import Report
from portal.intake.queries import get_report_by_idempotency_key

PARTY = {
    "party_name": "Diskominfo Kota Lubuk Linggau",
    "party_address": "Jl. Garuda No. 1, Lubuk Linggau",
    "party_phone": "",
    "party_nip": "",
    "party_agency": "Dinas Komunikasi dan Informatika Kota Lubuk Linggau",
    "party_position": "Pengelola akun resmi",
    "party_ppk": "Wali Kota Lubuk Linggau",
}


def _identity(name: str, nik: str) -> dict:
    return {
        "full_name": name,
        "nik": nik,
        "birth_place": "Lubuk Linggau",
        "birth_date": date(1988, 3, 14),
        "sex": "P",
        "occupation": "Wiraswasta",
        "nationality": "Indonesia",
        "address": "Jl. Yos Sudarso No. 12, Lubuk Linggau",
        "phone": "081234567890",
        "email": "",  # optional; demo addresses (@demo.test) pass only a test app's email rules
    }


def _laporan(report: Report, draft: FormalDraft, now: datetime):
    report.incident_at = report.incident_at or now - timedelta(days=1, hours=3)
    cleaned, problems = clean_formal(draft, today=now.date())
    assert not problems, problems  # the demo's own answers are valid
    return add_formal_laporan(report=report, draft=cleaned, id_card=store_id_card(cleaned), now=now)


def add_demo_laporans(cases: dict[str, Case], users: dict[str, User], team: Team) -> None:
    """Called by `flask demo load` for cases it filed in this load only (so: once)."""
    now = utcnow()
    supervisor, officer = users["supervisor"], users["petugas"]
    held = {(c.user_id, c.team_id) for c in list_custodians()}
    if (supervisor.id, team.id) not in held:
        appoint_custodian(user=supervisor, team=team, actor=users["admin"])
    if "kominfo-1" not in cases:  # filed by an earlier load, laporan and all
        return
    first = get_report_by_idempotency_key("demo-kominfo-1")
    third = get_report_by_idempotency_key("demo-kominfo-3")
    if first is None:
        return
    registered = _laporan(
        first,
        FormalDraft(
            identity=_identity("Warga Demo Satu", "1673014403880001"),
            party=PARTY,
            is_civil_servant=False,
            event_place="Akun Instagram @diskominfo.lubuklinggau",
            witnesses=(Witness("Rudi Hartono", "Jl. Merdeka No. 3, Lubuk Linggau"),),
            id_card=("ktp.png", screenshot("KTP", 7)),
        ),
        now,
    )
    register_laporan(
        laporan=registered,
        actor=supervisor,
        now=now,
        region=current_app.config["REGISTRATION_REGION_CODE"],
    )
    if third is not None:
        waiting = _laporan(
            third,
            FormalDraft(
                identity=_identity("Warga Demo Tiga", "1673014403880003"),
                party=PARTY,
                event_place="Akun Instagram @diskominfo.lubuklinggau",
                id_card=("ktp.png", screenshot("KTP", 9)),
            ),
            now,
        )
        request_completion(
            laporan=waiting,
            missing=["witnesses"],
            note="Mohon sebutkan saksi yang juga melihat unggahan itu.",
            actor=officer,
            now=now,
        )
