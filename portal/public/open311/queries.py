"""Open311 GeoReport v2 data: services from categories, requests from cases.

service_request_id is the case reference. Any case answers by id with non-identifying fields
(id, service, status, dates); the rest stays null until the case is published.
Dates are whole days in the portal's time zone, like every public page.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from portal.accounts.models import Team
from portal.cases.models import Case
from portal.cases.publishing.models import Publication, PublicationState
from portal.cases.workflow import FINISHED, OUTCOME_LABELS, STATUS_LABELS
from portal.db import db
from portal.evidence.models import Evidence
from portal.i18n import current_language
from portal.reference.geo import Place, locate
from portal.reference.models import Category, Region

SPEC = "http://wiki.open311.org/GeoReport_v2"
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
REPORTED_PARTY = "reported_party"


def service(category: Category, lang: str) -> dict[str, Any]:
    """One entry of the service list."""
    return {
        "service_code": category.code,
        "service_name": category.name(lang),
        "description": category.description(lang),
        "metadata": True,
        "type": "realtime",
        "keywords": category.group.replace("_", " "),
        "group": category.group,
    }


def definition(category: Category, lang: str) -> dict[str, Any]:
    """The service definition: the reported party, then the category's own questions."""
    attributes = [
        {
            "variable": True,
            "code": REPORTED_PARTY,
            "datatype": "string",
            "required": True,
            "datatype_description": _("Institution, office or official reported"),
            "order": 1,
            "description": _("Who did it (institution, office or official)"),
            "values": [],
        }
    ]
    for order, question in enumerate(category.questions or [], start=2):
        is_list = question.get("type") == "select"
        label = question.get("label_en" if lang == "en" else "label_id") or question["code"]
        attributes.append(
            {
                "variable": True,
                "code": question["code"],
                "datatype": "singlevaluelist" if is_list else "string",
                "required": bool(question.get("required")),
                "datatype_description": _("Choose one value") if is_list else None,
                "order": order,
                "description": label,
                "values": [
                    {
                        "key": c["value"],
                        "name": c.get("label_en" if lang == "en" else "label_id") or c["value"],
                    }
                    for c in question.get("choices", [])
                ]
                if is_list
                else [],
            }
        )
    return {"service_code": category.code, "attributes": attributes}


def _day_iso(moment: datetime | None) -> str | None:
    """Midnight of the moment's local day, ISO 8601 with its offset."""
    if moment is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    day = moment.astimezone(zone).date()
    return datetime.combine(day, time.min, zone).isoformat()


def request_select() -> sa.Select:
    """Cases with what a request shows: joined reference data and the live publication."""
    return (
        sa.select(Case, Category, Region, Team, Publication)
        .join(Category, Category.id == Case.category_id)
        .outerjoin(Region, Region.id == Case.region_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(
            Publication,
            sa.and_(
                Publication.case_id == Case.id, Publication.state == PublicationState.PUBLISHED
            ),
        )
    )


def as_requests(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Cases as Open311 requests, with the first publishable image of each found in one query."""
    publications = [row[4] for row in rows if row[0].is_published and row[4] is not None]
    firsts = _first_images(publications)
    return [as_request(row, firsts) for row in rows]


def as_request(row: Any, first_images: dict[int, int]) -> dict[str, Any]:
    """A case as an Open311 request; private details null unless published."""
    case, category, region, team, publication = row
    lang = current_language()
    published = bool(case.is_published and publication is not None)
    status_note = None
    if published:
        label = OUTCOME_LABELS.get(case.outcome) or STATUS_LABELS.get(case.status)
        status_note = str(label) if label else None
    item = dict.fromkeys(REQUEST_FIELDS)
    item.update(
        {
            "service_request_id": case.reference,
            "status": "closed" if case.status in FINISHED else "open",
            "service_name": category.name(lang),
            "service_code": category.code,
            "requested_datetime": _day_iso(case.created_at),
            "updated_datetime": _day_iso(case.updated_at),
        }
    )
    if published:
        item.update(
            {
                "status_notes": status_note,
                "description": publication.summary,
                "agency_responsible": team.name if team else None,
                "expected_datetime": _day_iso(case.due_at) if case.status not in FINISHED else None,
                "address": region.name if region else None,
                "address_id": region.code if region else None,
                "media_url": _media_url(publication, first_images),
            }
        )
    return item


def _first_images(publications: list[Publication]) -> dict[int, int]:
    """Publication id -> the lowest id of its images that may be published."""
    wanted = {p.id: {int(i) for i in p.evidence_ids or []} for p in publications}
    ids = set().union(*wanted.values())
    if not ids:
        return {}
    publishable = sorted(
        db.session.scalars(
            sa.select(Evidence.id).where(Evidence.id.in_(ids), Evidence.is_publishable.is_(True))
        )
    )
    return {
        pid: next(i for i in publishable if i in own)
        for pid, own in wanted.items()
        if own.intersection(publishable)
    }


def _media_url(publication: Publication, first_images: dict[int, int]) -> str | None:
    first = first_images.get(publication.id)
    try:
        return (
            url_for("evidence.public_thumbnail", evidence_id=first, _external=True)
            if first
            else None
        )
    except BuildError:
        return None


def find_requests(ids: list[str]) -> list[dict[str, Any]]:
    """Requests by id, in the order asked; unknown ids are left out."""
    rows = db.session.execute(request_select().where(Case.reference.in_(ids))).all()
    by_id = {row[0].reference: item for row, item in zip(rows, as_requests(rows), strict=True)}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


def search_requests(
    *,
    codes: list[str],
    statuses: list[str],
    start: datetime | None,
    end: datetime | None,
    page: int,
    page_size: int,
) -> list[dict[str, Any]]:
    """Published requests, newest first; the last 90 days when no dates are given."""
    if start is None and end is None:
        start = datetime.now(UTC) - timedelta(days=90)
    query = request_select().where(Case.is_published.is_(True))
    if start is not None:
        query = query.where(Case.created_at >= start)
    if end is not None:
        query = query.where(Case.created_at <= end)
    if codes:
        # Ids, not a join condition: the newest-first index then serves the LIMIT directly.
        ids = list(db.session.scalars(sa.select(Category.id).where(Category.code.in_(codes))))
        query = query.where(Case.category_id.in_(ids))
    if statuses == ["open"]:
        query = query.where(Case.status.not_in([str(s) for s in FINISHED]))
    elif statuses == ["closed"]:
        query = query.where(Case.status.in_([str(s) for s in FINISHED]))
    query = query.order_by(Case.created_at.desc(), Case.id.desc())
    rows = db.session.execute(query.limit(page_size).offset((page - 1) * page_size)).all()
    return as_requests(rows)


def find_region(address_id: str, address_string: str) -> Region | None:
    """The region an Open311 location names: address_id is a region code, or a name in text."""
    regions = list(db.session.scalars(sa.select(Region).where(Region.kind != "province")))
    if address_id:
        return next((r for r in regions if r.code == address_id.strip()), None)
    text = " ".join(address_string.lower().split())
    for region in sorted(regions, key=lambda r: -len(r.name)):
        bare = region.name.lower().removeprefix("kota ").removeprefix("kabupaten ")
        if region.name.lower() in text or bare in text:
            return region
    return None


def region_at(lat: float, lon: float) -> tuple[Place, Region | None]:
    """Where a point is, and its city or regency when the boundaries name one that is active."""
    place = locate(lat, lon, margin=float(current_app.config["OPEN311_AREA_MARGIN_DEGREES"]))
    if place.region_code is None:
        return place, None
    region = db.session.scalar(
        sa.select(Region).where(
            Region.code == place.region_code,
            Region.kind != "province",
            Region.is_active.is_(True),
        )
    )
    return place, region
