"""RFC 3161 timestamps: requested by the worker from a real TSA (openssl), stored whole or not
at all, retried with back-off, tried in order, shown on the case page."""

import hashlib
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.db import db, utcnow
from portal.proof.models import StampKind, TimestampToken
from tests.fixtures.proof import evidence_case, openssl

# Tests here that build no app need no database: the PostgreSQL pass leaves them out.
pytestmark = pytest.mark.nodb

pytest_plugins = ("tests.fixtures.capture",)


def tokens(app) -> dict:
    with app.app_context():
        rows = db.session.scalars(sa.select(TimestampToken)).all()
        db.session.expunge_all()
    return {row.kind: row for row in rows}


def test_the_request_is_a_sha256_query_openssl_reads(tmp_path):
    from portal.proof.timestamps import build_request

    digest = hashlib.sha256(b"bukti").digest()
    path = tmp_path / "q.tsq"
    path.write_bytes(build_request(digest, nonce=2**62 + 5))
    text = openssl("ts", "-query", "-in", str(path), "-text").decode()
    assert "Hash Algorithm: sha256" in text
    assert "Certificate required: yes" in text
    assert "Nonce: 0x4000000000000005" in text
    flat = "".join(line.split("-", 1)[1][:50] for line in text.splitlines() if " - " in line)
    assert flat.replace(" ", "").replace("-", "") == digest.hex()


def test_the_request_is_byte_for_byte_what_rfc3161_client_builds():
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    from portal.proof.timestamps import build_request

    for data in (b"a", b"bukti", b"x" * 1000):
        made = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).build()
        digest = made.message_imprint.message
        assert digest == hashlib.sha256(data).digest()
        assert build_request(digest, made.nonce) == made.as_bytes()


def test_one_tsa_given_as_plain_text_is_used(
    capture_app, tsa_server, authorities, make_case, link_report, post_server
):
    tsa = tsa_server()
    app = capture_app(TIMESTAMP_URLS=tsa.url, TIMESTAMP_CA_FILE=str(authorities[0].ca))
    evidence_case(app, make_case, link_report, post_server)
    assert {row.tsa_url for row in tokens(app).values()} == {tsa.url}


def verified_by_openssl(token: bytes, sha256: str, ca_file, tmp_path) -> bool:
    """`openssl ts -verify` of a token against a hash, trusting the certificates in ca_file."""
    path = tmp_path / "token.tst"
    path.write_bytes(token)
    checked = subprocess.run(
        ["openssl", "ts", "-verify", "-digest", sha256, "-in", str(path), "-token_in"]
        + ["-CAfile", str(ca_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    return checked.returncode == 0 and "Verification: OK" in checked.stdout


def test_the_worker_stamps_originals_captures_and_the_case_page_says_so(
    stamp_app,
    tsa_server,
    make_case,
    link_report,
    post_server,
    make_user,
    login_as,
    authorities,
    tmp_path,
):
    from portal.evidence.models import Evidence

    tsa = tsa_server()
    app = stamp_app(tsa)
    made = evidence_case(app, make_case, link_report, post_server)
    stamped = tokens(app)
    assert set(stamped) == {StampKind.EVIDENCE, StampKind.CAPTURE_HTML, StampKind.CAPTURE_HEADERS}
    with app.app_context():
        original = db.session.scalar(sa.select(Evidence.sha256_original))
    row = stamped[StampKind.EVIDENCE]
    assert row.sha256 == original and row.tsa_url == tsa.url and row.serial
    assert row.gen_time and row.granted_at and row.attempts == 1 and row.last_error is None
    # The stored token is a real RFC 3161 token for exactly that hash, under the TSA's root.
    assert verified_by_openssl(row.token, original, authorities[0].ca, tmp_path)
    assert not verified_by_openssl(row.token, "00" * 32, authorities[0].ca, tmp_path)

    client = app.test_client()
    login_as(client, make_user(role="officer"))
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert page.count("Dicap waktu oleh 127.0.0.1 pada") == 3  # screenshot, HTML, headers
    client.post("/bahasa", data={"lang": "en"})
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert page.count("Timestamped by 127.0.0.1 at") == 3
    assert "HTML: Timestamped by" in " ".join(page.split())


def test_without_a_tsa_nothing_is_requested_and_the_case_page_says_the_feature_is_off(
    capture_app, make_case, link_report, post_server, make_user, login_as
):
    app = capture_app()
    made = evidence_case(app, make_case, link_report, post_server)
    assert tokens(app) == {}
    client = app.test_client()
    login_as(client, make_user(role="officer"))
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert "Tanpa stempel waktu: belum ada Otoritas Stempel Waktu (TSA) yang diatur." in page
    client.post("/bahasa", data={"lang": "en"})
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert page.count("Not timestamped: no Time Stamping Authority is configured.") == 2


@pytest.mark.parametrize(
    ("mode", "rogue", "reason"),
    [
        ("error", False, "HTTP 500"),
        ("garbage", False, "not an RFC 3161 timestamp response"),
        ("other_hash", False, "the token is for another hash"),
        ("ok", True, "does not chain to a trusted root"),
    ],
)
def test_a_bad_tsa_stores_no_token_and_is_retried_with_back_off(
    stamp_app, tsa_server, authorities, make_case, link_report, post_server, mode, rogue, reason
):
    from portal.proof.stamping import stamp_due

    tsa = tsa_server(mode, rogue=rogue)
    app = stamp_app(tsa)
    evidence_case(app, make_case, link_report, post_server)
    assert len(tsa.requests) == 1  # every TSA failed: the pass stopped after the first hash
    waiting = tokens(app)
    assert len(waiting) == 3
    failed = [row for row in waiting.values() if row.attempts]
    assert len(failed) == 1
    row = failed[0]
    assert reason in row.last_error and tsa.url in row.last_error
    assert row.token is None and row.granted_at is None and row.gen_time is None
    assert row.serial is None and row.tsa_url is None and row.tsa_root_pem is None
    first_pause = row.next_attempt_at - utcnow()
    assert timedelta(seconds=50) < first_pause <= timedelta(seconds=60)

    later = row.next_attempt_at + timedelta(seconds=1)
    with app.app_context():  # the two untried hashes fail first, then this one again
        assert [stamp_due(now=later).failed for _ in range(3)] == [1, 1, 1]
    again = tokens(app)[row.kind]
    assert again.attempts == 2 and again.token is None
    assert again.next_attempt_at == later + timedelta(seconds=120)  # the pause doubled

    tsa.mode, tsa.authority = "ok", authorities[0]  # the TSA is healthy again
    with app.app_context():
        stats = stamp_due(now=utcnow() + timedelta(hours=2))
    assert stats.granted == 3
    assert all(r.token and r.last_error is None for r in tokens(app).values())


def test_a_tsa_under_an_intermediate_ca_is_trusted_through_the_configured_chain(
    capture_app, tsa_server, authorities, make_case, link_report, post_server, tmp_path
):
    layered = authorities[2]
    tsa = tsa_server(authority=layered)
    app = capture_app(TIMESTAMP_URLS=[tsa.url], TIMESTAMP_CA_FILE=str(layered.ca))
    evidence_case(app, make_case, link_report, post_server)
    rows = tokens(app).values()
    assert rows and all(row.is_granted for row in rows)
    row = next(iter(rows))
    assert row.tsa_root_pem.count("BEGIN CERTIFICATE") == 2  # root first, then intermediate
    chain = tmp_path / "chain.pem"
    chain.write_text(row.tsa_root_pem)
    assert verified_by_openssl(row.token, row.sha256, chain, tmp_path)
    # Trusting only the root is not enough when the token does not carry the intermediate.
    root_only = tmp_path / "root.pem"
    root_only.write_text(
        row.tsa_root_pem.split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    )
    app.config["TIMESTAMP_CA_FILE"] = str(root_only)
    with app.app_context():
        from portal.proof.models import TimestampToken
        from portal.proof.stamping import stamp_due

        db.session.execute(sa.delete(TimestampToken))
        db.session.commit()
        assert stamp_due().failed == 1
    errors = [row.last_error or "" for row in tokens(app).values()]
    assert any("does not chain to a trusted root" in error for error in errors), errors


def test_the_tsas_are_tried_in_order(stamp_app, tsa_server, make_case, link_report, post_server):
    broken, working = tsa_server("error"), tsa_server()
    app = stamp_app(broken, working)
    evidence_case(app, make_case, link_report, post_server)
    assert {row.tsa_url for row in tokens(app).values()} == {working.url}
    assert len(broken.requests) == len(working.requests) == 3


def test_a_claimed_hash_waits_for_its_lease(stamp_app, tsa_server, make_case, link_report):
    from portal.evidence.operations import store_evidence
    from portal.intake.models import Report
    from portal.proof.operations import enqueue_stamps
    from portal.proof.stamping import _claim_next, stamp_due
    from tests.fixtures.images import png as small_png

    tsa = tsa_server()
    app = stamp_app(tsa, TIMESTAMP_LEASE_SECONDS=120)
    made = make_case()
    with app.app_context():
        report = db.session.get(Report, made.report_ids[0])
        store_evidence(report=report, data=small_png(), filename="a.png")
        db.session.commit()
        enqueue_stamps()
        db.session.commit()
        now = utcnow()
        assert _claim_next(now) is not None  # a worker took it, then died
        assert stamp_due(now=now).granted == 0
        assert stamp_due(now=now + timedelta(seconds=121)).granted == 1
    assert len(tsa.requests) == 1


def test_filing_and_exporting_never_wait_on_the_tsa(
    stamp_app, tsa_server, make_case, make_user, login_as
):
    from portal.evidence.operations import store_evidence
    from portal.intake.models import Report
    from tests.fixtures.images import png as small_png

    tsa = tsa_server()
    app = stamp_app(tsa)
    made = make_case()
    with app.app_context():
        report = db.session.get(Report, made.report_ids[0])
        store_evidence(report=report, data=small_png(), filename="a.png")
        db.session.commit()
    client = app.test_client()
    login_as(client, make_user(role="supervisor"))
    assert client.get(f"/petugas/kasus/{made.id}").status_code == 200
    assert client.get(f"/petugas/kasus/{made.id}/bundel.zip").status_code == 200
    assert tsa.requests == []


def test_a_token_belongs_to_a_hash_not_just_to_a_row(
    stamp_app, tsa_server, make_case, link_report, post_server, make_user, login_as
):
    """A row whose hash is not the stamped one (an id reused after a deletion) shows no
    timestamp and gets its own."""
    from portal.evidence.models import Evidence
    from portal.proof.operations import enqueue_stamps
    from portal.proof.queries import list_stamps

    app = stamp_app(tsa_server())
    made = evidence_case(app, make_case, link_report, post_server)
    with app.app_context():
        evidence = db.session.scalar(sa.select(Evidence))
        assert [s.is_granted for s in list_stamps("evidence", evidence.id)] == [True]
        evidence.sha256_original = "ab" * 32
        db.session.commit()
        assert list_stamps("evidence", evidence.id) == []
        assert enqueue_stamps() == 1
        db.session.commit()
    client = app.test_client()
    login_as(client, make_user(role="officer"))
    client.post("/bahasa", data={"lang": "en"})
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert page.count("Timestamped by") == 2  # the capture's two files only
    assert "Waiting for a trusted timestamp" in page
