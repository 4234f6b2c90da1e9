"""Tracking codes: 120 random bits in Crockford base32, kept only as a keyed hash.

The code is the reporter's only key to their report. It is shown once (on the receipt and in
the receipt email body), never placed in a URL, a log line or an email subject, and stored
only as HMAC-SHA256(TRACKING_KEY, code), so a copy of the database opens no report.
"""

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 24  # 24 characters x 5 bits = 120 bits
GROUP = 4
BITS = CODE_LENGTH * 5
# Characters people confuse when reading or typing, mapped to the one the code uses.
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
SEPARATORS = str.maketrans("", "", " -_.\t\r\n\u00a0\u2010\u2011\u2012\u2013\u2014")


def new_code() -> str:
    """A fresh tracking code (canonical form: 24 characters, no separators)."""
    number = secrets.randbits(BITS)
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """The code in groups of four for reading aloud: K7QD-3M9X-..."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize_code(text: str) -> str | None:
    """The canonical code for what someone typed, or None when it cannot be a code."""
    code = (text or "").translate(SEPARATORS).upper().translate(LOOK_ALIKES)
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def hash_code(code: str, key: str) -> str:
    """The keyed hash stored in Report.tracking_hash."""
    return hmac.new(key.encode(), code.encode(), hashlib.sha256).hexdigest()


def new_idempotency_key() -> str:
    """A random one-time key a rendered form carries (see intake/idempotency.py)."""
    return secrets.token_urlsafe(24)
