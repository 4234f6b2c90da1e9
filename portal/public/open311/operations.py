"""POST requests: an Open311 request checked by the web form's rules, then submit_report().

media_url is taken as an evidence link (the same checks as the form's links box) and is never
fetched: fetching client-given URLs from the server invites SSRF and cannot be sanitised like an
upload. It stands in for the web form's required screenshot, so it is required here too.
The tracking code is not returned: the API client is an intermediary, and the code opens the
reporter's own page; it goes to the reporter by email when one is given.
"""

import logging
import secrets
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import abort, current_app
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal import db as portal_db
from portal.db import db, utcnow
from portal.evidence.operations import storage_guard
from portal.i18n import current_language
from portal.intake.forms import DESCRIPTION_MAX, DESCRIPTION_MIN
from portal.intake.inputs import collect_answers, parse_links, question_field_name
from portal.intake.operations import submit_report
from portal.intake.tracking import new_idempotency_key
from portal.public.apikeys.operations import verify_api_key
from portal.public.models import Open311Ticket
from portal.public.open311.queries import REPORTED_PARTY, find_region
from portal.public.params import BadParam
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


def _attributes(form: MultiDict) -> dict[str, str]:
    attributes = {}
    for name in form:
        if name in FIELDS:
            continue
        if not (name.startswith("attribute[") and name.endswith("]")) or len(name) > 80:
            raise BadParam(_("Unknown field: %(name)s", name=name[:40]))
        attributes[name[len("attribute[") : -1].removesuffix("]").removesuffix("[")] = (
            form.get(name) or ""
        ).strip()
    return attributes


def _location(form: MultiDict) -> tuple[Any, float | None, float | None]:
    lat_text, long_text = form.get("lat", "").strip(), form.get("long", "").strip()
    lat = lon = None
    if lat_text or long_text:
        try:
            lat, lon = float(lat_text), float(long_text)
        except ValueError:
            raise BadParam(_("lat and long must both be decimal degrees.")) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise BadParam(_("lat or long is out of range."))
    address_id = form.get("address_id", "")[:32]
    address = form.get("address_string", "")[:300]
    if lat is None and not address_id and not address:
        raise BadParam(_("A location is required: lat and long, address_string or address_id."))
    region = find_region(address_id, address)
    if region is None:
        raise BadParam(
            _(
                "Name the city or regency: address_id is a region code such as "
                "16.74, or address_string contains its name."
            )
        )
    return region, lat, lon


def _contact(form: MultiDict) -> dict[str, str | None]:
    email = form.get("email", "").strip() or None
    if email:
        try:
            email = validate_email(
                email[:254], check_deliverability=False, test_environment=current_app.testing
            ).normalized
        except EmailNotValidError:
            raise BadParam(_("email is not a valid address.")) from None
    name = (
        " ".join(
            p for p in (form.get("first_name", "").strip(), form.get("last_name", "").strip()) if p
        )[:200]
        or None
    )
    phone = form.get("phone", "").strip()[:40] or None
    return {"contact_email": email, "contact_name": name, "contact_phone": phone}


def _checked(form: MultiDict) -> dict[str, Any]:
    """submit_report() arguments from the form, or BadParam naming the first problem."""
    code = form.get("service_code", "").strip()
    category = next((c for c in list_categories() if c.code == code), None)
    if category is None:
        raise BadParam(_("service_code is missing or unknown."))
    description = form.get("description", "").strip()
    if not DESCRIPTION_MIN <= len(description) <= DESCRIPTION_MAX:
        raise BadParam(
            _(
                "description must be %(min)d to %(max)d characters.",
                min=DESCRIPTION_MIN,
                max=DESCRIPTION_MAX,
            )
        )
    attributes = _attributes(form)
    reported_party = attributes.pop(REPORTED_PARTY, "")[:300]
    if not reported_party:
        raise BadParam(_("attribute[reported_party] is required."))
    lang = current_language()
    answers, errors = collect_answers(
        category,
        MultiDict({question_field_name(category.code, k): v for k, v in attributes.items()}),
        lang,
    )
    if errors:
        raise BadParam(next(iter(errors.values())))
    links, link_error = parse_links(form.get("media_url", ""), max_links=1)
    if link_error or not links:
        raise BadParam(
            link_error
            or _("media_url is required: a link to the screenshot or the post that is reported.")
        )
    region, lat, lon = _location(form)
    contact = _contact(form)
    return {
        "category": category,
        "region": region,
        "reported_party": reported_party,
        "description": description,
        "answers": answers,
        "links": links,
        "files": [],
        "language": lang,
        "visibility": "confidential" if any(contact.values()) else "anonymous",
        **contact,
        "_lat": lat,
        "_long": lon,
    }


def submit_open311(form: MultiDict, args: MultiDict) -> dict[str, Any]:
    """Check, file and commit one request; the Open311 answer for it."""
    if any("\x00" in v for values in form.listvalues() for v in values):
        raise BadParam(_("A field contains a NUL character."))
    key = verify_api_key(form.get("api_key") or args.get("api_key"))
    if key is None:
        abort(403, description=_("api_key is missing or not valid."))
    arguments = _checked(form)
    lat, lon = arguments.pop("_lat"), arguments.pop("_long")
    token = secrets.token_urlsafe(18)
    with storage_guard():
        submitted = submit_report(idempotency_key=new_idempotency_key(), **arguments)
        submitted.report.source = "open311"
        submitted.report.latitude, submitted.report.longitude = lat, lon
        db.session.add(
            Open311Ticket(
                token=token,
                case_id=submitted.case.id,
                report_id=submitted.report.id,
                api_key_id=key.id,
            )
        )
        key.last_used_at = utcnow()
        portal_db.commit()
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
