"""The pure parts of two-step sign-in: RFC 6238 codes, the sealed secret, the QR code and the
recovery codes. No database, no request."""

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pyotp
import qrcode
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from markupsafe import Markup, escape
from qrcode.image.svg import SvgPathFillImage

# RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps (section 5.2 recommends 30 s) — the values
# every authenticator app assumes. One step either way allows for clock drift and the time it
# takes to type (section 5.2: "at most one time step ... as the network delay").
STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_CHARS = 32  # base 32: 160 bits, the length of the SHA-1 output (RFC 6238 section 5.1)

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10  # Crockford base 32: 50 bits each
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LOOKALIKES = str.maketrans("OIL", "011")

SEALED_PREFIX = "v1:"
NONCE_BYTES = 12


def new_secret() -> str:
    """A random secret for an authenticator app, in base 32."""
    return pyotp.random_base32(SECRET_CHARS)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)  # SHA-1 is pyotp's default


def step_at(now: datetime) -> int:
    """The RFC 6238 time step T of a moment (steps of 30 s since 1970)."""
    return int(now.timestamp()) // STEP_SECONDS


def code_for_step(secret: str, step: int) -> str:
    """The code an app shows during one time step."""
    return _totp(secret).generate_otp(step)


def is_totp_shaped(text: str) -> bool:
    """True for six digits (spaces allowed), the shape of an app's code."""
    return re.fullmatch(rf"\d{{{DIGITS}}}", text.replace(" ", "")) is not None


def matching_step(secret: str, code: str, *, now: datetime, after: int | None) -> int | None:
    """The latest time step near `now` whose code this is, if it is later than `after`.

    Refusing steps up to `after` (the last one accepted) makes every code single-use, and also
    refuses a code older than one already used (RFC 6238 section 5.2).
    """
    code = code.replace(" ", "")
    if not is_totp_shaped(code):
        return None
    current = step_at(now)
    for step in range(current + DRIFT_STEPS, current - DRIFT_STEPS - 1, -1):
        if after is not None and step <= after:
            return None
        if hmac.compare_digest(code_for_step(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// address an app reads from the QR code (Google's Key Uri Format)."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(data: str, *, label: str) -> Markup:
    """An inline SVG QR code of `data`, sized by CSS, with a white quiet zone."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=SvgPathFillImage,
    )
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image().to_string(encoding="unicode")
    head = f'<svg class="qr-code" role="img" aria-label="{escape(label)}"'
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', head, svg).replace(' id="qr-path"', "")
    return Markup(svg)  # noqa: S704 (built here from our own data; the label is escaped)


def secret_groups(secret: str) -> list[str]:
    """The secret in groups of four characters, for typing it by hand."""
    return [secret[i : i + 4] for i in range(0, len(secret), 4)]


# The secret at rest: AES-GCM under a key derived from the app's secret key, bound to the user
# (a sealed secret copied onto another user's row does not open).


def sealing_key(config: Mapping[str, Any]) -> bytes:
    """The 256-bit key of stored TOTP secrets: TWO_FACTOR_KEY, or derived from SECRET_KEY."""
    material = config.get("TWO_FACTOR_KEY") or config["SECRET_KEY"]
    return hmac.new(str(material).encode(), b"two-factor-secret", hashlib.sha256).digest()


def _context(user_id: int) -> bytes:
    return f"totp-secret:user:{user_id}".encode()


def seal_secret(secret: str, *, key: bytes, user_id: int) -> str:
    """The secret encrypted for storage."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, secret.encode(), _context(user_id))
    return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_secret(sealed: str, *, key: bytes, user_id: int) -> str | None:
    """The stored secret, or None when it does not open (another key, another user)."""
    if not sealed.startswith(SEALED_PREFIX):
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed.removeprefix(SEALED_PREFIX))
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _context(user_id))
    except (InvalidTag, binascii.Error, ValueError):
        return None
    return plain.decode()


# Recovery codes: ten random codes such as 7KQ2D-M9XTA, shown once, stored hashed.


def new_recovery_codes() -> list[str]:
    """A fresh set of recovery codes, formatted for reading (XXXXX-XXXXX)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(CROCKFORD) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalise_recovery_code(text: str) -> str:
    """A typed recovery code as stored: capitals, no spaces or dashes, O/I/L read as 0/1/1."""
    return re.sub(r"[\s-]", "", text.upper()).translate(_LOOKALIKES)
