"""Open311 GeoReport v2 under /open311/v2/: discovery, services, requests, tokens."""

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from portal.access import public
from portal.cases.models import Case
from portal.db import db
from portal.extensions import csrf, limiter
from portal.i18n import current_language
from portal.pagecache import cached_value
from portal.public.models import Open311Ticket
from portal.public.open311.formats import FORMATS, error, respond
from portal.public.open311.operations import submit_open311
from portal.public.open311.queries import (
    SPEC,
    definition,
    find_requests,
    request_select,
    search_requests,
    service,
)
from portal.public.params import BadParam, check_known, has_control, parse_datetime, parse_int
from portal.reference.queries import list_categories

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
LIST_PARAMS = {
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "page",
    "page_size",
    "jurisdiction_id",
    "api_key",
}
PLAIN = {"jurisdiction_id", "api_key"}
MAX_OFFSET = 10_000


def _fmt() -> str:
    return (request.view_args or {}).get("fmt", "xml")


@bp.errorhandler(BadParam)
def _bad_param(err: BadParam) -> Any:
    return error(_fmt(), 400, str(err))


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException) -> Any:
    response = error(_fmt(), err.code or 400, str(err.description or "error"))
    response.headers.extend((k, v) for k, v in err.get_headers() if k == "Retry-After")
    return response


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Open311NotFound(_("Unknown format: use .json or .xml"))


class Open311NotFound(Exception):
    pass


@bp.errorhandler(Open311NotFound)
def _not_found(err: Open311NotFound) -> Any:
    return error("xml" if _fmt() not in FORMATS else _fmt(), 404, str(err))


@bp.get("/discovery.<fmt>")
@public
def discovery(fmt: str) -> Response:
    """Where the API lives and what it speaks."""
    _check_format(fmt)
    check_known(request.args, PLAIN)
    payload = {
        "changeset": "2026-11-25T00:00:00+00:00",
        "contact": current_app.config["OPEN311_CONTACT"],
        "key_service": _("API keys are issued by the portal's administrators."),
        "endpoints": [
            {
                "specification": SPEC,
                "url": url_for(".discovery", fmt=fmt, _external=True).rsplit("/", 1)[0],
                "changeset": "2026-11-25T00:00:00+00:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, payload, "discovery", None)


@bp.get("/services.<fmt>")
@public
def services(fmt: str) -> Response:
    """Every active category as a service."""
    _check_format(fmt)
    check_known(request.args, PLAIN)
    lang = current_language()
    return respond(fmt, [service(c, lang) for c in list_categories()], "services", "service")


@bp.get("/services/<code>.<fmt>")
@public
def service_definition(code: str, fmt: str) -> Response:
    """A service's attributes: the reported party and the category's questions."""
    _check_format(fmt)
    check_known(request.args, PLAIN)
    category = next((c for c in list_categories() if c.code == code), None)
    if category is None:
        raise Open311NotFound(_("Unknown service_code: %(code)s", code=code[:64]))
    return respond(fmt, definition(category, current_language()), "service_definition", None)


@bp.get("/requests.<fmt>")
@public
def list_requests(fmt: str) -> Response:
    """Requests by id (any request, limited fields until published) or by search."""
    _check_format(fmt)
    args = request.args
    check_known(args, LIST_PARAMS)
    ids = _id_list(args.get("service_request_id", ""))
    if ids:
        return respond(fmt, find_requests(ids), "service_requests", "request")
    statuses = _csv(args.get("status", ""))
    if any(s not in ("open", "closed") for s in statuses):
        raise BadParam(_("status must be open, closed or both (comma separated)."))
    start, end = parse_datetime(args, "start_date"), parse_datetime(args, "end_date")
    if start and end and start > end:
        raise BadParam(_("start_date is after end_date."))
    max_size = current_app.config["OPEN311_MAX_PAGE_SIZE"]
    page = parse_int(args, "page", 1, 1, 10_000)
    page_size = parse_int(args, "page_size", current_app.config["OPEN311_PAGE_SIZE"], 1, max_size)
    if (page - 1) * page_size >= MAX_OFFSET:  # deep offsets are slow: narrow the dates instead
        raise BadParam(
            _("Only the first %(n)d results can be paged through; narrow the dates.", n=MAX_OFFSET)
        )
    items = cached_value(
        "open311-requests",
        lambda: search_requests(
            codes=_csv(args.get("service_code", ""))[:50],
            statuses=sorted(set(statuses)),
            start=start,
            end=end,
            page=page,
            page_size=page_size,
        ),
    )
    # A client that polls the list (as Open311 clients do) gets 304 while nothing changed.
    response = respond(fmt, items, "service_requests", "request")
    response.add_etag()
    response.make_conditional(request)
    return response


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _id_list(text: str) -> list[str]:
    if len(text) > 40 * current_app.config["OPEN311_MAX_IDS"]:
        raise BadParam(_("Too many service_request_id values."))
    ids = _csv(text)
    if len(ids) > current_app.config["OPEN311_MAX_IDS"]:
        raise BadParam(
            _(
                "At most %(n)d service_request_id values at once.",
                n=current_app.config["OPEN311_MAX_IDS"],
            )
        )
    if any(len(i) > 32 for i in ids):
        raise BadParam(_("A service_request_id is too long."))
    return ids


@bp.get("/requests/<request_id>.<fmt>")
@public
def get_request(request_id: str, fmt: str) -> Response:
    """One request (any request answers, with private fields null until published)."""
    _check_format(fmt)
    check_known(request.args, PLAIN)
    found = [] if has_control(request_id) else find_requests([request_id[:32]])
    if not found:
        raise Open311NotFound(_("No request with this service_request_id."))
    return respond(fmt, found, "service_requests", "request")


@bp.get("/tokens/<token>.<fmt>")
@public
def get_token(token: str, fmt: str) -> Response:
    """The service_request_id a token from POST requests stands for."""
    _check_format(fmt)
    check_known(request.args, PLAIN)
    if has_control(token):
        raise Open311NotFound(_("Unknown token."))
    reference = db.session.scalar(
        sa.select(Case.reference)
        .join(Open311Ticket, Open311Ticket.case_id == Case.id)
        .where(Open311Ticket.token == token[:40])
    )
    if reference is None:
        raise Open311NotFound(_("Unknown token."))
    return respond(
        fmt, [{"service_request_id": reference, "token": token}], "service_requests", "request"
    )


def _client_key() -> str:
    return (request.values.get("api_key") or "")[:24] or get_remote_address()


@bp.post("/requests.<fmt>")
@public
@csrf.exempt  # API clients authenticate with api_key, not a browser session
@limiter.limit(lambda: current_app.config["OPEN311_RATE_LIMIT"], key_func=_client_key)
def create_request(fmt: str) -> Response:
    """File a report through the same intake rules as the web form (api_key required)."""
    _check_format(fmt)
    created = submit_open311(request.form, request.args)
    return respond(fmt, [created], "service_requests", "request")


__all__ = ["bp", "request_select"]
