"""Views of the evidence area: guarded delivery of the clean copy and thumbnail, never served
as static. The sealed original is the cases area's: it records who downloaded it."""

import logging

from flask import Blueprint, Response, abort, request, session
from flask_login import current_user

from portal.access import public
from portal.evidence.models import Evidence
from portal.evidence.queries import get_evidence, may_view_clean, may_view_public_copy
from portal.evidence.storage import StoredFileMissing, get_storage
from portal.security import sandboxed

bp = Blueprint("evidence", __name__)

logger = logging.getLogger(__name__)

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


@bp.get("/bukti/<int:evidence_id>/gambar")
@sandboxed
@public
def clean_image(evidence_id: int) -> Response:
    """The clean copy, for the reporter, staff of the case, or the public once published."""
    evidence = _visible_evidence(evidence_id)
    return _inline(evidence, evidence.clean_key, evidence.clean_mime)


@bp.get("/bukti/<int:evidence_id>/kecil")
@sandboxed
@public
def thumbnail(evidence_id: int) -> Response:
    """The thumbnail, under the same rule as the clean copy."""
    evidence = _visible_evidence(evidence_id)
    return _inline(evidence, evidence.thumb_key, "image/webp")


@bp.get("/bukti/<int:evidence_id>/publik/gambar")
@sandboxed
@public
def public_image(evidence_id: int) -> Response:
    """What the public sees of an image: its newest redacted copy, else the approved clean copy."""
    evidence = _public_evidence(evidence_id)
    redaction = evidence.latest_redaction
    if redaction is None:
        return _inline(evidence, evidence.clean_key, evidence.clean_mime, revalidate=True)
    return _inline(evidence, redaction.key, redaction.mime, revalidate=True)


@bp.get("/bukti/<int:evidence_id>/publik/kecil")
@sandboxed
@public
def public_thumbnail(evidence_id: int) -> Response:
    """The thumbnail of the public copy, under the same rule."""
    evidence = _public_evidence(evidence_id)
    redaction = evidence.latest_redaction
    key = redaction.thumb_key if redaction is not None else evidence.thumb_key
    return _inline(evidence, key, "image/webp", revalidate=True)


def _public_evidence(evidence_id: int) -> Evidence:
    evidence = get_evidence(evidence_id)
    user = current_user.user if current_user.is_authenticated else None
    if evidence is None or not may_view_public_copy(evidence, user=user):
        abort(404)
    return evidence


def _visible_evidence(evidence_id: int) -> Evidence:
    """The evidence if this visitor may see it; 404 otherwise, so existence is not revealed."""
    evidence = get_evidence(evidence_id)
    user = current_user.user if current_user.is_authenticated else None
    if evidence is None or not may_view_clean(
        evidence, tracked_report_id=session.get("tracked_report_id"), user=user
    ):
        abort(404)
    return evidence


def _read(key: str) -> bytes:
    try:
        return get_storage().get(key)
    except StoredFileMissing:
        logger.error("Stored file missing for a row: %s", key)
        abort(404)


def _inline(evidence: Evidence, key: str, mime: str, revalidate: bool = False) -> Response:
    # Keys are content hashes, so the key is a strong validator; a phone on a slow network
    # revisiting the status page re-downloads nothing (and S3 is not even asked).
    etag = key.rsplit("/", 1)[-1].split(".")[0]
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(_read(key), mimetype=mime)
        name = f"bukti-{evidence.id}.{EXTENSIONS.get(mime, 'bin')}"
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.set_etag(etag)
    # A public copy is asked again each time (a 304 when unchanged): a new redaction or an
    # unpublished case shows at once.
    response.headers["Cache-Control"] = (
        "private, no-cache" if revalidate else "private, max-age=300"
    )
    response.headers["Vary"] = "Cookie"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
