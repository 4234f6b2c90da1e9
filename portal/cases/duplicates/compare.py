"""Both sides of a suggested duplicate: each case's links with their captures, and every
screenshot its reports carry, so an officer sees whether the posts differ before merging."""

from dataclasses import dataclass

import sqlalchemy as sa

from portal.capture.models import Capture
from portal.cases.models import Case
from portal.db import db
from portal.evidence.models import Evidence, Link
from portal.intake.models import Report


@dataclass(frozen=True)
class SideLink:
    url: str
    account: str | None
    capture: Capture | None


@dataclass(frozen=True)
class Side:
    case: Case
    links: list[SideLink]
    evidence: list[Evidence]
    accounts: list[str]


def get_side(case: Case) -> Side:
    """What one case holds for a comparison: links (with captures), screenshots, accounts."""
    rows = db.session.execute(
        sa.select(Link.url_canonical, sa.func.min(Link.url_given), sa.func.min(Link.account))
        .join(Report, Report.id == Link.report_id)
        .where(Report.case_id == case.id)
        .group_by(Link.url_canonical)
        .order_by(sa.func.min(Link.id))
    ).all()
    urls = [row[0] for row in rows if row[0]]
    captures = (
        {
            c.url_canonical: c
            for c in db.session.scalars(sa.select(Capture).where(Capture.url_canonical.in_(urls)))
        }
        if urls
        else {}
    )
    links = [
        SideLink(row[0] or row[1], row[2], captures.get(row[0]) if row[0] else None) for row in rows
    ]
    evidence = list(
        db.session.scalars(
            sa.select(Evidence)
            .join(Report, Report.id == Evidence.report_id)
            .where(Report.case_id == case.id)
            .order_by(Evidence.id)
        )
    )
    accounts = sorted(
        {
            report.reported_account.strip()
            for report in db.session.scalars(sa.select(Report).where(Report.case_id == case.id))
            if report.reported_account and report.reported_account.strip()
        }
    )
    return Side(case, links, evidence, accounts)
