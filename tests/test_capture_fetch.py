"""The safe fetcher against a real local server: refused addresses, redirects, size and time."""

import ipaddress

import pytest

from portal.capture.fetch import FetchError, FetchPolicy, fetch, is_public_address, vet_url

# Tests here that build no app need no database: the PostgreSQL pass leaves them out.
pytestmark = pytest.mark.nodb

pytest_plugins = ("tests.fixtures.capture",)

STRICT = FetchPolicy()


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0177.0.0.1",
        "0x7f000001",
        "0x7f.0.0.1",
        "127.1",
        "127.0.1",
        "017700000001",
        "10.0.0.1",
        "012.0.0.1",
        "167772161",
        "192.168.1.1",
        "172.16.5.4",
        "169.254.169.254",
        "0xa9fea9fe",
        "100.64.0.1",
        "0.0.0.0",
        "0",
        "224.0.0.1",
        "255.255.255.255",
        "[::1]",
        "[::]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[::127.0.0.1]",
        "[fc00::1]",
        "[fd12:3456::1]",
        "[fe80::1]",
        "[ff02::1]",
        "[2002:7f00:1::]",
        "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
        "[64:ff9b::a00:1]",
        "localhost",
    ],
)
def test_non_public_addresses_are_refused_in_every_spelling(host):
    with pytest.raises(FetchError) as refused:
        vet_url(f"http://{host}/post", STRICT)
    assert refused.value.reason == "blocked_address"


def test_public_addresses_pass_the_check():
    for text in ("93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"):
        assert is_public_address(ipaddress.ip_address(text)), text
    assert vet_url("http://134744072/", STRICT)[3] == "8.8.8.8"  # decimal spelling of 8.8.8.8


@pytest.mark.parametrize(
    "url,reason",
    [
        ("file:///etc/passwd", "bad_scheme"),
        ("gopher://example.org/", "bad_scheme"),
        ("ftp://example.org/x", "bad_scheme"),
        ("http://8.8.8.8:22/", "bad_port"),
        ("https://8.8.8.8:8443/", "bad_port"),
        ("http://nonexistent.invalid/", "dns"),
    ],
)
def test_schemes_ports_and_unknown_hosts_are_refused(url, reason):
    result = fetch(url, STRICT)
    assert (result.error, result.body) == (reason, b"")


def allow(server, **extra) -> FetchPolicy:
    """Only the test server's own host:port is let through, as written."""
    return FetchPolicy(allow_hosts=(f"127.0.0.1:{server.port}",), timeout=5, **extra)


def test_the_allowed_test_server_is_fetched_and_headers_are_filtered(post_server):
    result = fetch(post_server.url, allow(post_server))
    assert (result.error, result.status, result.body) == (None, 200, post_server.html)
    assert result.headers["content-type"].startswith("text/html")
    assert "set-cookie" not in result.headers


def test_numeric_spellings_of_the_same_live_server_are_refused(post_server):
    for host in (
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "127.1",
        "localhost",
        "[::ffff:127.0.0.1]",
    ):
        # The port is allowed too, so only the address check stands in the way.
        policy = allow(post_server, ports=(80, 443, post_server.port))
        result = fetch(f"http://{host}:{post_server.port}/p/1", policy)
        assert result.error == "blocked_address", host
    assert post_server.requests == []


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/admin",
        "http://localhost:{port}/p/1",
        "http://2130706433:{port}/p/1",
        "http://[::1]:{port}/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(post_server, target):
    post_server.mode, post_server.redirect_to = "redirect", target.format(port=post_server.port)
    result = fetch(post_server.url, allow(post_server, ports=(80, 443, post_server.port)))
    assert result.error == "blocked_address"
    assert len(post_server.requests) == 1  # the redirect itself; the target never reached


def test_redirects_are_capped(post_server):
    post_server.mode, post_server.redirect_to = "redirect", "/again"
    result = fetch(post_server.url, allow(post_server, max_redirects=3))
    assert result.error == "too_many_redirects"
    assert len(post_server.requests) == 4


def test_a_50_mib_response_is_cut_off_at_the_size_cap(post_server):
    post_server.mode = "large"
    result = fetch(post_server.url, allow(post_server, max_bytes=1024 * 1024))
    assert result.error == "too_large"
    assert result.is_truncated and len(result.body) == 1024 * 1024


def test_a_slow_drip_response_is_cut_off_by_the_total_time_limit(post_server):
    post_server.mode = "drip"  # 10 bytes every 0.2 s: each read succeeds, the whole never ends
    result = fetch(
        post_server.url, FetchPolicy(allow_hosts=(f"127.0.0.1:{post_server.port}",), timeout=1.5)
    )
    assert result.error == "timeout"
    assert result.body == b""


def test_allow_private_switch_is_off_by_default(app):
    assert app.config["CAPTURE_ALLOW_PRIVATE"] is False
    assert app.config["CAPTURE_ALLOW_HOSTS"] == ()
    assert FetchPolicy.from_config(app.config).allow_private is False


def test_paths_with_spaces_and_non_ascii_are_quoted(post_server):
    result = fetch(post_server.url + "/a b/é?q=x y", allow(post_server))
    assert result.status == 200 and post_server.requests[-1] == "/p/1/a%20b/%C3%A9?q=x%20y"
