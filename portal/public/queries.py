"""Reads of published cases, as projections."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from portal.cases.models import Case, CaseEvent, Status, Visibility
from portal.cases.publishing.models import Publication, PublicationState
from portal.db import db
from portal.evidence.models import Evidence
from portal.public.projections import PublicCase, PublicEvent, PublicImage, to_day
from portal.reference.models import Category, Region

MAX_PAGE = 400  # 10,000 cases deep; past that, filters narrow the list faster


def public_select() -> sa.Select:
    """Published cases joined with what they publish: one row per case, public columns only."""
    return (
        sa.select(
            Case.id,
            Case.reference,
            Category.code.label("category_code"),
            Category.name_id,
            Category.name_en,
            Region.code.label("region_code"),
            Region.name.label("region_name"),
            Publication.reported_party,
            Case.status,
            Case.outcome,
            Publication.summary,
            Case.created_at,
            Case.published_at,
            Case.resolved_at,
            Case.updated_at,
            Publication.evidence_ids,
        )
        .join(
            Publication,
            sa.and_(
                Publication.case_id == Case.id, Publication.state == PublicationState.PUBLISHED
            ),
        )
        .join(Category, Category.id == Case.category_id)
        .outerjoin(Region, Region.id == Case.region_id)
        .where(Case.is_published.is_(True))
    )


def to_public_case(row: Any, timeline: tuple = (), thumbnails: tuple = ()) -> PublicCase:
    """The projection of one public_select() row."""
    return PublicCase(
        reference=row.reference,
        category_code=row.category_code,
        category_name_id=row.name_id,
        category_name_en=row.name_en,
        region_code=row.region_code,
        region_name=row.region_name,
        reported_party=row.reported_party or "",
        status=row.status,
        outcome=row.outcome,
        summary=row.summary,
        opened_on=to_day(row.created_at),
        published_on=to_day(row.published_at),
        resolved_on=to_day(row.resolved_at),
        updated_on=to_day(row.updated_at),
        timeline=timeline,
        thumbnails=thumbnails,
    )


def get_public_case(reference: str) -> PublicCase | None:
    """A published case with its public timeline and publishable thumbnails; None otherwise."""
    row = db.session.execute(public_select().where(Case.reference == reference)).first()
    if row is None:
        return None
    return to_public_case(row, list_public_events(row.id), _thumbnails(row.evidence_ids))


def list_public_events(case_id: int) -> tuple[PublicEvent, ...]:
    """The public entries of a case's history: kind, day, the status reached, public text."""
    events = db.session.scalars(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id == case_id, CaseEvent.visibility == Visibility.PUBLIC)
        .order_by(CaseEvent.seq)
    )
    result = []
    for event in events:
        data = event.data or {}
        status = data.get("after") if data.get("after") in set(Status) else None
        text = data.get("summary") if event.kind == "published" else None
        referral = event.kind in ("referred", "referral_answered")
        result.append(
            PublicEvent(
                kind=event.kind,
                day=to_day(event.created_at),
                status=status,
                text=text,
                body=data.get("body") if referral else None,
                sanction_applied=data.get("sanction_applied") if referral else None,
            )
        )
    return tuple(result)


def _thumbnails(evidence_ids: list | None) -> tuple[PublicImage, ...]:
    """The evidence the officer marked publishable, as the public sees it (the newest redacted
    copy, else the approved clean copy), each picture once: two residents who sent the same
    screenshot have two rows with one clean copy (the same SHA-256)."""
    if not evidence_ids:
        return ()
    rows = db.session.scalars(
        sa.select(Evidence)
        .where(Evidence.id.in_([int(i) for i in evidence_ids]), Evidence.is_publishable.is_(True))
        .options(selectinload(Evidence.redactions))
        .order_by(Evidence.id)
    )
    images, seen = [], set()
    for evidence in rows:
        redaction = evidence.latest_redaction
        sha256 = redaction.sha256 if redaction is not None else evidence.sha256_clean
        if sha256 in seen:
            continue
        seen.add(sha256)
        try:
            thumb = url_for("evidence.public_thumbnail", evidence_id=evidence.id)
            image = url_for("evidence.public_image", evidence_id=evidence.id)
        except BuildError:
            break
        images.append(
            PublicImage(thumbnail=thumb, image=image, width=evidence.width, height=evidence.height)
        )
    return tuple(images)


@dataclass(frozen=True)
class CasePage:
    items: tuple[PublicCase, ...]
    page: int
    has_next: bool


def list_public_cases(
    *,
    page: int = 1,
    per_page: int = 25,
    category_id: int | None = None,
    region_id: int | None = None,
) -> CasePage:
    """One page of published cases, newest first."""
    query = public_select()
    if category_id:
        query = query.where(Case.category_id == category_id)
    if region_id:
        query = query.where(Case.region_id == region_id)
    query = query.order_by(Case.created_at.desc(), Case.id.desc())
    rows = db.session.execute(query.limit(per_page + 1).offset((page - 1) * per_page)).all()
    items = tuple(to_public_case(r) for r in rows[:per_page])
    return CasePage(items=items, page=page, has_next=len(rows) > per_page)


def iter_public_cases(batch: int = 1000) -> Iterator[PublicCase]:
    """Every published case in reference order, read in batches (for streamed exports)."""
    last_id = 0
    while True:
        rows = db.session.execute(
            public_select().where(Case.id > last_id).order_by(Case.id).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield to_public_case(row)
        last_id = rows[-1].id
