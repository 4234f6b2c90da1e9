"""Open data downloads, the Atom feed, the daily head hashes and the portal's public keys."""

from collections.abc import Iterable, Iterator
from datetime import date

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
from portal.proof.models import StampKind
from portal.proof.queries import get_public_key, get_token, list_public_keys
from portal.public.opendata.heads import get_heads, get_signed_heads
from portal.public.opendata.queries import atom_feed, csv_lines, json_chunks
from portal.public.params import check_known
from portal.public.projections import EXPORT_COLUMNS

bp = Blueprint("opendata", __name__)


@bp.get("/data")
@public
def index() -> str:
    """What can be downloaded, and the schema of every column."""
    return render_template("public/data.html", columns=EXPORT_COLUMNS, keys=list_public_keys())


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


def _day(day: str) -> date:
    try:
        return date.fromisoformat(day)
    except ValueError:
        abort(404)


@bp.get("/data/rantai/<day>.json")
@public
def heads(day: str) -> Response | dict:
    """The audit-chain heads of published cases as of one day (the signed bytes, when signed)."""
    wanted = _day(day)
    listing = get_heads(wanted)
    if listing is None:
        abort(404)
    signed = get_signed_heads(wanted)
    if signed is None:
        return listing
    return Response(signed.body, content_type="application/json; charset=utf-8")


@bp.get("/data/rantai/<day>.json.sig")
@public
def heads_signature(day: str) -> Response:
    """The detached Ed25519 signature of one day's heads (64 bytes)."""
    signed = get_signed_heads(_day(day)) or abort(404)
    return _download(signed.signature, f"{day}.json.sig", {"X-Signing-Key": signed.key_id})


@bp.get("/data/rantai/<day>.json.tst")
@public
def heads_timestamp(day: str) -> Response:
    """The RFC 3161 timestamp token of one day's heads, once the worker got it."""
    signed = get_signed_heads(_day(day)) or abort(404)
    token = get_token(kind=StampKind.HEADS, target_id=signed.id, sha256=signed.sha256)
    if token is None or token.token is None:
        abort(404)
    return _download(token.token, f"{day}.json.tst", {})


@bp.get("/data/kunci.json")
@public
def public_keys() -> dict:
    """Every key the portal has signed with, and when each was in use."""
    return {"algorithm": "Ed25519", "keys": [key.as_json() for key in list_public_keys()]}


@bp.get("/data/kunci/<key_id>.pem")
@public
def public_key_pem(key_id: str) -> Response:
    """One public key as a PEM file (for openssl pkeyutl -verify)."""
    key = get_public_key(key_id) or abort(404)
    return _download(key.public_key_pem.encode(), f"{key_id}.pem", {}, mimetype="text/plain")


def _download(
    data: bytes, name: str, headers: dict[str, str], mimetype: str = "application/octet-stream"
) -> Response:
    response = Response(data, mimetype=mimetype, headers=headers)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
