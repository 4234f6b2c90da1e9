"""The issue's "done means": a resident reports a locally served post; the worker captures it;
officers see the capture and hashes; the post goes away; the case shows the removal; the bundle
is exported and verified with the command."""

import json
import os
import zipfile
from datetime import timedelta

import sqlalchemy as sa
from flask import render_template_string

from portal.capture.models import Capture, Job, JobKind
from portal.capture.views import capture_section
from portal.cases.models import Case
from portal.db import db, utcnow
from tests.fixtures.intake import post_report

pytest_plugins = ("tests.fixtures.capture",)
CSV = (
    "platform,handle,agency,region\n"
    "instagram,diskominfo.lubuklinggau,Diskominfo Kota Lubuk Linggau,16.74\n"
)


def case_section(app, case_id: int) -> str:
    """The case page's capture section, as the officer case page includes it."""
    with app.test_request_context("/"):
        case = db.session.get(Case, case_id)
        return render_template_string(
            "{% include section.template %}", case=case, section=capture_section(case, None)
        )


def test_report_capture_removal_bundle_and_verify(
    capture_app, post_server, report_form, make_user, login_as, tmp_path
):
    import io

    has_chromium = os.path.exists("/usr/bin/chromium")
    app = capture_app(CAPTURE_SCREENSHOT=has_chromium, TRANSPARENCY_K=1)
    admin = app.test_client()
    login_as(admin, make_user(role="admin", team=None))
    admin.post(
        "/petugas/admin/akun-resmi",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(CSV.encode()), "akun.csv")},
    )

    resident = app.test_client()
    filed = post_report(resident, report_form(links=post_server.url))
    assert (filed.status_code, filed.headers["Location"]) == (303, "/laporan/tanda-terima")
    cli = app.test_cli_runner()
    result = cli.invoke(args=["worker", "--once"])
    assert "captured 1" in result.output and "flagged 1" in result.output, result.output

    with app.app_context():
        case = db.session.scalar(sa.select(Case))
        capture = db.session.scalar(sa.select(Capture))
        case_id, priority = case.id, case.priority
    assert priority == 1
    section = case_section(app, case_id)
    assert "Akun resmi Diskominfo Kota Lubuk Linggau" in section
    assert capture.html_sha256 in section and "Masih tersedia" in section
    officer = app.test_client()
    login_as(officer, make_user(role="officer"))
    if has_chromium:
        assert capture.screenshot_sha256 in section
        shot = officer.get(f"/petugas/tangkapan/{capture.id}/layar.png")
        assert shot.status_code == 200 and shot.mimetype == "image/png"

    post_server.mode = "removed"  # the post is deleted
    with app.app_context():
        job = db.session.scalar(sa.select(Job).where(Job.kind == JobKind.LIVENESS))
        job.run_after = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert "checked 1" in cli.invoke(args=["worker", "--once"]).output
    section = case_section(app, case_id)
    assert "Postingan dihapus 0 jam setelah laporan pertama." in section
    assert "Dihapus" in section
    # the transparency page counts removals (after its statistics are recomputed)
    assert cli.invoke(args=["public", "refresh-stats"]).exit_code == 0
    assert 'id="removed-posts">1</dd>' in app.test_client().get("/transparansi").text

    bundle = tmp_path / "bundel.zip"
    response = officer.get(f"/petugas/kasus/{case_id}/bundel.zip")
    bundle.write_bytes(response.data)
    verified = cli.invoke(args=["evidence", "verify", str(bundle)])
    files = len(json.loads(zipfile.ZipFile(bundle).read("manifest.json"))["files"])
    assert verified.exit_code == 0
    assert f"OK: all {files} files match their SHA-256 in manifest.json and SHA256SUMS." in (
        verified.output.splitlines()
    )
