"""A fetcher for attacker-chosen URLs: public addresses only, checked on every hop.

The host is resolved here and the connection goes to the address that was vetted (TLS still
checks the certificate against the host name), so a DNS answer cannot change between the check
and the connection. Numeric host spellings (2130706433, 0x7f000001, 0177.0.0.1, 127.1) are
decoded the way inet_aton does before the check, and IPv6 forms that embed an IPv4 address
(mapped, compatible, 6to4, Teredo, NAT64) are judged by that address.
"""

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

REDIRECTS = {301, 302, 303, 307, 308}
KEPT_HEADERS = (
    "content-type",
    "content-length",
    "content-language",
    "date",
    "last-modified",
    "etag",
    "server",
    "location",
    "cache-control",
    "expires",
    "x-robots-tag",
)
PATH_SAFE = "/%?=&;:@!$'()*+,~-._"
_NUMERIC_HOST = re.compile(r"[0-9a-fA-Fx.]+")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class FetchError(Exception):
    """Why a fetch failed: a short reason code and a detail for officers."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail[:300]


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool = False
    allow_hosts: tuple[str, ...] = ()  # "host:port" exactly as written in the URL (tests)
    ports: tuple[int, ...] = (80, 443)
    max_redirects: int = 5
    max_bytes: int = 5 * 1024 * 1024
    timeout: float = 20.0
    user_agent: str = "PortalAduanWarga-Capture/1.0"

    @classmethod
    def from_config(cls, config: dict) -> "FetchPolicy":
        return cls(
            allow_private=bool(config["CAPTURE_ALLOW_PRIVATE"]),
            allow_hosts=tuple(config["CAPTURE_ALLOW_HOSTS"]),
            ports=tuple(config["CAPTURE_ALLOWED_PORTS"]),
            max_redirects=int(config["CAPTURE_MAX_REDIRECTS"]),
            max_bytes=int(config["CAPTURE_MAX_BYTES"]),
            timeout=float(config["CAPTURE_TIMEOUT"]),
            user_agent=config["CAPTURE_USER_AGENT"],
        )


@dataclass
class FetchResult:
    url: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    is_truncated: bool = False
    # dns, blocked_address, bad_scheme, bad_port, bad_url, too_many_redirects, too_large,
    # timeout, connection, http_error
    error: str | None = None
    detail: str = ""
    hops: list[str] = field(default_factory=list)
    cookies_sent: bool = False  # the request that got this response carried session cookies


def is_public_address(ip: Address) -> bool:
    """True only for globally routable unicast addresses (embedded IPv4 judged by itself)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public_address(embedded)
    elif ip in _CGNAT:
        return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_unspecified
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0:  # ::a.b.c.d (IPv4-compatible), also :: and ::1
        return ipaddress.IPv4Address(int(ip))
    return None


def numeric_host(host: str) -> Address | None:
    """The address a numeric host spelling means (inet_aton rules for IPv4), else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host) and not host.endswith("."):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def vet_url(url: str, policy: FetchPolicy) -> tuple[str, str, int, str]:
    """Scheme, host, port and the one address to connect to; FetchError when refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("bad_scheme", parts.scheme or "none")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise FetchError("dns", "no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("bad_port", "invalid") from None
    exempt = policy.allow_private or f"{host}:{port}" in policy.allow_hosts
    if port not in policy.ports and not exempt:
        raise FetchError("bad_port", str(port))
    literal = numeric_host(host)
    addresses = [literal] if literal is not None else _resolve(host, port)
    for ip in addresses:
        if not exempt and not is_public_address(ip):
            raise FetchError("blocked_address", str(ip))
    return parts.scheme, host, port, str(addresses[0])


def _resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise FetchError("dns", str(err)) from None
    found: list[Address] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise FetchError("dns", "no address")
    return found


class _PinnedHTTP(http.client.HTTPConnection):
    """Speaks HTTP for `host` but connects to the vetted address only."""

    def __init__(self, host: str, ip: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.vetted_ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self.vetted_ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to the vetted address, certificate checked against `host`."""

    def __init__(self, host: str, ip: str, port: int, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.vetted_ip = ip

    def connect(self) -> None:
        raw = socket.create_connection((self.vetted_ip, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


CookieSource = Callable[[str], str | None]  # the Cookie header for a URL, or None


def fetch(url: str, policy: FetchPolicy, cookies: CookieSource | None = None) -> FetchResult:
    """GET `url` within the policy; never raises for network reasons, sets `error` instead.
    `cookies` gives each hop its Cookie header (an officer-supplied session), re-decided per
    address so that a redirect to another host never carries them along."""
    result = FetchResult(url=url)
    deadline = time.monotonic() + policy.timeout
    current = url
    try:
        for _hop in range(policy.max_redirects + 1):
            result.hops.append(current)
            location = _fetch_one(current, policy, deadline, result, cookies)
            if location is None:
                if result.status is not None and result.status >= 400 and not result.error:
                    result.error, result.detail = "http_error", str(result.status)
                return result
            current = urljoin(current, location)
        raise FetchError("too_many_redirects", str(policy.max_redirects))
    except FetchError as err:
        result.error, result.detail = err.reason, err.detail
    return result


def _fetch_one(
    url: str,
    policy: FetchPolicy,
    deadline: float,
    result: FetchResult,
    cookies: CookieSource | None,
) -> str | None:
    """One request; returns the redirect target, or None once the body is read."""
    scheme, host, port, ip = vet_url(url, policy)
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": "*/*",
        "Accept-Encoding": "identity",
        "Connection": "close",
    }
    cookie = cookies(url) if cookies else None
    if cookie:
        headers["Cookie"] = cookie
    result.cookies_sent = bool(cookie)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError("timeout", f"{policy.timeout:g} s")
    cls = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    conn = cls(host, ip, port, timeout=remaining)
    # The watchdog ends the connection at the deadline, whatever it is blocked on
    # (a slow TLS handshake, headers sent a byte at a time, a dripping body).
    watchdog = threading.Timer(remaining, _abort, args=(conn,))
    watchdog.daemon = True
    watchdog.start()
    try:
        parts = urlsplit(url)
        path = quote(parts.path or "/", safe=PATH_SAFE)
        path += f"?{quote(parts.query, safe=PATH_SAFE)}" if parts.query else ""
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        result.final_url, result.status = url, response.status
        result.headers = {
            k.lower(): v[:500] for k, v in response.getheaders() if k.lower() in KEPT_HEADERS
        }
        if response.status in REDIRECTS and response.getheader("Location"):
            return response.getheader("Location")
        result.body, result.is_truncated = _read_capped(response, policy.max_bytes, deadline)
        if result.is_truncated:
            raise FetchError("too_large", f"more than {policy.max_bytes} bytes")
        return None
    except FetchError:
        raise
    except ValueError as err:  # http.client refuses the URL (control characters and the like)
        raise FetchError("bad_url", type(err).__name__) from None
    except (OSError, http.client.HTTPException) as err:
        if time.monotonic() >= deadline - 0.05:
            raise FetchError("timeout", f"{policy.timeout:g} s") from None
        raise FetchError("connection", type(err).__name__) from None
    finally:
        watchdog.cancel()
        conn.close()


def _read_capped(
    response: http.client.HTTPResponse, max_bytes: int, deadline: float
) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        if time.monotonic() >= deadline:
            raise FetchError("timeout", "body still arriving")
        chunk = response.read1(65536)
        if not chunk:
            if time.monotonic() >= deadline - 0.05:  # the watchdog closed the socket
                raise FetchError("timeout", "body still arriving")
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:max_bytes], True


def _abort(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
