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
    """The clean copy and thumbnail: the case's own reporter, the staff who handle the case, or
    the public once the case and the file are published and no redacted copy replaces it."""
    if tracked_report_id is not None and tracked_report_id == evidence.report_id:
        return True
    if is_public(evidence) and evidence.latest_redaction is None:
        return True
    return staff_may_see(evidence, user)


def is_public(evidence: Evidence) -> bool:
    """The case is published and the officer ticked this image for publishing."""
    return evidence.is_publishable and evidence.report.case.is_published


def may_view_public_copy(evidence: Evidence, *, user: Any) -> bool:
    """The public copy (the newest redacted copy, else the clean copy): everyone once
    published, and the staff of the case before, to check what will be shown."""
    return is_public(evidence) or staff_may_see(evidence, user)
