"""RFC 3161 trusted timestamps: the request, the HTTP exchange, and checking tokens.

The request asks a Time Stamping Authority (TSA) to sign a SHA-256 hash the portal already
recorded, so the file itself never leaves the server (RFC 3161 section 2.4.1: TimeStampReq with
messageImprint, a nonce, and certReq so that the TSA's certificate comes back in the token).
Responses are parsed and checked with rfc3161-client: status granted, the imprint is our hash,
the nonce is ours, and the CMS signature chains to a trusted root (section 2.4.2); the
signing certificate must carry the critical id-kp-timeStamping key usage (section 2.3).
"""

import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from rfc3161_client import (
    PKIStatus,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

SHA256_OID = x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")  # id-sha256, RFC 5754 section 2
MAX_RESPONSE_BYTES = 1024 * 1024
# AlgorithmIdentifier of SHA-256 with NULL parameters, as OpenSSL and rfc3161-client send it.
_SHA256_ALGORITHM = bytes.fromhex("300d06096086480165030402010500")
_GRANTED = bytes.fromhex("3003020100")  # PKIStatusInfo { status granted(0) }


class TimestampError(Exception):
    """No usable token: the TSA failed, answered garbage, or the token does not check out."""


@dataclass(frozen=True)
class Granted:
    """A token that was checked in full, with what the case page and the bundle show."""

    tsa_url: str
    token: bytes  # DER TimeStampToken (a CMS ContentInfo)
    gen_time: datetime
    serial: str
    root_pem: str


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def _der_integer(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def build_request(digest: bytes, nonce: int) -> bytes:
    """DER TimeStampReq v1 for a SHA-256 digest, with a nonce and certReq TRUE."""
    if len(digest) != 32:
        raise ValueError("a SHA-256 digest has 32 bytes")
    imprint = _der(0x30, _SHA256_ALGORITHM + _der(0x04, digest))
    return _der(0x30, _der_integer(1) + imprint + _der_integer(nonce) + b"\x01\x01\xff")


def post_request(url: str, body: bytes, *, timeout: float) -> bytes:
    """POST a request as application/timestamp-query (RFC 3161 section 3.4); the reply bytes."""
    if not url.startswith(("http://", "https://")):
        raise TimestampError(f"{url}: only http and https TSA addresses are supported")
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        url,
        data=body,
        headers={
            "Content-Type": "application/timestamp-query",
            "Accept": "application/timestamp-reply",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as err:
        raise TimestampError(f"{url}: HTTP {err.code}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise TimestampError(f"{url}: unreachable ({reason})") from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise TimestampError(f"{url}: the answer is larger than {MAX_RESPONSE_BYTES} bytes")
    return data


def request_token(
    urls: list[str], digest: bytes, *, roots: list[x509.Certificate], timeout: float, nonce: int
) -> Granted:
    """Ask each TSA in order until one grants a token that checks out; TimestampError naming
    every failure otherwise."""
    body = build_request(digest, nonce)
    failures = []
    for url in urls:
        try:
            reply = post_request(url, body, timeout=timeout)
            response = parse_response(reply, source=url)
            chain = check_response(response, digest, roots=roots, nonce=nonce)
        except TimestampError as err:
            failures.append(str(err) if str(err).startswith(url) else f"{url}: {err}")
            continue
        info = response.tst_info
        return Granted(
            tsa_url=url,
            token=response.time_stamp_token(),
            gen_time=info.gen_time,
            serial=format(info.serial_number, "x"),
            root_pem=chain_pem(chain),
        )
    raise TimestampError("; ".join(failures) or "no TSA configured")


def parse_response(data: bytes, *, source: str) -> TimeStampResponse:
    """A TimeStampResp from bytes; TimestampError for anything else."""
    try:
        return decode_timestamp_response(data)
    except ValueError as err:
        detail = str(err)[:120]
        raise TimestampError(f"{source}: not an RFC 3161 timestamp response ({detail})") from None


def parse_token(token: bytes) -> TimeStampResponse:
    """A stored token (DER TimeStampToken), wrapped as a granted response for parsing."""
    try:
        return decode_timestamp_response(_der(0x30, _GRANTED + token))
    except ValueError:
        raise TimestampError("not an RFC 3161 timestamp token") from None


def check_response(
    response: TimeStampResponse,
    digest: bytes,
    *,
    roots: list[x509.Certificate],
    nonce: int | None = None,
) -> list[x509.Certificate]:
    """Check a response against the hash it should stamp; the trusted certificates it chains
    to, root first."""
    if response.status != PKIStatus.GRANTED:
        detail = " ".join(response.status_string) or "no reason given"
        raise TimestampError(f"the TSA refused (status {response.status}: {detail})")
    imprint = response.tst_info.message_imprint
    if imprint.hash_algorithm != SHA256_OID:
        raise TimestampError(f"the token uses hash {imprint.hash_algorithm.dotted_string}")
    if imprint.message != digest:
        raise TimestampError(
            f"the token is for another hash ({imprint.message.hex()}, not {digest.hex()})"
        )
    chain = _trusted_chain(response, roots)
    if not chain:
        raise TimestampError("the token's certificate does not chain to a trusted root")
    builder = VerifierBuilder(nonce=nonce) if nonce is not None else VerifierBuilder()
    for cert in chain:
        builder = builder.add_root_certificate(cert)
    try:
        builder.build().verify(response, digest)
    except VerificationError as err:
        raise TimestampError(f"the token's signature does not verify ({err})") from None
    return chain


def _trusted_chain(
    response: TimeStampResponse, trusted: list[x509.Certificate]
) -> list[x509.Certificate]:
    """The trusted certificates above the token's own, walking up to a root: root first."""
    certs = [x509.load_der_x509_certificate(der) for der in response.signed_data.certificates]
    chain: list[x509.Certificate] = []
    wanted = {cert.issuer for cert in certs}
    while wanted:
        found = [cert for cert in trusted if cert.subject in wanted and cert not in chain]
        chain = found + chain
        wanted = {cert.issuer for cert in found if cert.issuer != cert.subject}
    return chain


def chain_pem(chain: list[x509.Certificate]) -> str:
    """The certificates as one PEM file, root first (what `openssl ts -verify -CAfile` reads)."""
    return "".join(cert.public_bytes(serialization.Encoding.PEM).decode() for cert in chain)


def load_roots(path: str | None) -> list[x509.Certificate]:
    """The trusted roots in a PEM file: TIMESTAMP_CA_FILE, or the system's bundle."""
    defaults = ssl.get_default_verify_paths()
    where = path or defaults.cafile or defaults.openssl_cafile
    try:
        return x509.load_pem_x509_certificates(Path(where).read_bytes())
    except (OSError, ValueError) as err:
        raise TimestampError(f"cannot read trusted TSA roots from {where}: {err}") from None


def certificate_fingerprint(pem: str) -> str:
    """SHA-256 (hex) of the first certificate's DER, as `openssl x509 -fingerprint -sha256`
    shows it."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    return cert.fingerprint(hashes.SHA256()).hex()
