"""Publishing a case: an officer writes the public text, optionally a second person approves.

Any status may be published (an ongoing case of public interest as much as a decided one):
what goes public is only the text the officer writes here, the reported party as the officer
words it, and the evidence they tick (only redacted or explicitly approved copies, see
`rules.may_publish_evidence`), never the reports themselves. Merged cases are refused:
the surviving case is the one to publish.
"""

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.cases.history import record_event
from portal.cases.models import Case, Visibility
from portal.cases.publishing.models import Publication, PublicationState
from portal.cases.publishing.rules import may_publish_evidence
from portal.db import db, utcnow
from portal.evidence.models import Evidence
from portal.intake.models import Report

logger = logging.getLogger(__name__)
MAX_SUMMARY = 4000


class PublishError(Exception):
    """A refused publishing step; str() is a translated message for the officer."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def get_publication(case: Case) -> Publication | None:
    """The latest publication request of a case (the one that counts)."""
    return db.session.scalar(
        sa.select(Publication)
        .where(Publication.case_id == case.id)
        .order_by(Publication.id.desc())
        .limit(1)
    )


def get_published(case: Case) -> Publication | None:
    """The publication currently shown on the public site, if any."""
    return db.session.scalar(
        sa.select(Publication).where(
            Publication.case_id == case.id, Publication.state == PublicationState.PUBLISHED
        )
    )


def list_case_evidence(case: Case) -> list[Any]:
    """Every image of every report of the case, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Evidence)
            .join(Report, Evidence.report_id == Report.id)
            .where(Report.case_id == case.id)
            .order_by(Evidence.id)
        )
    )


def publish_case(
    *,
    case: Case,
    actor: Any,
    summary: str,
    reported_party_public: str = "",
    publishable_evidence_ids: Iterable[int] = (),
) -> Publication:
    """Publish a case, or ask for review first when PUBLISH_REQUIRES_REVIEW is set (flushes)."""
    summary = (summary or "").strip()
    if case.merged_into_id is not None:
        raise PublishError(_l("This case was merged into another one; publish that case."))
    if not summary:
        raise PublishError(_l("Write a public summary first."))
    if len(summary) > MAX_SUMMARY:
        raise PublishError(_l("The public summary is too long."))
    wanted = {int(i) for i in publishable_evidence_ids}
    if not wanted <= {e.id for e in list_case_evidence(case)}:
        raise PublishError(_l("Choose only evidence of this case."))
    _check_publishable(case, wanted)
    previous = get_publication(case)
    if previous is not None and previous.state == PublicationState.PENDING:
        previous.state = PublicationState.WITHDRAWN
        previous.note = "superseded"
    publication = Publication(
        case_id=case.id,
        summary=summary,
        reported_party=(reported_party_public or "").strip()[:300],
        evidence_ids=sorted(wanted),
        requested_by_id=actor.id,
        requested_at=utcnow(),
        state=PublicationState.PENDING,
    )
    db.session.add(publication)
    db.session.flush()
    if current_app.config["PUBLISH_REQUIRES_REVIEW"]:
        record_event(
            case, "publication_requested", actor=actor, data={"publication_id": publication.id}
        )
        logger.info("Publication of case %s requested by user %s", case.id, actor.id)
    else:
        _apply(case, publication, actor)
    return publication


def approve_publication(*, case: Case, actor: Any) -> Publication:
    """A second officer or a supervisor approves the pending request (flushes)."""
    publication = _pending(case)
    if publication.requested_by_id == actor.id:
        raise PublishError(_l("Someone other than the requester must approve the publication."))
    _apply(case, publication, actor)
    return publication


def reject_publication(*, case: Case, actor: Any, note: str = "") -> Publication:
    """Refuse the pending request; the case stays private (flushes)."""
    publication = _pending(case)
    publication.state = PublicationState.REJECTED
    publication.reviewed_by_id, publication.reviewed_at = actor.id, utcnow()
    publication.note = (note or "").strip() or None
    record_event(case, "publication_rejected", actor=actor, data={"publication_id": publication.id})
    return publication


def unpublish_case(*, case: Case, actor: Any, reason: str) -> None:
    """Take a case off the public site; its evidence is no longer publishable (flushes)."""
    publication = get_published(case)
    if not case.is_published or publication is None:
        raise PublishError(_l("This case is not published."))
    if not (reason or "").strip():
        raise PublishError(_l("Say why the case is taken off the public site."))
    publication.state = PublicationState.WITHDRAWN
    publication.note = reason.strip()
    case.is_published = False
    for evidence in list_case_evidence(case):
        evidence.is_publishable = False
    db.session.flush()
    record_event(case, "unpublished", actor=actor, data={"reason": reason.strip()})
    logger.info("Case %s unpublished by user %s", case.id, actor.id)


def _pending(case: Case) -> Publication:
    publication = get_publication(case)
    if publication is None or publication.state != PublicationState.PENDING:
        raise PublishError(_l("There is no publication waiting for review."))
    return publication


def _check_publishable(case: Case, chosen: set[int]) -> None:
    """Refuse when a chosen image is neither redacted nor approved without redaction."""
    for number, evidence in enumerate(list_case_evidence(case), start=1):
        if evidence.id in chosen and not may_publish_evidence(evidence):
            raise PublishError(
                _l(
                    "Image %(n)s is neither redacted nor approved without redaction: "
                    "redact it or approve it first.",
                    n=number,
                )
            )


def _apply(case: Case, publication: Publication, actor: Any) -> None:
    """Make the publication the public face of the case and record it in the chain."""
    now = utcnow()
    replaced = get_published(case)
    if replaced is not None:
        replaced.state, replaced.note = PublicationState.WITHDRAWN, "replaced"
    publication.state = PublicationState.PUBLISHED
    publication.reviewed_by_id, publication.reviewed_at = actor.id, now
    chosen = set(publication.evidence_ids or [])
    _check_publishable(case, chosen)
    for evidence in list_case_evidence(case):
        evidence.is_publishable = evidence.id in chosen
    case.is_published = True
    case.public_summary = publication.summary
    case.published_at = now
    db.session.flush()
    record_event(
        case,
        "published",
        visibility=Visibility.PUBLIC,
        actor=actor,
        data={"summary": publication.summary, "publication_id": publication.id},
    )
    logger.info("Case %s published by user %s", case.id, actor.id)
