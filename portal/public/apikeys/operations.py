"""Open311 API keys: issued by admins, stored only as SHA-256, shown once."""

import hashlib
import logging
import secrets
from typing import Any

import sqlalchemy as sa

from portal.db import db, utcnow
from portal.public.models import ApiKey

logger = logging.getLogger(__name__)
PREFIX = "p311_"


def _digest(raw: str) -> str:
    # The key carries 256 random bits, so a plain hash cannot be brute-forced.
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(*, name: str, created_by: Any = None) -> tuple[ApiKey, str]:
    """A new key for a named client; returns the row and the key (the only time it is known)."""
    raw = PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name.strip()[:100] or "client",
        prefix=raw[len(PREFIX) :][:6],
        key_hash=_digest(raw),
        created_by_id=getattr(created_by, "id", None),
        created_at=utcnow(),
    )
    db.session.add(key)
    db.session.flush()
    logger.info("API key %s created for %r", key.id, key.name)
    return key, raw


def verify_api_key(raw: str | None) -> ApiKey | None:
    """The active key matching what a client sent, or None."""
    if not raw or len(raw) > 100:
        return None
    key = db.session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == _digest(raw.strip())))
    if key is None or not key.is_active:
        return None
    return key


def revoke_api_key(*, key: ApiKey) -> None:
    """Stop accepting a key (flushes)."""
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        db.session.flush()
        logger.info("API key %s revoked", key.id)


def list_api_keys() -> list[ApiKey]:
    """Every key, newest first."""
    return list(db.session.scalars(sa.select(ApiKey).order_by(ApiKey.id.desc())))
