"""POST requests: an Open311 request read into a ReportDraft, checked by the same
validate_draft() as the web form, then filed by submit_report().

media_url is taken as an evidence link (the same checks as the form's links box) and is never
fetched: fetching client-given URLs from the server invites SSRF and cannot be sanitised like an
upload. It stands in for the web form's required screenshot, so it is required here too.
The tracking code is not returned: the API client is an intermediary, and the code opens the
reporter's own page; it goes to the reporter by email when one is given.
"""

import logging
import secrets
from contextlib import suppress
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import abort, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from portal.db import db, unit_of_work, utcnow
from portal.i18n import current_language
from portal.intake.drafts import (
    ANSWERS,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    DraftRules,
    Problem,
    ReportDraft,
    validate_draft,
)
from portal.intake.operations import submit_report
from portal.intake.tracking import new_idempotency_key
from portal.public.apikeys.operations import verify_api_key
from portal.public.models import Open311Ticket
from portal.public.open311.queries import REPORTED_PARTY, find_region, region_at
from portal.public.params import BadParam
from portal.reference.models import Region
from portal.reference.queries import list_categories

logger = logging.getLogger(__name__)
FIELDS = {
    "service_code",
    "description",
    "api_key",
    "jurisdiction_id",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "media_url",
}
# The order in which problems are answered (one per response): draft fields, and the
# request's own ("attributes", "media_url", "location") that could not be read.
ORDER = (
    "category",
    "description",
    "attributes",
    "reported_party",
    ANSWERS,
    "media_url",
    "links",
    "location",
    "region",
    "contact_email",
)
# Open311's words for a draft's problems, by field; other problems keep the web form's words.
WORDS = {
    "category": _l("service_code is missing or unknown."),
    "description": _l(
        "description must be %(min)d to %(max)d characters.",
        min=DESCRIPTION_MIN,
        max=DESCRIPTION_MAX,
    ),
    "reported_party": _l("attribute[reported_party] is required."),
    "region": _l(
        "Name the city or regency: address_id is a region code such as "
        "16.74, or address_string contains its name."
    ),
    "contact_email": _l("email is not a valid address."),
}


def open311_rules() -> DraftRules:
    """What a request can carry: no files and one link, media_url (required by read_draft, as
    it stands in for the web form's screenshot); its phone is free text."""
    return DraftRules(max_files=0, max_file_bytes=current_app.config["MAX_FILE_BYTES"], max_links=1)


def read_draft(form: MultiDict) -> tuple[ReportDraft, dict[str, Any], bool]:
    """The draft a request carries, what of the request could not be read (by name), and
    whether its region is to be confirmed (a point inside the area that no boundary names)."""
    unread: dict[str, Any] = {}
    code = form.get("service_code", "").strip()
    answers = _attributes(form, unread)
    reported_party = answers.pop(REPORTED_PARTY, "")[:300]
    media_url = form.get("media_url", "")
    if not media_url.strip():
        unread["media_url"] = _(
            "media_url is required: a link to the screenshot or the post that is reported."
        )
    region, lat, lon, is_region_pending = _location(form, unread)
    email, name, phone = _contact(form)
    draft = ReportDraft(
        category=next((c for c in list_categories() if c.code == code), None),
        region=region,
        reported_party=reported_party,
        description=form.get("description", "").strip(),
        language=current_language(),
        answers=answers,
        links=tuple(media_url.splitlines()),
        visibility="confidential" if email or name or phone else "anonymous",
        contact_name=name,
        contact_email=email,
        contact_phone=phone,
        latitude=lat,
        longitude=lon,
        idempotency_key=new_idempotency_key(),
    )
    return draft, unread, is_region_pending


def first_problem(unread: dict[str, Any], problems: dict[str, Problem]) -> Any | None:
    """The one problem an error response names, in Open311's words where it has its own."""
    for name in ORDER:
        if name in unread:
            return unread[name]
        found = [
            p
            for key, p in problems.items()
            if key == name or (name == ANSWERS and key.startswith(ANSWERS))
        ]
        if found:
            return WORDS.get(name, found[0].message)
    return next((p.message for p in problems.values()), None)


def _attributes(form: MultiDict, unread: dict[str, Any]) -> dict[str, str]:
    attributes = {}
    for name in form:
        if name in FIELDS:
            continue
        if not (name.startswith("attribute[") and name.endswith("]")) or len(name) > 80:
            unread.setdefault("attributes", _("Unknown field: %(name)s", name=name[:40]))
            continue
        attributes[name[len("attribute[") : -1].removesuffix("]").removesuffix("[")] = (
            form.get(name) or ""
        ).strip()
    return attributes


def _location(
    form: MultiDict, unread: dict[str, Any]
) -> tuple[Region | None, float | None, float | None, bool]:
    """The region named by address_id or address_string, else the one lat/long lie in (or
    none yet, to be confirmed, for a point inside the area that no boundary names)."""
    lat_text, long_text = form.get("lat", "").strip(), form.get("long", "").strip()
    lat = lon = None
    if lat_text or long_text:
        try:
            lat, lon = float(lat_text), float(long_text)
        except ValueError:
            unread["location"] = _("lat and long must both be decimal degrees.")
        else:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                unread["location"] = _("lat or long is out of range.")
    address_id = form.get("address_id", "")[:32]
    address = form.get("address_string", "")[:300]
    if lat is None and not address_id and not address:
        unread.setdefault(
            "location", _("A location is required: lat and long, address_string or address_id.")
        )
    region = find_region(address_id, address)
    if region is not None or lat is None or lon is None or "location" in unread:
        return region, lat, lon, False
    place, region = region_at(lat, lon)
    if not place.is_inside_area:
        unread["location"] = _("lat and long lie outside the area this portal serves.")
    return region, lat, lon, place.is_inside_area and region is None


def _contact(form: MultiDict) -> tuple[str | None, str | None, str | None]:
    """Email (normalised when valid; validate_draft refuses it otherwise), name and phone."""
    email = form.get("email", "").strip()[:254] or None
    if email:
        with suppress(EmailNotValidError):
            email = validate_email(
                email, check_deliverability=False, test_environment=current_app.testing
            ).normalized
    first, last = form.get("first_name", "").strip(), form.get("last_name", "").strip()
    name = " ".join(p for p in (first, last) if p)[:200] or None
    return email, name, form.get("phone", "").strip()[:40] or None


def submit_open311(form: MultiDict, args: MultiDict) -> dict[str, Any]:
    """Check, file and commit one request; the Open311 answer for it."""
    if any("\x00" in v for values in form.listvalues() for v in values):
        raise BadParam(_("A field contains a NUL character."))
    key = verify_api_key(form.get("api_key") or args.get("api_key"))
    if key is None:
        abort(403, description=_("api_key is missing or not valid."))
    draft, unread, is_region_pending = read_draft(form)
    checked = validate_draft(draft, open311_rules())
    problems = checked.problems
    if is_region_pending:  # a point inside the area: triage confirms its region
        problems = {name: p for name, p in problems.items() if name != "region"}
    problem = first_problem(unread, problems)
    if problem is not None:
        raise BadParam(problem)
    token = secrets.token_urlsafe(18)
    with unit_of_work():
        submitted = submit_report(checked.draft, source="open311")
        db.session.add(
            Open311Ticket(
                token=token,
                case_id=submitted.case.id,
                report_id=submitted.report.id,
                api_key_id=key.id,
            )
        )
        key.last_used_at = utcnow()
    logger.info("Open311 request filed as report %s by API key %s", submitted.report.id, key.id)
    notice = _(
        "Received. If an email address was given, the reporter's tracking code was sent there."
    )
    return {
        "service_request_id": submitted.case.reference,
        "token": token,
        "service_notice": notice,
        "account_id": None,
    }
