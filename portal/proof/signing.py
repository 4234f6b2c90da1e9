"""The install's Ed25519 signing key (RFC 8032), kept in a PEM file outside the database.

The file holds the private key (PKCS #8, mode 0600); the database keeps only public halves
(`SigningKey`). A key's id is the first 16 hex digits of its fingerprint, the SHA-256 of its
DER SubjectPublicKeyInfo (`openssl pkey -pubin -in KEY.pem -outform DER | sha256sum`).
"""

import hashlib
import logging
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

logger = logging.getLogger(__name__)
KEY_FILE_NAME = "signing-key.pem"


class SigningKeyError(RuntimeError):
    """The key file cannot be read, written or used; the message says which and why."""


@dataclass(frozen=True)
class Signer:
    private_key: Ed25519PrivateKey
    public_pem: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_pem)

    @property
    def key_id(self) -> str:
        return self.fingerprint[:16]

    def sign(self, data: bytes) -> bytes:
        """A detached Ed25519 signature (64 bytes) of the exact bytes."""
        return self.private_key.sign(data)


def key_path() -> Path:
    """SIGNING_KEY_FILE, or signing-key.pem in the instance folder."""
    configured = current_app.config.get("SIGNING_KEY_FILE")
    return Path(configured or os.path.join(current_app.instance_path, KEY_FILE_NAME))


def fingerprint(public_pem: str | bytes) -> str:
    """SHA-256 (hex) of the key's DER SubjectPublicKeyInfo."""
    der = load_public_key(public_pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def load_public_key(public_pem: str | bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM; SigningKeyError for anything else."""
    data = public_pem.encode() if isinstance(public_pem, str) else public_pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as err:
        raise SigningKeyError(f"not a PEM public key ({err})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError("not an Ed25519 public key")
    return key


def verify_signature(public_pem: str | bytes, data: bytes, signature: bytes) -> bool:
    """Whether `signature` is the key's Ed25519 signature of exactly `data`."""
    try:
        load_public_key(public_pem).verify(signature, data)
    except InvalidSignature:
        return False
    return True


def load_or_create(path: Path) -> Signer:
    """The key in `path`, made (mode 0600) if there is none yet; two processes starting at
    once end up with the same key, because the file is linked into place only if absent."""
    if not path.exists():
        temp = _write_temp(path, Ed25519PrivateKey.generate())
        try:
            os.link(temp, path)
            logger.info("Created the signing key %s", path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            temp.unlink(missing_ok=True)
    return _read(path)


def replace_key(path: Path) -> Signer:
    """Write a new key over the old one (rotation); the old private key is gone afterwards."""
    temp = _write_temp(path, Ed25519PrivateKey.generate())
    os.replace(temp, path)
    logger.info("Replaced the signing key %s", path)
    return _read(path)


def _write_temp(path: Path, key: Ed25519PrivateKey) -> Path:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as err:
        raise SigningKeyError(f"cannot write the signing key next to {path}: {err}") from None
    return temp


def _read(path: Path) -> Signer:
    try:
        data = path.read_bytes()
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as err:
        raise SigningKeyError(f"cannot read the signing key {path}: {err}") from None
    if mode & 0o077:
        logger.warning("The signing key %s can be read by others (mode %o); use 0600", path, mode)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as err:
        raise SigningKeyError(f"{path} is not a readable private key ({err})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} does not hold an Ed25519 key")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return Signer(key, public_pem)
