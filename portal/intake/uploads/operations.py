"""Images kept for a report form before it is filed: held uploads.

A refused form keeps the images that passed the checks (`keep_files`), and the form's script
sends each chosen file ahead in pieces (`new_hold`, `receive_chunk`, `finish_upload`): the
server says how much it has, so a dropped connection resumes where it stopped. The form then
carries only the ids. Every held upload belongs to one form key and one browser session (an
HMAC of both, `FormHolder.upload_owner`): another session can neither see nor claim it. A
filed report claims its held uploads in its own unit of work (`claim_holds`): the rows go, the
files become its evidence. Expired holds and their files are removed by the worker.

Only bytes that passed evidence.images' checks become a complete hold; pieces still arriving
sit under held/<id>/ and are never shown to anyone.
"""

import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.db import db, on_failure, unit_of_work, utcnow
from portal.evidence.images import ImageRejected
from portal.evidence.operations import (
    HELD,
    StoredImage,
    add_evidence,
    remove_unreferenced,
    store_image,
)
from portal.evidence.storage import get_storage
from portal.intake.drafts import HeldFile, ReportDraft
from portal.intake.idempotency import FormHolder, holder_of
from portal.intake.models import HeldUpload, Report

logger = logging.getLogger(__name__)
EXPIRED_BATCH = 200
IMAGE_FIELDS = (
    "original_filename",
    "original_format",
    "clean_mime",
    "sha256_original",
    "sha256_clean",
    "size_original",
    "size_clean",
    "width",
    "height",
    "phash",
)


class UploadRefused(Exception):
    """A piece or a file the upload endpoints refuse: a code, the words, the HTTP status, and
    how much the server holds (for a piece sent at the wrong offset)."""

    def __init__(
        self, code: str, message: LazyString | str, status: int, offset: int | None = None
    ) -> None:
        super().__init__(str(message))
        self.code, self.message, self.status, self.offset = code, message, status, offset


class HeldUploadGone(Exception):
    """A held file the form names is no longer there (expired, removed or claimed)."""

    def __init__(self, filename: str) -> None:
        super().__init__(filename)
        self.filename = filename


GONE = _l("This upload is no longer kept. Choose the file again.")


def upload_owner(form_key: str, session_secret: str) -> str:
    """The owner hash of files sent with this form key from this browser session."""
    holder = FormHolder(form_key, session_secret)
    return holder.upload_owner(hmac_key=current_app.config["IDEMPOTENCY_HMAC_KEY"])


def _expiry(now: datetime) -> datetime:
    return now + timedelta(hours=float(current_app.config["HELD_UPLOAD_HOURS"]))


def _plain_filename(name: str) -> str:
    name = re.split(r"[\\/]", name or "")[-1]
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:255]


def _too_large(name: str, size: int) -> UploadRefused:
    max_bytes = current_app.config["MAX_FILE_BYTES"]
    return UploadRefused(
        "too_large",
        _l(
            "“%(name)s” is %(size)s MiB; each file may be at most %(max)s MiB. "
            "Make the screenshot smaller or choose another one.",
            name=name,
            size=round(size / (1024 * 1024), 1),
            max=max_bytes // (1024 * 1024),
        ),
        413,
    )


def _owned(upload: HeldUpload | None, owner: str, now: datetime) -> HeldUpload | None:
    if upload is None or upload.expires_at <= now:
        return None
    return upload if hmac.compare_digest(upload.owner_hash, owner) else None


def find_hold(upload_id: str, *, owner: str, now: datetime) -> HeldUpload | None:
    """This owner's unexpired held upload, or None (another owner's looks the same as none)."""
    return _owned(db.session.get(HeldUpload, upload_id), owner, now)


def new_hold(*, owner: str, filename: str, size: int, now: datetime) -> HeldUpload:
    """Announce a file that will arrive in pieces; refuses one too large or one too many."""
    cfg = current_app.config
    name = _plain_filename(filename)
    if size < 1:
        raise UploadRefused("empty", _l("This file is empty."), 400)
    if size > cfg["MAX_FILE_BYTES"]:
        raise _too_large(name, size)
    held = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(HeldUpload)
        .where(HeldUpload.owner_hash == owner, HeldUpload.expires_at > now)
    )
    if (held or 0) >= cfg["MAX_FILES"]:
        raise UploadRefused(
            "too_many",
            _l("At most %(max)d files are allowed. Remove one first.", max=cfg["MAX_FILES"]),
            409,
        )
    upload = HeldUpload(
        id=secrets.token_urlsafe(16),
        owner_hash=owner,
        filename=name,
        size=size,
        received=0,
        parts=[],
        expires_at=_expiry(now),
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def receive_chunk(*, upload_id: str, owner: str, offset: int, data: bytes) -> HeldUpload:
    """Store one piece at `offset` and count it; call inside a unit of work, which removes the
    piece if anything is refused. The piece is written before the first query."""
    if len(data) > current_app.config["UPLOAD_CHUNK_BYTES"]:
        raise UploadRefused(
            "chunk_too_large", _l("This piece of the file is larger than allowed."), 413
        )
    if not data:
        raise UploadRefused("empty", _l("This piece of the file is empty."), 400)
    key = f"{HELD}/{upload_id}/{secrets.token_hex(8)}"
    storage = get_storage()
    storage.put(key, data, "application/octet-stream")
    on_failure(lambda: storage.delete(key))
    upload = _owned(
        db.session.scalar(
            sa.select(HeldUpload).where(HeldUpload.id == upload_id).with_for_update()
        ),
        owner,
        utcnow(),
    )
    if upload is None:
        raise UploadRefused("gone", GONE, 404)
    if upload.is_complete or offset != upload.received:
        raise UploadRefused(
            "offset",
            _l("The server has a different part of this file; the upload continues from there."),
            409,
            offset=upload.received,
        )
    if offset + len(data) > upload.size:
        raise _too_large(upload.filename, offset + len(data))
    upload.parts = [*upload.parts, key]
    upload.received = offset + len(data)
    db.session.flush()
    return upload


def finish_upload(*, upload_id: str, owner: str, parts: Sequence[str], filename: str) -> list[str]:
    """Check, clean and store a fully received file and mark its hold complete (inside a unit of
    work; raises ImageRejected). Returns the piece keys, to remove once the unit committed."""
    storage = get_storage()
    data = b"".join(storage.get(key) for key in parts)
    image = store_image(data=data, filename=filename)
    upload = _owned(
        db.session.scalar(
            sa.select(HeldUpload).where(HeldUpload.id == upload_id).with_for_update()
        ),
        owner,
        utcnow(),
    )
    if upload is None or upload.received != upload.size or len(data) != upload.size:
        raise UploadRefused("gone", GONE, 404)
    _complete(upload, image)
    upload.parts = []
    db.session.flush()
    logger.info(
        "Held upload %s received (%s, %d bytes)", upload.id, image.original_format, len(data)
    )
    return list(parts)


def _complete(upload: HeldUpload, image: StoredImage) -> None:
    upload.original_key = image.keys["original_key"]
    upload.clean_key = image.keys["clean_key"]
    upload.thumb_key = image.keys["thumb_key"]
    upload.image = {name: getattr(image, name) for name in IMAGE_FIELDS}


def stored_image(upload: HeldUpload) -> StoredImage:
    """What the Evidence row of a complete held upload records."""
    fields: dict[str, Any] = dict(upload.image or {})
    keys = {
        "original_key": upload.original_key,
        "clean_key": upload.clean_key,
        "thumb_key": upload.thumb_key,
    }
    return StoredImage(keys=keys, **fields)  # type: ignore[arg-type]


def held_file(upload: HeldUpload) -> HeldFile:
    """The page's and the draft's view of a complete held upload."""
    image = upload.image or {}
    return HeldFile(upload.id, upload.filename, upload.size, str(image.get("sha256_original")))


@dataclass(frozen=True)
class Kept:
    """The files a refused form kept, and the first one refused (its name, words and code)."""

    held: tuple[HeldFile, ...]
    refused: tuple[str, str, str] | None


def keep_files(files: Sequence[tuple[str, bytes]], *, owner: str) -> Kept:
    """Check, clean, store and hold each file of a refused form, in one unit of work; a file
    that fails the image checks is not kept (the first such is named)."""
    images: list[StoredImage] = []
    refused = None
    with unit_of_work():
        for filename, data in files:  # images first: the unit's write lock waits for the rows
            try:
                images.append(store_image(data=data, filename=filename))
            except ImageRejected as rejected:
                refused = refused or (filename, str(rejected.message), rejected.code)
        now = utcnow()
        rows = []
        for image in images:
            upload = HeldUpload(
                id=secrets.token_urlsafe(16),
                owner_hash=owner,
                filename=image.original_filename,
                size=image.size_original,
                received=image.size_original,
                parts=[],
                expires_at=_expiry(now),
            )
            _complete(upload, image)
            db.session.add(upload)
            rows.append(upload)
        db.session.flush()
        held = tuple(held_file(row) for row in rows)
    return Kept(held, refused)


def list_holds(ids: Sequence[str], *, owner: str, now: datetime) -> tuple[HeldFile, ...]:
    """The complete, unexpired held uploads of this owner among `ids`, in that order."""
    if not ids:
        return ()
    rows = db.session.scalars(
        sa.select(HeldUpload).where(
            HeldUpload.id.in_(set(ids)),
            HeldUpload.owner_hash == owner,
            HeldUpload.expires_at > now,
            HeldUpload.original_key.is_not(None),
        )
    )
    found = {row.id: row for row in rows}
    ordered = dict.fromkeys(i for i in ids if i in found)
    return tuple(held_file(found[i]) for i in ordered)


def _keys_of(upload: HeldUpload) -> list[str]:
    keys = [upload.original_key, upload.clean_key, upload.thumb_key]
    return [*upload.parts, *(key for key in keys if key)]


def discard_holds(ids: Sequence[str], *, owner: str) -> list[str]:
    """Delete this owner's held uploads among `ids`; returns their file keys, to remove with
    evidence.operations.remove_unreferenced once the unit committed."""
    if not ids:
        return []
    rows = db.session.scalars(
        sa.select(HeldUpload).where(HeldUpload.id.in_(set(ids)), HeldUpload.owner_hash == owner)
    ).all()
    keys = [key for row in rows for key in _keys_of(row)]
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    return keys


def remove_holds(ids: Sequence[str], *, owner: str) -> None:
    """Remove this owner's held uploads among `ids`, rows and files, as their own unit."""
    with unit_of_work():
        keys = discard_holds(ids, owner=owner)
    remove_unreferenced(keys)


def claim_holds(*, report: Report, draft: ReportDraft) -> None:
    """Make the draft's held uploads the report's evidence: one Evidence row each, the held
    rows deleted, no file copied (inside the report's unit of work). Raises HeldUploadGone."""
    holder = holder_of(draft)
    if not draft.held:
        return
    if holder is None:
        raise HeldUploadGone(draft.held[0].filename)
    owner = holder.upload_owner(hmac_key=current_app.config["IDEMPOTENCY_HMAC_KEY"])
    ids = [held.id for held in draft.held]
    rows = {
        row.id: row
        for row in db.session.scalars(
            sa.select(HeldUpload)
            .where(HeldUpload.id.in_(ids), HeldUpload.owner_hash == owner)
            .with_for_update()
        )
    }
    now, seen = utcnow(), set()
    for held in draft.held:
        row = rows.get(held.id)
        if row is None or not row.is_complete or row.expires_at <= now:
            raise HeldUploadGone(held.filename)
        image = stored_image(row)
        if image.sha256_original not in seen:  # the same file chosen twice is evidence once
            add_evidence(report=report, image=image)
            seen.add(image.sha256_original)
        db.session.delete(row)
    db.session.flush()


def expire_holds(*, now: datetime, batch: int = EXPIRED_BATCH) -> list[str]:
    """Delete a batch of expired held uploads, skipping rows another transaction holds;
    returns their file keys, to remove once the unit committed."""
    rows = db.session.scalars(
        sa.select(HeldUpload)
        .where(HeldUpload.expires_at <= now)
        .order_by(HeldUpload.expires_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    keys = [key for row in rows for key in _keys_of(row)]
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    if rows:
        logger.info("Removed %d expired held uploads", len(rows))
    return keys


def remove_expired_holds() -> int:
    """The worker's step: expired held uploads and their files go (rows first, then files no
    row uses). Returns how many files were looked at."""
    with unit_of_work():
        keys = expire_holds(now=utcnow())
    remove_unreferenced(keys)
    return len(keys)
