"""Open data downloads, the Atom feed and the daily head hashes."""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from portal.access import public
from portal.public.opendata.heads import get_heads
from portal.public.opendata.queries import atom_feed, csv_lines, json_chunks
from portal.public.params import check_known
from portal.public.projections import EXPORT_COLUMNS

bp = Blueprint("opendata", __name__)


@bp.get("/data")
@public
def index() -> str:
    """What can be downloaded, and the schema of every column."""
    return render_template("public/data.html", columns=EXPORT_COLUMNS)


@bp.get("/data/kasus.csv")
@public
def cases_csv() -> Response:
    """Published cases as CSV (UTF-8 with BOM so spreadsheets read it right)."""
    check_known(request.args, set())
    body = stream_with_context(_with_bom(csv_lines()))
    return Response(
        body,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=kasus.csv"},
    )


def _with_bom(lines: Iterable[str]) -> Iterator[str]:
    yield "\ufeff"
    yield from lines


@bp.get("/data/kasus.json")
@public
def cases_json() -> Response:
    """Published cases as JSON."""
    check_known(request.args, set())
    return Response(
        stream_with_context(json_chunks()), content_type="application/json; charset=utf-8"
    )


@bp.get("/data/feed.atom")
@public
def feed() -> Response:
    """Atom feed of newly published and newly decided cases."""
    body = atom_feed(
        site=current_app.config["SITE_NAME"],
        base_url=url_for(".feed", _external=True),
        titles={"published": _("Published"), "resolved": _("Decided")},
        case_url=lambda ref: url_for("public.case_page", reference=ref, _external=True),
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@bp.get("/data/rantai/<day>.json")
@public
def heads(day: str) -> dict[str, Any]:
    """The audit-chain heads of published cases as of one day."""
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        abort(404)
    listing = get_heads(wanted)
    if listing is None:
        abort(404)
    return listing
