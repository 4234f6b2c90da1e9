"""Reads of the evidence area: who may see which file."""

from typing import Any

from portal.accounts.models import Role
from portal.db import db
from portal.evidence.models import Evidence


def get_evidence(evidence_id: int) -> Evidence | None:
    """One evidence row, or None."""
    return db.session.get(Evidence, evidence_id)


def staff_may_see(evidence: Evidence, user: Any) -> bool:
    """Admins see every case; other staff only the cases of their own team."""
    if user is None or not user.is_active:
        return False
    return user.role == Role.ADMIN or (
        user.team_id is not None and evidence.report.case.team_id == user.team_id
    )


def may_view_clean(evidence: Evidence, *, tracked_report_id: Any, user: Any) -> bool:
    """The clean copy and thumbnail: the case's own reporter, the public once the case and the
    file are published, or the staff who handle the case."""
    if tracked_report_id is not None and tracked_report_id == evidence.report_id:
        return True
    if evidence.is_publishable and evidence.report.case.is_published:
        return True
    return staff_may_see(evidence, user)
