"""The chunked upload endpoints of the report form's script (JSON).

POST announces a file (name, size) and gets its id; PATCH sends the piece at `Upload-Offset`;
GET says how much the server holds, so a dropped connection resumes there; DELETE removes the
file. The last piece is checked as an image (evidence.images) before the file is kept. Every
request names the form's one-time key (`X-Form-Key`) and comes from the session that rendered
the form, carries the form's CSRF token (`X-CSRFToken`), and is rate limited per client.
"""

import re

from flask import Blueprint, current_app, jsonify, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from portal.access import public
from portal.db import DatabaseBusy, unit_of_work, utcnow
from portal.evidence.images import ImageRejected
from portal.evidence.operations import remove_unreferenced
from portal.evidence.storage import StorageUnavailable
from portal.extensions import limiter
from portal.intake.filing import FORM_BINDING_KEY
from portal.intake.models import HeldUpload
from portal.intake.uploads.operations import (
    GONE,
    UploadRefused,
    find_hold,
    finish_upload,
    new_hold,
    receive_chunk,
    remove_holds,
    upload_owner,
)

bp = Blueprint("uploads", __name__, url_prefix="/lapor/unggah")
FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# An image refused at the end says why, as the form does (RFC 9110): 415 not an image type we
# take, 422 an image that fails a check.
IMAGE_STATUS = {"too_large": 413, "unsupported_type": 415, "not_an_image": 415}


def _rate() -> str:
    return current_app.config["UPLOAD_RATE_LIMIT"]


def _owner() -> str | None:
    key, secret = request.headers.get("X-Form-Key", ""), session.get(FORM_BINDING_KEY)
    if not FORM_KEY.fullmatch(key) or not isinstance(secret, str) or not secret:
        return None
    return upload_owner(key, secret)


def _refused(code: str, message: str, status: int, **extra: object) -> ResponseReturnValue:
    return jsonify(error=code, message=message, **extra), status


def _state(upload: HeldUpload) -> dict:
    return {
        "id": upload.id,
        "offset": upload.received,
        "size": upload.size,
        "complete": upload.is_complete,
        "url": url_for("uploads.piece", upload_id=upload.id),
    }


@bp.post("")
@public
@limiter.limit(_rate)
def create() -> ResponseReturnValue:
    """Announce one file: its name and size; answers its id, where to send it, the piece size."""
    owner = _owner()
    if owner is None:
        return _expired()
    body = request.get_json(silent=True) or {}
    size, filename = body.get("size"), body.get("filename")
    if not isinstance(size, int) or not isinstance(filename, str):
        return _refused("invalid", _("Send the file's name and size."), 400)
    try:
        with unit_of_work():
            upload = new_hold(owner=owner, filename=filename, size=size, now=utcnow())
            state = _state(upload)
    except UploadRefused as refused:
        return _refused(refused.code, str(refused.message), refused.status)
    return jsonify({**state, "chunk": current_app.config["UPLOAD_CHUNK_BYTES"]}), 201


@bp.get("/<upload_id>")
@public
@limiter.limit(_rate)
def status(upload_id: str) -> ResponseReturnValue:
    """How much of the file the server holds: where a resumed upload goes on."""
    owner = _owner()
    upload = owner and find_hold(upload_id, owner=owner, now=utcnow())
    if not upload:
        return _refused("gone", str(GONE), 404)
    return jsonify(_state(upload))


@bp.patch("/<upload_id>")
@public
@limiter.limit(_rate)
def piece(upload_id: str) -> ResponseReturnValue:
    """One piece of the file at Upload-Offset; after the last one the file is checked."""
    owner = _owner()
    if owner is None:
        return _expired()
    offset = request.headers.get("Upload-Offset", "")
    if not offset.isdigit():
        return _refused("offset", _("Say where this piece of the file starts."), 400)
    if (request.content_length or 0) > current_app.config["UPLOAD_CHUNK_BYTES"]:
        return _refused("chunk_too_large", _("This piece of the file is larger than allowed."), 413)
    request.max_content_length = current_app.config["UPLOAD_CHUNK_BYTES"]  # streamed bodies too
    held = find_hold(upload_id, owner=owner, now=utcnow())
    if held is None:
        return _refused("gone", str(GONE), 404)
    if held.received == held.size and not held.is_complete:  # the check was cut off: again
        return _finish(upload_id, owner, list(held.parts), held.filename)
    try:
        with unit_of_work():
            upload = receive_chunk(
                upload_id=upload_id, owner=owner, offset=int(offset), data=request.get_data()
            )
            state, parts, name = _state(upload), list(upload.parts), upload.filename
            is_whole = upload.received == upload.size
        if is_whole:
            return _finish(upload_id, owner, parts, name)
    except UploadRefused as refused:
        return _refused(refused.code, str(refused.message), refused.status, offset=refused.offset)
    return jsonify(state)


def _finish(upload_id: str, owner: str, parts: list[str], filename: str) -> ResponseReturnValue:
    """Check the whole file as an image; a refused one is removed with all its pieces."""
    try:
        with unit_of_work():
            done = finish_upload(upload_id=upload_id, owner=owner, parts=parts, filename=filename)
    except ImageRejected as rejected:
        remove_holds([upload_id], owner=owner)
        return _refused(
            rejected.code,
            f"“{filename}”: {rejected.message}",
            IMAGE_STATUS.get(rejected.code, 422),
        )
    remove_unreferenced(done)
    upload = find_hold(upload_id, owner=owner, now=utcnow())
    if upload is None:
        return _refused("gone", str(GONE), 404)
    return jsonify(_state(upload))


@bp.delete("/<upload_id>")
@public
@limiter.limit(_rate)
def remove(upload_id: str) -> ResponseReturnValue:
    """Remove a file from the form (and its pieces), whether or not it had arrived whole."""
    owner = _owner()
    if owner is None:
        return _expired()
    remove_holds([upload_id], owner=owner)
    return "", 204


def _expired() -> ResponseReturnValue:
    return _refused(
        "form",
        _("This form is no longer open here. Reload the page and choose the file again."),
        403,
    )


@bp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError) -> ResponseReturnValue:
    message = _(
        "The form expired or was not sent from this site. Reload the page and choose the file "
        "again."
    )
    return _refused("csrf", message, 400)


@bp.errorhandler(TooManyRequests)
def _too_many(error: TooManyRequests) -> ResponseReturnValue:
    return _refused("rate", _("Too many uploads at once. Wait a minute and try again."), 429)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    return _refused("chunk_too_large", _("This piece of the file is larger than allowed."), 413)


@bp.errorhandler(DatabaseBusy)
@bp.errorhandler(StorageUnavailable)
def _unavailable(error: DatabaseBusy | StorageUnavailable) -> ResponseReturnValue:
    response = jsonify(error="unavailable", message=str(error.portal_message))
    return response, 503, {"Retry-After": str(error.retry_after)}
