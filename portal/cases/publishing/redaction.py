"""Redaction for publishing: the redacted copy of a screenshot and the decision to publish a
clean copy without one, each recorded in the case's history. The sealed original and the clean
copy are never changed; a redacted copy is a new file with its own hash."""

import logging
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.cases.history import record_event
from portal.cases.identity.queries import is_at_risk
from portal.cases.models import Case
from portal.cases.publishing.operations import PublishError
from portal.db import db, utcnow
from portal.evidence.models import Evidence, Redaction, UnredactedApproval
from portal.evidence.operations import StoredRedaction, add_redaction

logger = logging.getLogger(__name__)


def redact_evidence(
    *, case: Case, evidence: Evidence, stored: StoredRedaction, actor: Any
) -> Redaction:
    """Record a stored redacted copy as the image's newest version, in the history (flushes)."""
    _check_belongs(case, evidence)
    redaction = add_redaction(evidence=evidence, stored=stored, actor=actor)
    record_event(
        case,
        "evidence_redacted",
        actor=actor,
        data={
            "evidence_id": evidence.id,
            "version": redaction.version,
            "boxes": len(redaction.boxes),
            "sha256": redaction.sha256,
            "sha256_clean": evidence.sha256_clean,
        },
    )
    return redaction


def approve_unredacted(*, case: Case, evidence: Evidence, actor: Any) -> None:
    """Record an officer's decision that the clean copy may be published as it is (flushes)."""
    _check_belongs(case, evidence)
    if evidence.latest_redaction is not None:
        raise PublishError(_l("This image has a redacted copy: that copy is the one published."))
    if evidence.unredacted_approval is not None:
        raise PublishError(_l("This image is already approved for publishing."))
    if is_at_risk(case.id):
        raise PublishError(
            _l("A reporter of this case fears retaliation: publish only a redacted copy.")
        )
    evidence.unredacted_approval = UnredactedApproval(approved_by_id=actor.id, approved_at=utcnow())
    db.session.flush()
    record_event(
        case,
        "evidence_approved_unredacted",
        actor=actor,
        data={"evidence_id": evidence.id, "sha256_clean": evidence.sha256_clean},
    )
    logger.info("Evidence %s approved without redaction by user %s", evidence.id, actor.id)


def _check_belongs(case: Case, evidence: Evidence) -> None:
    if evidence.report.case_id != case.id:
        raise PublishError(_l("Choose only evidence of this case."))
