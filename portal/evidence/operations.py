"""Writes of the evidence area. Operations add and flush; the caller commits.

Files are written before their row is committed. Each stored file registers its removal with
`portal.db.on_failure`, so a failed unit of work deletes what it wrote (unless a committed row
uses the same content); `sweep` removes whatever a crash left behind, once it is older than a
grace period.
"""

import hashlib
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.cases.models import Message
from portal.db import db, on_failure, utcnow
from portal.evidence.images import Box, accept_image, draw_boxes, finish_image
from portal.evidence.links import CanonicalLink, canonicalize_link
from portal.evidence.models import Evidence, Link, Redaction
from portal.evidence.storage import get_storage
from portal.intake.formal.models import FormalIdentity
from portal.intake.models import HeldUpload, Report

logger = logging.getLogger(__name__)

# Every key lives under one of these; the sweep looks nowhere else. HELD holds the chunks of
# an upload still arriving (intake/uploads.py): held/<upload id>/<piece>.
SEALED, CLEAN, THUMB, REDACTED, HELD = "sealed", "clean", "thumb", "redacted", "held"
PREFIXES = (SEALED, CLEAN, THUMB, REDACTED, HELD)


def content_key(prefix: str, sha256: str, ext: str = "") -> str:
    """A content-addressed key: the same bytes always land in the same place."""
    return f"{prefix}/{sha256[:2]}/{sha256}" + (f".{ext}" if ext else "")


@dataclass(frozen=True)
class StoredImage:
    """One accepted image whose three files are stored: what its Evidence row records."""

    keys: dict[str, str]
    original_filename: str
    original_format: str
    clean_mime: str
    sha256_original: str
    sha256_clean: str
    size_original: int
    size_clean: int
    width: int
    height: int
    phash: str


def store_image(*, data: bytes, filename: str) -> StoredImage:
    """Check and clean one image and store its three files, without touching the database
    (raises ImageRejected, or StorageUnavailable). Inside a unit of work, a failure of the
    unit removes the files; call it before the unit's first query, so no lock is held."""
    cfg = current_app.config
    image = accept_image(
        data,
        max_bytes=cfg["MAX_FILE_BYTES"],
        max_pixels=cfg["MAX_PIXELS"],
        max_side=cfg["MAX_SIDE"],
    )
    storage = get_storage()
    sha256_original = hashlib.sha256(data).hexdigest()
    sealed_key = content_key(SEALED, sha256_original)
    # The accepted original is written (and fsynced) while the clean copy is encoded: that
    # write is most of the storage time of an upload. Leaving the block waits for it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        sealed = pool.submit(storage.put, sealed_key, data, "application/octet-stream")
        try:
            processed = finish_image(
                data, image, thumb_side=cfg["THUMBNAIL_SIDE"], sha256_original=sha256_original
            )
        finally:
            del image
            if sealed.exception() is None:  # a failed put stored nothing: nothing to undo
                _remember(sealed_key)
    sealed.result()
    keys = {
        "original_key": sealed_key,
        "clean_key": content_key(CLEAN, processed.sha256_clean, processed.clean_ext),
        "thumb_key": content_key(THUMB, hashlib.sha256(processed.thumb).hexdigest(), "webp"),
    }
    for key, body, mime in (
        (keys["clean_key"], processed.clean, processed.clean_mime),
        (keys["thumb_key"], processed.thumb, processed.thumb_mime),
    ):
        storage.put(key, body, mime)
        _remember(key)
    return StoredImage(
        keys=keys,
        original_filename=_plain_filename(filename),
        original_format=processed.original_format,
        clean_mime=processed.clean_mime,
        sha256_original=processed.sha256_original,
        sha256_clean=processed.sha256_clean,
        size_original=len(data),
        size_clean=len(processed.clean),
        width=processed.width,
        height=processed.height,
        phash=processed.phash,
    )


def add_evidence(*, report: Report, image: StoredImage, message: Message | None = None) -> Evidence:
    """Add the row of one stored image to a report (and to the reply that brought it)."""
    evidence = Evidence(
        report_id=report.id,
        message_id=getattr(message, "id", None),
        **image.keys,
        original_filename=image.original_filename,
        original_format=image.original_format,
        clean_mime=image.clean_mime,
        sha256_original=image.sha256_original,
        sha256_clean=image.sha256_clean,
        size_original=image.size_original,
        size_clean=image.size_clean,
        width=image.width,
        height=image.height,
        phash=image.phash,
    )
    db.session.add(evidence)
    db.session.flush()
    logger.info(
        "Stored evidence %s for report %s (%s, %dx%d)",
        evidence.id,
        report.id,
        image.original_format,
        image.width,
        image.height,
    )
    return evidence


def store_evidence(
    *, report: Report, data: bytes, filename: str, message: Message | None = None
) -> Evidence:
    """Check and clean one image, store its three files and add its row (raises ImageRejected)."""
    return add_evidence(
        report=report, image=store_image(data=data, filename=filename), message=message
    )


class CleanCopyChanged(RuntimeError):
    """The stored clean copy no longer matches its recorded SHA-256: nothing is drawn on it."""


@dataclass(frozen=True)
class StoredRedaction:
    """A redacted copy and its thumbnail, stored: what its Redaction row records."""

    key: str
    thumb_key: str
    mime: str
    sha256: str
    size: int
    boxes: tuple[Box, ...]


def store_redaction(*, clean_key: str, sha256_clean: str, boxes: list[Box]) -> StoredRedaction:
    """Draw the boxes on a clean copy and store the result and its thumbnail as new files,
    without touching the database or the clean copy (raises BoxesRejected). Like store_image,
    call it inside the unit of work before its first query: a failed unit removes the files."""
    storage = get_storage()
    clean = storage.get(clean_key)
    if hashlib.sha256(clean).hexdigest() != sha256_clean:
        raise CleanCopyChanged(clean_key)
    redacted = draw_boxes(clean, boxes, thumb_side=current_app.config["THUMBNAIL_SIDE"])
    key = content_key(REDACTED, redacted.sha256, redacted.ext)
    thumb_key = content_key(THUMB, hashlib.sha256(redacted.thumb).hexdigest(), "webp")
    for name, body, mime in (
        (key, redacted.data, redacted.mime),
        (thumb_key, redacted.thumb, "image/webp"),
    ):
        storage.put(name, body, mime)
        _remember(name)
    return StoredRedaction(
        key=key,
        thumb_key=thumb_key,
        mime=redacted.mime,
        sha256=redacted.sha256,
        size=len(redacted.data),
        boxes=tuple(boxes),
    )


def add_redaction(*, evidence: Evidence, stored: StoredRedaction, actor: Any) -> Redaction:
    """Add the row of a stored redacted copy as the image's next version (flushes)."""
    latest = evidence.latest_redaction
    redaction = Redaction(
        version=(latest.version + 1) if latest else 1,
        key=stored.key,
        thumb_key=stored.thumb_key,
        mime=stored.mime,
        sha256=stored.sha256,
        size=stored.size,
        boxes=[[b.x, b.y, b.width, b.height] for b in stored.boxes],
        created_by_id=getattr(actor, "id", None),
        created_at=utcnow(),
    )
    evidence.redactions.append(redaction)
    db.session.flush()
    logger.info("Evidence %s redacted: version %s", evidence.id, redaction.version)
    return redaction


def new_link(found: CanonicalLink) -> Link:
    """The row of one link, as given and canonical; the caller attaches it to its report."""
    return Link(
        url_given=found.url_given,
        url_canonical=found.url_canonical,
        platform=found.platform,
        post_id=found.post_id,
        account=found.account,
    )


def add_link(*, report: Report, text: str) -> Link:
    """Add one http(s) link to a report, as given and canonical (raises LinkRejected)."""
    link = new_link(canonicalize_link(text))
    link.report_id = report.id
    db.session.add(link)
    db.session.flush()
    return link


def _plain_filename(name: str) -> str:
    """The name as the reporter's device gave it, without paths or control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:255]


def _remember(key: str) -> None:
    on_failure(lambda: _discard_unreferenced([key]))


def referenced_keys(keys: list[str]) -> set[str]:
    """Those of `keys` that an Evidence, Redaction or held upload row points to (a chunk is in
    use while its upload is still arriving)."""
    found: set[str] = set()
    columns = (
        Evidence.original_key,
        Evidence.clean_key,
        Evidence.thumb_key,
        HeldUpload.original_key,
        HeldUpload.clean_key,
        HeldUpload.thumb_key,
        Redaction.key,
        Redaction.thumb_key,
        FormalIdentity.id_card_original_key,  # an ID card photo (intake/formal)
        FormalIdentity.id_card_clean_key,
        FormalIdentity.id_card_thumb_key,
    )
    for start in range(0, len(keys), 300):
        chunk = keys[start : start + 300]
        for column in columns:
            found.update(db.session.scalars(sa.select(column).where(column.in_(chunk))))
        found.update(_arriving_chunks(chunk))
    return found


def _arriving_chunks(keys: list[str]) -> set[str]:
    pieces = {key: key.split("/")[1] for key in keys if key.startswith(HELD + "/")}
    if not pieces:
        return set()
    arriving = set(
        db.session.scalars(
            sa.select(HeldUpload.id).where(
                HeldUpload.id.in_(set(pieces.values())), HeldUpload.original_key.is_(None)
            )
        )
    )
    return {key for key, upload_id in pieces.items() if upload_id in arriving}


def remove_unreferenced(keys: list[str]) -> None:
    """Delete those of `keys` that no row uses (after a unit of work removed rows)."""
    _discard_unreferenced(keys)


def _discard_unreferenced(keys: list[str]) -> None:
    """Abandon the failed unit of work, then delete what it wrote that no committed row uses."""
    if not keys:
        return
    try:
        db.session.rollback()
        keep = referenced_keys(sorted(set(keys)))
        db.session.rollback()
    except Exception:  # noqa: BLE001  (the database may be what failed: leave it to the sweep)
        logger.exception("Could not check stored files after a failure; the sweep will")
        return
    storage = get_storage()
    for key in set(keys) - keep:
        try:
            storage.delete(key)
        except Exception:  # noqa: BLE001
            logger.exception("Could not delete %s after a failure; the sweep will", key)


@dataclass(frozen=True)
class SweepResult:
    scanned: int
    deleted: int
    kept_referenced: int
    kept_young: int


def sweep(*, older_than: timedelta) -> SweepResult:
    """Delete stored evidence files that no row points to and that are older than the grace."""
    storage = get_storage()
    cutoff = utcnow() - older_than
    scanned = young = referenced = deleted = 0
    batch: list[str] = []

    def flush_batch() -> None:
        nonlocal referenced, deleted
        keep = referenced_keys(batch)
        referenced += len(keep)
        for key in batch:
            if key not in keep:
                storage.delete(key)
                deleted += 1
                logger.info("Swept unreferenced file %s", key)
        batch.clear()

    for key, modified_at in storage.iter_keys():
        if key.split("/", 1)[0] not in PREFIXES:
            continue
        scanned += 1
        if modified_at > cutoff:
            young += 1
            continue
        batch.append(key)
        if len(batch) >= 300:
            flush_batch()
    if batch:
        flush_batch()
    return SweepResult(scanned, deleted, referenced, young)
