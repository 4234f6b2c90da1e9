"""Which screenshots may go public: the one rule every publishing step asks."""

from portal.cases.identity.queries import is_at_risk
from portal.evidence.models import Evidence


def may_publish_evidence(evidence: Evidence) -> bool:
    """A screenshot may be published only as a redacted copy, or as its clean copy when an
    officer explicitly approved it without redaction (a recorded decision). When a reporter of
    the case fears retaliation, only a redacted copy: a clean screenshot can show who took it."""
    if evidence.latest_redaction is not None:
        return True
    return evidence.unredacted_approval is not None and not is_at_risk(evidence.report.case_id)
