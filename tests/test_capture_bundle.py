"""The evidence bundle: what it holds for whom, its manifest, and verifying it (and a tamper)."""

import io
import json
import zipfile

import sqlalchemy as sa

from portal.cases.models import CaseEvent
from portal.db import db
from tests.fixtures.images import png

pytest_plugins = ("tests.fixtures.capture",)


def case_with_evidence(app, make_case, link_report, post_server):
    """A case (team bawaslu-sumsel) with one uploaded screenshot and one captured link."""
    from portal.evidence.operations import store_evidence
    from portal.intake.models import Report
    from portal.worker.loop import run_pass

    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    with app.app_context():
        report = db.session.get(Report, made.report_ids[0])
        store_evidence(report=report, data=png(), filename="layar.png")
        db.session.commit()
        assert run_pass(owner="t").captured == 1
    return made


def get_bundle(client, case_id: int) -> zipfile.ZipFile:
    response = client.get(f"/petugas/kasus/{case_id}/bundel.zip")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_an_officer_exports_a_bundle_that_verifies(
    capture_app, link_report, make_case, post_server, make_user, login_as, tmp_path
):
    app = capture_app()
    made = case_with_evidence(app, make_case, link_report, post_server)
    client = app.test_client()
    login_as(client, make_user(role="officer"))
    client.post("/bahasa", data={"lang": "en"})
    bundle = get_bundle(client, made.id)
    names = set(bundle.namelist())
    manifest = json.loads(bundle.read("manifest.json"))
    seals = {"manifest.json", "manifest.json.sig", "SHA256SUMS", "SHA256SUMS.sig"}
    assert {f["path"] for f in manifest["files"]} == names - seals
    assert not any(name.startswith("asli/") for name in names)  # officers: no sealed originals
    capture_files = [f for f in manifest["files"] if f["source"] == "capture"]
    assert {f["path"].rsplit("/", 1)[1] for f in capture_files} == {"halaman.html", "header.json"}
    assert all(f["source_url"] == post_server.url and f["fetched_at"] for f in capture_files)
    upload = next(f for f in manifest["files"] if f["source"] == "upload")
    assert upload["uploaded_at"] and upload["matches_record"]
    assert (
        bundle.read(next(f["path"] for f in capture_files if f["path"].endswith(".html")))
        == post_server.html
    )
    summary = bundle.read("ringkasan.html").decode()
    assert made.reference in summary and post_server.url in summary
    assert f"<h1>Bundel bukti: {made.reference}</h1>" in summary  # Indonesian for an English user
    with app.app_context():
        kinds = db.session.scalars(sa.select(CaseEvent.kind).where(CaseEvent.case_id == made.id))
        assert "bundle_exported" in list(kinds)

    path = tmp_path / "bundel.zip"
    path.write_bytes(client.get(f"/petugas/kasus/{made.id}/bundel.zip").data)
    result = app.test_cli_runner().invoke(args=["evidence", "verify", str(path)])
    assert result.exit_code == 0, result.output
    files = len(manifest["files"])
    assert f"OK: all {files} files match their SHA-256 in manifest.json and SHA256SUMS." in (
        result.output.splitlines()
    )


def test_a_tampered_file_fails_verification_naming_it(
    capture_app, link_report, make_case, post_server, make_user, login_as, tmp_path
):
    app = capture_app()
    made = case_with_evidence(app, make_case, link_report, post_server)
    client = app.test_client()
    login_as(client, make_user(role="officer"))
    original = get_bundle(client, made.id)
    victim = next(n for n in original.namelist() if n.endswith("halaman.html"))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as out:
        for name in original.namelist():
            data = original.read(name)
            out.writestr(name, data.replace(b"nomor 2", b"nomor 9") if name == victim else data)
    result = app.test_cli_runner().invoke(args=["evidence", "verify", str(tampered)])
    assert result.exit_code == 1
    assert f"{victim}: SHA-256 does not match the manifest" in result.output


def test_supervisors_get_sealed_originals_and_officers_only_when_configured(
    capture_app, link_report, make_case, post_server, make_user, login_as
):
    app = capture_app()
    made = case_with_evidence(app, make_case, link_report, post_server)
    client = app.test_client()
    login_as(client, make_user(role="supervisor"))
    assert any(n.startswith("asli/") for n in get_bundle(client, made.id).namelist())
    app.config["BUNDLE_OFFICERS_GET_ORIGINALS"] = True
    login_as(client, make_user(role="officer"))
    assert any(n.startswith("asli/") for n in get_bundle(client, made.id).namelist())


def test_other_teams_get_404_for_bundles_and_captures(
    capture_app, link_report, make_case, post_server, make_user, login_as
):
    app = capture_app()
    made = case_with_evidence(app, make_case, link_report, post_server)
    with app.app_context():
        from portal.capture.models import Capture

        capture_id = db.session.scalar(sa.select(Capture.id))
    outsider = app.test_client()
    login_as(outsider, make_user(role="supervisor", team="inspektorat-sumsel"))
    urls = [
        f"/petugas/kasus/{made.id}/bundel.zip",
        f"/petugas/kasus/{made.id + 99}/bundel.zip",
        f"/petugas/tangkapan/{capture_id}/halaman.html",
        f"/petugas/tangkapan/{capture_id}/header.json",
        f"/petugas/tangkapan/{capture_id}/layar.png",
    ]
    assert [outsider.get(url).status_code for url in urls] == [404] * 5
    anonymous = app.test_client().get(urls[0])
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/petugas/masuk?next=")
    insider = app.test_client()
    login_as(insider, make_user(role="officer"))
    page = insider.get(urls[2])
    assert page.status_code == 200 and page.data == post_server.html
    assert page.headers["Content-Type"] == "application/octet-stream"
    assert page.headers["Content-Disposition"].startswith("attachment;")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert insider.get(urls[4]).status_code == 404  # no screenshot was taken in this test
