"""Checking an evidence bundle on its own, without the database: the manifest's signature and
key, every file's SHA-256, the signed checksum file, and each RFC 3161 timestamp token.

A failure names the file and the check, e.g. "asli/x.png.tst: ... (timestamp check)".
"""

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509

from portal.proof.signing import SigningKeyError, fingerprint, verify_signature
from portal.proof.timestamps import TimestampError, check_response, parse_token

MANIFEST = "manifest.json"
MANIFEST_SIG = "manifest.json.sig"
CHECKSUMS = "SHA256SUMS"
CHECKSUMS_SIG = "SHA256SUMS.sig"
PUBLIC_KEY = "kunci-publik.pem"
HOWTO = "CARA-VERIFIKASI.txt"
SEALS = frozenset({MANIFEST, MANIFEST_SIG, CHECKSUMS, CHECKSUMS_SIG})  # not in the manifest


@dataclass(frozen=True)
class TrustedKey:
    """A key the portal published, with when it was in use (from /data/kunci.json)."""

    fingerprint: str
    valid_from: datetime
    valid_until: datetime | None


@dataclass(frozen=True)
class BundleCheck:
    checked: int
    problem: str | None  # the first failure, None when every check passed
    key_id: str | None = None
    timestamps: list[tuple[str, str, str]] = field(default_factory=list)  # file, TSA, time


class _Failed(Exception):
    def __init__(self, name: str, check: str, detail: str) -> None:
        super().__init__(f"{name}: {detail} ({check} check)")


def verify_bundle(path: str, *, trusted_keys: list[TrustedKey] | None = None) -> BundleCheck:
    """Run every check; `trusted_keys` None skips the "is it the portal's key" check."""
    try:
        bundle = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        return BundleCheck(0, f"not a readable ZIP file ({err})")
    with bundle:
        checked: list[dict[str, Any]] = []
        key_id = None
        try:
            manifest, body = _read_manifest(bundle)
            key_id = _check_signature(bundle, manifest, body, trusted_keys)
            _check_files(bundle, manifest["files"], checked)
            _check_checksums(bundle, manifest["files"], body)
            stamps = _check_timestamps(bundle, manifest["files"])
        except _Failed as failed:
            return BundleCheck(len(checked), str(failed), key_id)
        return BundleCheck(len(checked), None, key_id, stamps)


def _read(bundle: zipfile.ZipFile, name: str, check: str) -> bytes:
    try:
        return bundle.read(name)
    except KeyError:
        raise _Failed(name, check, "missing from the ZIP") from None


def _read_manifest(bundle: zipfile.ZipFile) -> tuple[dict[str, Any], bytes]:
    body = _read(bundle, MANIFEST, "manifest")
    try:
        manifest = json.loads(body)
        entries = manifest["files"]
        if not all(isinstance(e, dict) and isinstance(e.get("path"), str) for e in entries):
            raise TypeError
    except (KeyError, ValueError, TypeError):
        raise _Failed(MANIFEST, "manifest", "unreadable or without a list of files") from None
    return manifest, body


def _check_signature(
    bundle: zipfile.ZipFile,
    manifest: dict[str, Any],
    body: bytes,
    trusted_keys: list[TrustedKey] | None,
) -> str:
    """The manifest's signature verifies with the bundle's key, a key the portal published."""
    public_pem = _read(bundle, PUBLIC_KEY, "signature")
    signature = _read(bundle, MANIFEST_SIG, "signature")
    try:
        key_fingerprint = fingerprint(public_pem)
        valid = verify_signature(public_pem, body, signature)
    except SigningKeyError as err:
        raise _Failed(PUBLIC_KEY, "signature", str(err)) from None
    if not valid:
        raise _Failed(MANIFEST_SIG, "signature", f"does not verify {MANIFEST} with {PUBLIC_KEY}")
    named = (manifest.get("signature") or {}).get("key_id")
    if named != key_fingerprint[:16]:
        raise _Failed(MANIFEST, "signature", f"names key {named}, not the bundle's key")
    if trusted_keys is not None:
        _check_published(manifest, key_fingerprint, trusted_keys)
    return key_fingerprint[:16]


def _check_published(
    manifest: dict[str, Any], key_fingerprint: str, trusted_keys: list[TrustedKey]
) -> None:
    key = next((k for k in trusted_keys if k.fingerprint == key_fingerprint), None)
    if key is None:
        raise _Failed(
            PUBLIC_KEY,
            "published key",
            f"key {key_fingerprint[:16]} is not one of the portal's published keys",
        )
    try:
        made = datetime.fromisoformat(manifest["generated_at"])
    except (KeyError, TypeError, ValueError):
        raise _Failed(MANIFEST, "published key", "has no readable generated_at") from None
    if made < key.valid_from or (key.valid_until is not None and made >= key.valid_until):
        raise _Failed(
            PUBLIC_KEY,
            "published key",
            f"key {key_fingerprint[:16]} was not in use at {made.isoformat()}",
        )


def _check_files(
    bundle: zipfile.ZipFile, entries: list[dict[str, Any]], checked: list[dict[str, Any]]
) -> None:
    names = set(bundle.namelist()) - SEALS
    for entry in entries:
        name = entry["path"]
        if name not in names:
            raise _Failed(name, "hash", "listed in the manifest but not in the ZIP")
        data = bundle.read(name)
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise _Failed(name, "hash", "SHA-256 does not match the manifest")
        if len(data) != entry.get("size"):
            raise _Failed(name, "hash", "size does not match the manifest")
        names.discard(name)
        checked.append(entry)
    if names:
        raise _Failed(sorted(names)[0], "hash", "in the ZIP but not in the manifest")


def _check_checksums(bundle: zipfile.ZipFile, entries: list[dict[str, Any]], body: bytes) -> None:
    """SHA256SUMS is signed and lists exactly the manifest's files and the manifest."""
    sums = _read(bundle, CHECKSUMS, "checksum")
    signature = _read(bundle, CHECKSUMS_SIG, "checksum")
    if not verify_signature(bundle.read(PUBLIC_KEY), sums, signature):
        raise _Failed(CHECKSUMS_SIG, "signature", f"does not verify {CHECKSUMS} with {PUBLIC_KEY}")
    expected = {e["path"]: e["sha256"] for e in entries}
    expected[MANIFEST] = hashlib.sha256(body).hexdigest()
    listed = {}
    for line in sums.decode(errors="replace").splitlines():
        sha, _, name = line.partition("  ")
        listed[name] = sha
    for name, sha in expected.items():
        if listed.get(name) != sha:
            raise _Failed(CHECKSUMS, "checksum", f"its line for {name} is missing or differs")
    extra = sorted(set(listed) - set(expected))
    if extra:
        raise _Failed(CHECKSUMS, "checksum", f"lists {extra[0]}, which the manifest does not")


def _check_timestamps(
    bundle: zipfile.ZipFile, entries: list[dict[str, Any]]
) -> list[tuple[str, str, str]]:
    """Each token stamps its file's hash and is signed under the root that comes with it."""
    by_path = {e["path"]: e for e in entries}
    stamps = []
    for entry in (e for e in entries if e.get("source") == "timestamp"):
        name, target = entry["path"], by_path.get(entry.get("stamps") or "")
        if target is None:
            raise _Failed(name, "timestamp", "stamps a file that is not in the bundle")
        root_name = entry.get("tsa_root") or ""
        if root_name not in by_path:
            raise _Failed(name, "timestamp", "its TSA root certificate is not in the bundle")
        try:
            roots = x509.load_pem_x509_certificates(bundle.read(root_name))
            response = parse_token(bundle.read(name))
            check_response(response, bytes.fromhex(target["sha256"]), roots=roots)
        except (TimestampError, ValueError) as err:
            detail = f"{err}; stamped file {target['path']}"
            raise _Failed(name, "timestamp", detail) from None
        gen_time = response.tst_info.gen_time.isoformat()
        stamps.append((target["path"], str(entry.get("tsa_url") or "?"), gen_time))
    return stamps
