"""Demo officers, teams and current cases for trying the portal by hand (idempotent)."""

import logging
from datetime import date, timedelta

import sqlalchemy as sa

from portal.accounts.models import Team, User
from portal.accounts.passwords import hash_password
from portal.cases.models import Case, RoutingRule
from portal.cases.operations import add_note, assign_case, send_message
from portal.cases.workflow import change_status
from portal.db import db, utcnow
from portal.demo.shared import PASSWORD, screenshot
from portal.intake.drafts import ReportDraft
from portal.intake.operations import submit_report
from portal.intake.queries import get_report_by_idempotency_key
from portal.reference.models import Category, Region

logger = logging.getLogger(__name__)
TEAM = {"slug": "bawaslu-lubuklinggau", "name": "Bawaslu Kota Lubuk Linggau"}
USERS = [
    ("admin@demo.test", "Admin Demo", "admin"),
    ("supervisor@demo.test", "Sari Supervisor", "supervisor"),
    ("petugas@demo.test", "Putra Petugas", "officer"),
    ("petugas2@demo.test", "Dewi Petugas", "officer"),
]
POST = "https://www.instagram.com/p/DdemoKominfo01/"
# key, category, region, party, account, description, days since learned, contact email, links
REPORTS = [
    (
        "kominfo-1",
        "akun-resmi-kampanye",
        "16.74",
        "Diskominfo Kota Lubuk Linggau",
        "@diskominfo.lubuklinggau",
        "Akun resmi Diskominfo mengunggah poster kampanye salah satu "
        "calon wali kota, lalu menghapusnya beberapa jam kemudian.",
        1,
        "warga1@demo.test",
        [POST + "?igsh=abc123&utm_source=ig_web_copy_link"],
    ),
    (
        "kominfo-2",
        "akun-resmi-kampanye",
        "16.74",
        "Diskominfo Kota Lubuk Linggau",
        "@diskominfo.lubuklinggau",
        "Saya melihat unggahan kampanye di akun Diskominfo pagi ini.",
        1,
        None,
        [POST],
    ),
    (
        "kominfo-3",
        "akun-resmi-kampanye",
        "16.74",
        "Diskominfo Kota Lubuk Linggau",
        "@diskominfo.lubuklinggau",
        "Poster calon di akun instansi, tangkapan layar terlampir.",
        1,
        "warga3@demo.test",
        [POST.replace("www.", "") + "?utm_medium=copy_link"],
    ),
    (
        "camat",
        "asn-medsos-posting",
        "16.74",
        "Camat Lubuk Linggau Barat",
        "@camat.llg.barat",
        "Camat membagikan foto kampanye di Facebook pribadinya.",
        3,
        "warga4@demo.test",
        [],
    ),
    (
        "kendaraan",
        "fasilitas-negara",
        "16.74",
        "Dinas Perhubungan",
        None,
        "Mobil dinas berpelat merah dipakai mengangkut atribut kampanye.",
        5,
        None,
        [],
    ),
    (
        "pungli",
        "pungli",
        "16.71",
        "Kantor Kelurahan Sukarami",
        None,
        "Diminta membayar Rp50.000 untuk surat keterangan domisili.",
        2,
        "warga6@demo.test",
        [],
    ),
    ("spam", "layanan-publik", "16.71", "", None, "tes tes tes", 0, None, []),
    (
        "sekolah",
        "asn-hadir-kampanye",
        "16.74",
        "Guru SMP Negeri 2",
        None,
        "Beberapa guru ASN hadir di acara kampanye pada jam kerja.",
        6,
        "warga8@demo.test",
        [],
    ),
]


def ensure_team_and_users() -> tuple[Team, dict[str, User]]:
    """The demo team, its logins and its routing rules, made once."""
    team = db.session.scalar(sa.select(Team).where(Team.slug == TEAM["slug"]))
    if team is None:
        team = Team(**TEAM)
        db.session.add(team)
        db.session.flush()
    users = {}
    for email, name, role in USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                name=name,
                role=role,
                team_id=team.id,
                password_hash=hash_password(PASSWORD),
            )
            db.session.add(user)
        users[email.split("@")[0]] = user
    region = db.session.execute(sa.select(Region).where(Region.code == "16.74")).scalar_one()
    for category in db.session.scalars(
        sa.select(Category).where(Category.group.in_(("neutrality", "election")))
    ):
        exists = db.session.scalar(
            sa.select(RoutingRule).where(
                RoutingRule.category_id == category.id, RoutingRule.region_id == region.id
            )
        )
        if exists is None:
            db.session.add(
                RoutingRule(category_id=category.id, region_id=region.id, team_id=team.id)
            )
    db.session.flush()
    return team, users


def file_demo_report(spec: tuple) -> Case | None:
    """File one scenario report through intake, unless an earlier load filed it."""
    key, code, region_code, party, account, text, days, email, links = spec
    if get_report_by_idempotency_key(f"demo-{key}") is not None:
        return None
    draft = ReportDraft(
        category=db.session.scalar(sa.select(Category).where(Category.code == code)),
        region=db.session.scalar(sa.select(Region).where(Region.code == region_code)),
        reported_party=party,
        description=text,
        language="id",
        answers={"platform": "instagram", "account_handle": account} if account else {},
        links=tuple(links),
        screenshots=((f"{key}.png", screenshot(party or key, sum(map(ord, key)))),),
        learned_on=date.today() - timedelta(days=days),
        visibility="confidential" if email else "anonymous",
        contact_name="Warga Demo" if email else None,
        contact_email=email,
        idempotency_key=f"demo-{key}",
    )
    return submit_report(draft, source="web").case


def work_demo_cases(cases: dict[str, Case], users: dict[str, User]) -> None:
    """Move the demo cases along the lifecycle through the real operations."""
    sup, officer, officer2 = users["supervisor"], users["petugas"], users["petugas2"]
    if case := cases.get("kominfo-1"):
        assign_case(case=case, assignee=officer, actor=sup)
        change_status(case=case, to="investigating", actor=officer)
        add_note(
            case=case,
            author=officer,
            body="Unggahan sudah dihapus; arsip tangkapan layar "
            "dari tiga pelapor cocok. Minta jam unggah asli ke pelapor 1.",
        )
        send_message(
            case=case,
            report=case.reports[0],
            author=officer,
            wait_for_reply=True,
            body="Terima kasih. Apakah Anda ingat jam berapa unggahan itu muncul?",
        )
    if case := cases.get("camat"):
        assign_case(case=case, assignee=officer2, actor=sup)
        change_status(case=case, to="investigating", actor=officer2)
        change_status(
            case=case,
            to="resolved",
            actor=officer2,
            outcome="substantiated",
            summary="Terbukti: Camat membagikan materi kampanye. Direkomendasikan "
            "ke BKN untuk sanksi disiplin.",
        )
    if case := cases.get("kendaraan"):
        assign_case(case=case, assignee=officer, actor=sup)
        case.due_at = utcnow() - timedelta(days=1)  # overdue, for `flask cases escalate`
    if case := cases.get("spam"):
        change_status(
            case=case,
            to="rejected",
            actor=sup,
            reason="spam",
            reason_text="Laporan tidak berisi keterangan yang dapat ditindaklanjuti.",
        )
    if case := cases.get("pungli"):
        change_status(case=case, to="triaged", actor=sup)
