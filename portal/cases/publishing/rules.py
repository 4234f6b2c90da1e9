"""Which screenshots may go public: the one rule every publishing step asks."""

from portal.evidence.models import Evidence


def may_publish_evidence(evidence: Evidence) -> bool:
    """A screenshot may be published only as a redacted copy, or as its clean copy when an
    officer explicitly approved it without redaction (a recorded decision). Rules for at-risk
    reporters tighten this function, so that every publishing path follows them."""
    return evidence.latest_redaction is not None or evidence.unredacted_approval is not None
