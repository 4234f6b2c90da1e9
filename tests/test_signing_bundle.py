"""Signed, timestamped evidence bundles: `flask evidence verify` and the standard tools the
bundle's CARA-VERIFIKASI.txt names (sha256sum, openssl) accept a real bundle, and each kind of
tampering fails, naming the file and the check."""

import hashlib
import io
import json
import re
import shlex
import subprocess
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from portal.proof.signing import Signer, load_or_create
from tests.fixtures.proof import evidence_case

pytest_plugins = ("tests.fixtures.capture",)
SEALS = ("manifest.json", "manifest.json.sig", "SHA256SUMS", "SHA256SUMS.sig")


@pytest.fixture
def bundle(
    stamp_app, tsa_server, make_case, link_report, post_server, make_user, login_as, tmp_path
):
    """(app, path of a supervisor's bundle with sealed originals and timestamp tokens)."""
    app = stamp_app(tsa_server())
    made = evidence_case(app, make_case, link_report, post_server)
    client = app.test_client()
    login_as(client, make_user(role="supervisor"))
    response = client.get(f"/petugas/kasus/{made.id}/bundel.zip")
    assert response.status_code == 200
    path = tmp_path / "bundel.zip"
    path.write_bytes(response.data)
    return app, path


def verify(app, path, *extra: str):
    return app.test_cli_runner().invoke(args=["evidence", "verify", str(path), *extra])


def contents(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def rebuild(path, out, changes: dict, signer: Signer | None = None):
    """Write a copy of a bundle with some files changed (None: removed); with `signer`, the
    manifest's hashes, SHA256SUMS and both signatures are made anew with that key."""
    files = contents(path)
    files.update(changes)
    files = {name: data for name, data in files.items() if data is not None}
    if signer is not None:
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["files"]:
            entry["sha256"] = hashlib.sha256(files[entry["path"]]).hexdigest()
            entry["size"] = len(files[entry["path"]])
        manifest["signature"]["key_id"] = signer.key_id
        body = json.dumps(manifest, indent=2).encode()
        sums = [f"{e['sha256']}  {e['path']}\n" for e in manifest["files"]]
        sums.append(f"{hashlib.sha256(body).hexdigest()}  manifest.json\n")
        checksums = "".join(sums).encode()
        files.update({"manifest.json": body, "SHA256SUMS": checksums})
        files["manifest.json.sig"] = signer.sign(body)
        files["SHA256SUMS.sig"] = signer.sign(checksums)
    with zipfile.ZipFile(out, "w") as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
    return out


def stranger(tmp_path) -> Signer:
    return load_or_create(tmp_path / "orang-lain.pem")


def test_a_real_bundle_verifies_with_flask_and_with_the_standard_tools(bundle, tmp_path):
    app, path = bundle
    result = verify(app, path)
    assert result.exit_code == 0, result.output
    assert "OK: manifest.json is signed by the portal's key" in result.output
    assert result.output.count("timestamped by http://127.0.0.1:") == 3  # original, HTML, headers

    files = contents(path)
    manifest = json.loads(files["manifest.json"])
    tokens = [f for f in manifest["files"] if f["source"] == "timestamp"]
    assert {t["stamps"].split("/")[0] for t in tokens} == {"asli", "tautan"}
    assert all(t["stamps"] + ".tst" == t["path"] and t["gen_time"] for t in tokens)
    assert {f["path"] for f in manifest["files"]} | set(SEALS) == set(files)

    folder = tmp_path / "bundel"
    with zipfile.ZipFile(path) as opened:
        opened.extractall(folder)
    howto = files["CARA-VERIFIKASI.txt"].decode()
    assert "CARA MEMVERIFIKASI BUNDEL BUKTI INI" in howto  # Indonesian
    commands = [line.strip() for line in howto.splitlines() if line.startswith("    ")]
    ran = []
    for command in commands:
        if command.startswith("unzip"):
            continue
        done = subprocess.run(
            command if "|" in command else shlex.split(command),
            shell="|" in command,
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        ran.append((command.split()[0:2], done.stdout))
    outputs = "".join(out for _, out in ran)
    sums = next(out for command, out in ran if command[0] == "sha256sum")
    assert sums.count(": OK\n") == len(manifest["files"]) + 1  # every file and the manifest
    assert outputs.count("Signature Verified Successfully") == 2  # SHA256SUMS and manifest
    assert outputs.count("Verification: OK") == 3  # openssl ts -verify, one per token
    fingerprint = manifest["signature"]["fingerprint_sha256"]
    assert f"{fingerprint}  -" in outputs and fingerprint in howto  # the key's fingerprint


def test_one_byte_changed_in_any_file_fails_naming_that_file(bundle, tmp_path):
    app, path = bundle
    for name, data in contents(path).items():
        middle = len(data) // 2
        changed = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
        tampered = rebuild(path, tmp_path / "rusak.zip", {name: changed})
        result = verify(app, tampered)
        assert result.exit_code == 1, name
        named = f"FAILED: {name}: " in result.output or f" {name} " in result.output
        assert named, (name, result.output)


def test_a_removed_manifest_line_or_checksum_line_fails_the_signature(bundle, tmp_path):
    app, path = bundle
    files = contents(path)
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = [f for f in manifest["files"] if not f["path"].startswith("asli/")]
    shorter = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    result = verify(app, rebuild(path, tmp_path / "a.zip", {"manifest.json": shorter}))
    assert result.exit_code == 1
    assert "manifest.json.sig: does not verify manifest.json with kunci-publik.pem" in (
        result.output
    )
    assert "(signature check)" in result.output

    lines = files["SHA256SUMS"].decode().splitlines(keepends=True)
    fewer = "".join(line for line in lines if "asli/" not in line).encode()
    folder = tmp_path / "b"
    with zipfile.ZipFile(rebuild(path, tmp_path / "b.zip", {"SHA256SUMS": fewer})) as opened:
        opened.extractall(folder)
    result = verify(app, tmp_path / "b.zip")
    assert result.exit_code == 1
    assert "SHA256SUMS.sig: does not verify SHA256SUMS with kunci-publik.pem" in result.output
    key = ["-pubin", "-inkey", "kunci-publik.pem", "-rawin"]
    done = subprocess.run(
        ["openssl", "pkeyutl", "-verify", *key, "-in", "SHA256SUMS", "-sigfile", "SHA256SUMS.sig"],
        cwd=folder,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1  # the standard tools catch it too


def test_a_signature_from_another_key_fails(bundle, tmp_path):
    app, path = bundle
    other = stranger(tmp_path)
    body = contents(path)["manifest.json"]
    forged = rebuild(path, tmp_path / "a.zip", {"manifest.json.sig": other.sign(body)})
    result = verify(app, forged)
    assert result.exit_code == 1
    assert "manifest.json.sig: does not verify manifest.json" in result.output

    # Their own key in the bundle, everything re-signed: not one of the portal's keys.
    files = {"kunci-publik.pem": other.public_pem.encode()}
    resigned = rebuild(path, tmp_path / "b.zip", files, signer=other)
    result = verify(app, resigned)
    assert result.exit_code == 1
    assert (
        f"kunci-publik.pem: key {other.key_id} is not one of the portal's published keys "
        "(published key check)" in result.output
    )
    keys = tmp_path / "kunci.json"  # the same answer from a kunci.json saved from /data
    keys.write_text(json.dumps(app.test_client().get("/data/kunci.json").json))
    assert verify(app, resigned, "--keys", str(keys)).exit_code == 1
    assert verify(app, path, "--keys", str(keys)).exit_code == 0
    keys.write_text('{"keys": []}')
    assert "not one of the portal's published keys" in verify(app, path, "--keys", str(keys)).output


def test_a_token_for_another_hash_or_another_root_fails_the_timestamp_check(
    bundle, tmp_path, authorities
):
    app, path = bundle
    real = load_or_create(tmp_path / "signing-key.pem")  # even whoever holds the real key
    files = contents(path)
    html, headers = sorted(n for n in files if n.startswith("tautan/") and n.endswith(".tst"))
    swapped = rebuild(
        path, tmp_path / "a.zip", {html: files[headers], headers: files[html]}, signer=real
    )
    result = verify(app, swapped)
    assert result.exit_code == 1
    assert re.search(
        rf"FAILED: {re.escape(html)}: the token is for another hash \([0-9a-f]{{64}}, not "
        rf"[0-9a-f]{{64}}\); stamped file {re.escape(html[:-4])} \(timestamp check\)",
        result.output,
    ), result.output

    root = next(n for n in files if n.startswith("stempel-waktu/"))
    rogue = rebuild(path, tmp_path / "b.zip", {root: authorities[1].ca.read_bytes()}, signer=real)
    result = verify(app, rogue)
    assert result.exit_code == 1
    assert "does not chain to a trusted root" in result.output
    assert "(timestamp check)" in result.output


def test_a_bundle_without_a_tsa_is_signed_and_says_it_has_no_tokens(
    capture_app, make_case, link_report, post_server, make_user, login_as, tmp_path
):
    app = capture_app()
    made = evidence_case(app, make_case, link_report, post_server)
    client = app.test_client()
    login_as(client, make_user(role="officer"))
    path = tmp_path / "bundel.zip"
    path.write_bytes(client.get(f"/petugas/kasus/{made.id}/bundel.zip").data)
    result = verify(app, path)
    assert result.exit_code == 0, result.output
    assert "No timestamp tokens in this bundle." in result.output
    howto = contents(path)["CARA-VERIFIKASI.txt"].decode()
    assert "tidak memuat token stempel waktu" in howto and "openssl ts" not in howto
    assert zipfile.ZipFile(io.BytesIO(path.read_bytes())).testzip() is None


def test_a_private_key_is_never_in_a_bundle(bundle, tmp_path):
    _app, path = bundle
    private = (tmp_path / "signing-key.pem").read_bytes()
    body = b"".join(private.splitlines()[1:-1])
    assert all(body not in data and b"PRIVATE KEY" not in data for data in contents(path).values())
    assert isinstance(Ed25519PrivateKey.generate(), Ed25519PrivateKey)
