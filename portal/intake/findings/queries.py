"""Reads of staff intake: the officers who may be named, a case's findings, the reports of a
case that could still be taken up."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.cases.models import Case
from portal.db import db
from portal.intake.findings.models import Finding
from portal.intake.models import Report


def list_team_officers(team_id: int | None) -> list[User]:
    """The active staff of a team, by name: who may be named as the finding officer."""
    if team_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.team_id == team_id, User.is_active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def get_finding_of(report: Report) -> Finding | None:
    """The finding or staff entry a report is, if it is one."""
    return db.session.scalar(sa.select(Finding).where(Finding.report_id == report.id))


def list_case_findings(case: Case) -> list[Finding]:
    """The findings and staff entries among the case's reports, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Finding)
            .join(Report, Report.id == Finding.report_id)
            .where(Report.case_id == case.id)
            .order_by(Finding.id)
            .options(joinedload(Finding.report), joinedload(Finding.officer))
        )
    )


def list_reports_to_take_up(case: Case) -> list[Report]:
    """The case's reports that are not findings or staff entries yet."""
    return list(
        db.session.scalars(
            sa.select(Report)
            .where(Report.case_id == case.id, ~sa.exists().where(Finding.report_id == Report.id))
            .order_by(Report.id)
        )
    )
