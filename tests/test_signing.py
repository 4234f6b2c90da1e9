"""The install's Ed25519 key: made on first use outside the database, published with its
validity period, rotated; the daily chain heads signed and timestamped."""

import hashlib
import os
import stat
import subprocess

import pytest
import sqlalchemy as sa

from portal.db import db
from portal.proof.models import SigningKey

pytest_plugins = ("tests.fixtures.capture",)


def sign_once(app):
    from portal.proof.operations import current_signer

    with app.app_context():
        signer = current_signer()
        db.session.commit()
    return signer


def openssl_ok(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, check=False)


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="reads the SQLite file")
def test_the_key_is_made_on_first_use_in_a_private_file_and_published(app, client, tmp_path):
    assert client.get("/data/kunci.json").json["keys"] == []
    signer = sign_once(app)
    key_file = tmp_path / "signing-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert b"BEGIN PRIVATE KEY" in key_file.read_bytes()
    private_body = b"".join(key_file.read_bytes().splitlines()[1:-1])
    assert private_body not in (tmp_path / "portal.sqlite3").read_bytes()  # never in the db
    assert sign_once(app).key_id == signer.key_id  # the same key on every later use

    listed = client.get("/data/kunci.json").json
    assert listed["algorithm"] == "Ed25519"
    [key] = listed["keys"]
    assert key["key_id"] == signer.key_id and key["valid_until"] is None
    assert key["fingerprint_sha256"] == signer.fingerprint
    pem = client.get(f"/data/kunci/{signer.key_id}.pem")
    assert pem.status_code == 200 and pem.data.decode() == key["public_key_pem"]
    (tmp_path / "pub.pem").write_bytes(pem.data)
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(tmp_path / "pub.pem"), "-outform", "DER"],
        capture_output=True,
        check=True,
    ).stdout
    assert hashlib.sha256(der).hexdigest() == signer.fingerprint  # what the how-to tells users
    page = client.get("/data").text
    assert "Tanda tangan dan kunci publik" in page and signer.fingerprint in page
    assert client.get("/data/kunci/0000000000000000.pem").status_code == 404


def test_rotation_keeps_the_old_public_key_published_with_its_period(app, client, tmp_path):
    from portal.proof.operations import current_signer, sign_document
    from portal.proof.signing import SigningKeyError

    old = sign_once(app)
    old_private = (tmp_path / "signing-key.pem").read_bytes()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    new = sign_once(app)
    assert new.key_id != old.key_id and new.key_id in result.output
    assert stat.S_IMODE((tmp_path / "signing-key.pem").stat().st_mode) == 0o600

    keys = {k["key_id"]: k for k in client.get("/data/kunci.json").json["keys"]}
    assert set(keys) == {old.key_id, new.key_id}
    assert keys[old.key_id]["valid_until"] == keys[new.key_id]["valid_from"]
    assert keys[new.key_id]["valid_until"] is None
    assert old.key_id in client.get("/data").text  # still published
    listing = runner.invoke(args=["keys", "list"]).output
    assert f"{old.key_id}  " in listing and "current" in listing.splitlines()[-1]
    with app.app_context():
        assert sign_document(kind="test", name="x", body=b"isi").key_id == new.key_id
        db.session.commit()

    # A server still holding the old key file refuses to sign with a retired key.
    (tmp_path / "signing-key.pem").write_bytes(old_private)
    with app.app_context(), pytest.raises(SigningKeyError, match="retired"):
        current_signer()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SigningKey)) == 2


def test_a_broken_key_file_is_a_clear_error(app, tmp_path):
    (tmp_path / "signing-key.pem").write_text("bukan kunci\n")
    result = app.test_cli_runner().invoke(args=["keys", "show"])
    assert result.exit_code == 1
    assert "signing-key.pem is not a readable private key" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SigningKey)) == 0


def test_the_daily_heads_are_signed_and_openssl_verifies_them(
    app, client, case_pair, make_user, tmp_path
):
    from portal.cases.models import Case
    from portal.cases.publishing.operations import unpublish_case
    from portal.db import utcnow
    from portal.public.projections import to_day

    with app.app_context():
        day = to_day(utcnow())
    result = app.test_cli_runner().invoke(args=["public", "publish-heads", "--day", str(day)])
    assert result.exit_code == 0, result.output
    body = client.get(f"/data/rantai/{day}.json")
    signature = client.get(f"/data/rantai/{day}.json.sig")
    assert body.json["cases"][0]["reference"] == case_pair.published
    assert signature.status_code == 200 and len(signature.data) == 64
    key_id = signature.headers["X-Signing-Key"]
    (tmp_path / "heads.json").write_bytes(body.data)
    (tmp_path / "heads.json.sig").write_bytes(signature.data)
    (tmp_path / "kunci.pem").write_bytes(client.get(f"/data/kunci/{key_id}.pem").data)
    verify = ["pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "kunci.pem"), "-rawin"]
    verify += ["-in", str(tmp_path / "heads.json"), "-sigfile", str(tmp_path / "heads.json.sig")]
    done = openssl_ok(*verify)
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout
    (tmp_path / "heads.json").write_bytes(body.data.replace(b'"seq": ', b'"seq":  '))
    assert openssl_ok(*verify).returncode == 1  # one byte more: the signature fails
    assert client.get(f"/data/rantai/{day}.json.tst").status_code == 404  # no TSA configured

    # Publishing again the same day signs nothing new; unpublishing drops the old signature.
    app.test_cli_runner().invoke(args=["public", "publish-heads", "--day", str(day)])
    assert client.get(f"/data/rantai/{day}.json.sig").data == signature.data
    actor = make_user(role="supervisor")
    with app.app_context():
        unpublish_case(case=db.session.get(Case, case_pair.published_id), actor=actor, reason="x")
        db.session.commit()
    assert client.get(f"/data/rantai/{day}.json.sig").status_code == 404
    assert client.get(f"/data/rantai/{day}.json").json["cases"] == []


def test_the_daily_heads_get_a_trusted_timestamp(
    stamp_app, tsa_server, authorities, case_pair, tmp_path
):
    from portal.cases.history import record_event
    from portal.cases.models import Case
    from portal.db import utcnow
    from portal.public.opendata.heads import publish_heads
    from portal.public.projections import to_day
    from portal.worker.loop import run_pass

    app = stamp_app(tsa_server())
    with app.app_context():
        day = to_day(utcnow())
        publish_heads(day=day)
        db.session.commit()
        run_pass(owner="t")
    client = app.test_client()
    (tmp_path / "heads.json").write_bytes(client.get(f"/data/rantai/{day}.json").data)
    token = client.get(f"/data/rantai/{day}.json.tst")
    assert token.status_code == 200
    (tmp_path / "heads.json.tst").write_bytes(token.data)
    files = ["-data", str(tmp_path / "heads.json"), "-in", str(tmp_path / "heads.json.tst")]
    done = openssl_ok("ts", "-verify", *files, "-token_in", "-CAfile", str(authorities[0].ca))
    assert done.returncode == 0 and "Verification: OK" in done.stdout

    # The case's history grows the same day: published again, the list is signed and stamped anew.
    with app.app_context():
        case = db.session.get(Case, case_pair.published_id)
        record_event(case, "note", data={"text": "catatan baru"})
        db.session.commit()
        publish_heads(day=day)
        db.session.commit()
    assert client.get(f"/data/rantai/{day}.json.tst").status_code == 404  # the old one is gone
    (tmp_path / "heads.json").write_bytes(client.get(f"/data/rantai/{day}.json").data)
    done = openssl_ok("ts", "-verify", *files, "-token_in", "-CAfile", str(authorities[0].ca))
    assert done.returncode == 1  # the old token does not stamp the new list
    with app.app_context():
        run_pass(owner="t")
    (tmp_path / "heads.json.tst").write_bytes(client.get(f"/data/rantai/{day}.json.tst").data)
    done = openssl_ok("ts", "-verify", *files, "-token_in", "-CAfile", str(authorities[0].ca))
    assert done.returncode == 0 and "Verification: OK" in done.stdout
