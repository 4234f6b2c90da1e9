"""Helpers for the duplicates, referrals and audit tests: reports filed through place_report,
and evidence rows with chosen perceptual hashes."""

import secrets
from datetime import timedelta

import sqlalchemy as sa

from portal.cases.models import Case
from portal.cases.operations import place_report
from portal.db import db, utcnow
from portal.evidence.links import canonicalize_link
from portal.evidence.models import Evidence, Link
from portal.intake.models import Report
from portal.reference.models import Category


def file_report(
    *,
    category: str = "akun-resmi-kampanye",
    links=(),
    phashes=(),
    account=None,
    hours_ago: float = 0,
    description: str = "Unggahan kampanye",
) -> Report:
    """A report placed like intake does: links attached before place_report, evidence after."""
    cat = db.session.scalar(sa.select(Category).where(Category.code == category))
    report = Report(
        tracking_hash=secrets.token_hex(32),
        category=cat,
        category_id=cat.id,
        description=description,
        reported_account=account,
        created_at=utcnow() - timedelta(hours=hours_ago),
    )
    for url in links:
        found = canonicalize_link(url)
        report.links.append(
            Link(
                url_given=found.url_given,
                url_canonical=found.url_canonical,
                platform=found.platform,
                post_id=found.post_id,
                account=found.account,
            )
        )
    place_report(report)
    for phash in phashes:
        add_evidence(report, phash)
    db.session.flush()
    return report


def add_evidence(report: Report, phash: str) -> Evidence:
    """An evidence row with a chosen perceptual hash (no files behind it)."""
    digest = secrets.token_hex(32)
    evidence = Evidence(
        report_id=report.id,
        original_key=f"sealed/{digest}",
        clean_key=f"clean/{digest}.png",
        thumb_key=f"thumb/{digest}.webp",
        original_format="PNG",
        clean_mime="image/png",
        sha256_original=digest,
        sha256_clean=digest,
        size_original=1,
        size_clean=1,
        width=10,
        height=10,
        phash=phash,
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


def case_of(report: Report) -> Case:
    db.session.refresh(report)
    return db.session.get(Case, report.case_id)


def flip(phash: str, bits) -> str:
    """The hash with the given bit positions inverted."""
    value = int(phash, 16)
    for bit in bits:
        value ^= 1 << bit
    return f"{value:016x}"
