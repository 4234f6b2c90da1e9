"""Views of the evidence area: guarded delivery of stored files. Never served as static."""

import logging
from collections.abc import Callable

from flask import Blueprint, Response, abort, request, session
from flask_login import current_user

from portal.access import public, roles_required, staff_user
from portal.cases.history import record_event
from portal.cases.models import Visibility
from portal.db import unit_of_work
from portal.evidence.models import Evidence
from portal.evidence.queries import get_evidence, may_view_clean, staff_may_see
from portal.evidence.storage import StoredFileMissing, get_storage

bp = Blueprint("evidence", __name__)

logger = logging.getLogger(__name__)

# Stored bytes are never a page. Should a browser ever render one as a document, CSP's
# `sandbox` (CSP Level 3) gives it what an <iframe sandbox> would: no script, no forms, no
# plugins, an opaque origin. Flask-Talisman writes the CSP header after every view and takes a
# view's own policy from the attribute that its decorator sets.
SANDBOX_POLICY = {"default-src": "'none'", "frame-ancestors": "'none'", "sandbox": ""}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}
ORIGINAL_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def sandboxed(view: Callable[..., Response]) -> Callable[..., Response]:
    """Serve this view's responses under SANDBOX_POLICY instead of the site's policy."""
    options = {"content_security_policy": SANDBOX_POLICY}
    view.talisman_view_options = options  # type: ignore[attr-defined]
    return view


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


@bp.get("/petugas/bukti/<int:evidence_id>/asli")
@sandboxed
@roles_required()
def original(evidence_id: int) -> Response:
    """The sealed original bytes, for staff of the case; every download is recorded."""
    user = staff_user()
    evidence = get_evidence(evidence_id)
    if evidence is None or not staff_may_see(evidence, user):
        abort(404)
    data = _read(evidence.original_key)
    with unit_of_work():
        record_event(
            evidence.report.case,
            "original_downloaded",
            visibility=Visibility.INTERNAL,
            actor=user,
            data={"evidence_id": evidence.id, "sha256": evidence.sha256_original},
        )
    ext = ORIGINAL_EXTENSIONS.get(evidence.original_format, "bin")
    name = f"asli-{evidence.id}-{evidence.sha256_original[:12]}.{ext}"
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


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


def _inline(evidence: Evidence, key: str, mime: str) -> Response:
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
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Vary"] = "Cookie"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
