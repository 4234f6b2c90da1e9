"""Recognising a double-submitted report form, and nothing more.

A rendered report form carries a random one-time key, and the browser session that rendered it
holds a random secret in its signed cookie. A POST is the same submission again only when it
carries the same key, from the same session, with the same content (`fingerprint`), before the
mark expires (IDEMPOTENCY_HOURS); then it gets the first receipt. Anything else is new.

A report keeps only HMAC(IDEMPOTENCY_HMAC_KEY, key, session secret, fingerprint) and its tracking
code XOR a pad derived from the key and the session secret. Neither of those is stored, so a
copy of the database, even together with the live site, opens no receipt; only the browser that
sent the form can rebuild the pad.

A trusted caller without a browser (the demo) may file with a key of its own: it is stored as a
keyed hash as well, never expires, and opens nothing (no seal); it only says "filed already".
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.intake.drafts import ReportDraft


@dataclass(frozen=True)
class FormHolder:
    """What only the submitting browser holds: the form's one-time key and its session secret."""

    form_key: str
    session_secret: str

    def lookup(self, fingerprint: str, *, hmac_key: str) -> str:
        """The Report.idempotency_hash of this form, session and content."""
        return _mac(hmac_key, "form", self.form_key, self.session_secret, fingerprint).hex()

    def upload_owner(self, *, hmac_key: str) -> str:
        """The HeldUpload.owner_hash of files sent with this form from this session."""
        return _mac(hmac_key, "upload", self.form_key, self.session_secret).hex()

    def seal(self, code: str, *, hmac_key: str, lookup: str) -> str:
        """The code XOR a pad that only this holder can rebuild."""
        return _xor(code.encode(), self._pad(hmac_key, lookup)).hex()

    def unseal(self, seal: str, *, hmac_key: str, lookup: str) -> str:
        """The code back from a seal; another holder gets characters that match no code."""
        return _xor(bytes.fromhex(seal), self._pad(hmac_key, lookup)).decode("latin-1")

    def _pad(self, hmac_key: str, lookup: str) -> bytes:
        # The lookup hash makes the pad differ per report, even for one form key and session.
        return _mac(hmac_key, "receipt", self.form_key, self.session_secret, lookup)


@dataclass(frozen=True)
class Mark:
    """The idempotency columns of a new report."""

    hash: str | None
    expires_at: datetime | None
    seal: str | None


def holder_of(draft: ReportDraft) -> FormHolder | None:
    """The browser's part of a web submission; None for a door without a browser."""
    if not draft.idempotency_key or not draft.idempotency_session:
        return None
    return FormHolder(draft.idempotency_key, draft.idempotency_session)


def fingerprint(draft: ReportDraft) -> str:
    """SHA-256 over what a submission says (not the page language it was sent in)."""
    content = {
        "category": _row_id(draft.category),
        "region": _row_id(draft.region),
        "reported_party": draft.reported_party,
        "description": draft.description,
        "answers": sorted(draft.answers.items()),
        "links": list(draft.links),
        "screenshots": [
            [name, hashlib.sha256(data).hexdigest()] for name, data in draft.screenshots
        ]
        + [["held", held_id] for held_id in draft.held_named],
        "incident_at": draft.incident_at.isoformat() if draft.incident_at else None,
        "learned_on": draft.learned_on.isoformat() if draft.learned_on else None,
        "visibility": str(draft.visibility),
        "contact": [draft.contact_name, draft.contact_email, draft.contact_phone],
        "location": [draft.latitude, draft.longitude],
    }
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _row_id(row: object) -> int | None:
    """A row's id without loading it: inside a unit of work a row read before it is expired,
    and loading it would begin the transaction (on SQLite take the write lock) early."""
    if row is None:
        return None
    identity = sa.inspect(row).identity
    return identity[0] if identity else getattr(row, "id", None)


def form_lookup(draft: ReportDraft, *, hmac_key: str) -> tuple[FormHolder, str] | None:
    """The holder of a web submission and the hash its report is found by."""
    holder = holder_of(draft)
    if holder is None:
        return None
    return holder, holder.lookup(fingerprint(draft), hmac_key=hmac_key)


def caller_key_hash(key: str, *, hmac_key: str) -> str:
    """The stored form of a trusted caller's own key (see the module docstring)."""
    return _mac(hmac_key, "caller", key).hex()


def mark_submission(
    draft: ReportDraft, code: str, *, hmac_key: str, hours: float, now: datetime
) -> Mark:
    """The idempotency columns of the report a draft becomes."""
    found = form_lookup(draft, hmac_key=hmac_key)
    if found is None:
        key = draft.idempotency_key
        return Mark(caller_key_hash(key, hmac_key=hmac_key) if key else None, None, None)
    holder, lookup = found
    return Mark(
        hash=lookup,
        expires_at=now + timedelta(hours=hours),
        seal=holder.seal(code, hmac_key=hmac_key, lookup=lookup),
    )


def _mac(key: str, *parts: str) -> bytes:
    message = json.dumps(parts).encode()  # a list, so no two sets of parts give one message
    return hmac.new(key.encode(), message, hashlib.sha256).digest()


def _xor(data: bytes, pad: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, pad, strict=False))
