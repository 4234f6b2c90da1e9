"""The bundle as a filing: the summary as PDF, BKN's report on a civil servant as PDF, CSV and
JSON, all covered by `flask evidence verify` and by the standard tools of CARA-VERIFIKASI.txt;
the civil servant's data entered on the case page, bad NIP/NIK refused by field."""

import csv
import io
import json
import re
import shlex
import subprocess
import zipfile

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.cases.models import CaseEvent
from portal.cases.referrals.models import ReportedCivilServant
from portal.db import db
from tests.fixtures.proof import evidence_case

pytest_plugins = ("tests.fixtures.capture",)

PERSON = {
    "name": "Rahmat Hidayat",
    "nip": "19850312 201001 1 004",
    "nik": "1674031203850002",
    "agency": '=HYPERLINK("http://contoh.test","Dinas Kominfo") Kota Lubuk Linggau',
    "position": "Pranata Humas Ahli Muda",
    "chronology": "24 November 2026 pukul 09.00 WIB akun resmi mengunggah poster kampanye.",
}
NIP = "198503122010011004"


def pdf_text(data: bytes) -> str:
    """Every page's text with the whitespace removed (long hashes wrap inside table cells)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", text)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def filed(
    stamp_app, tsa_server, make_case, link_report, post_server, make_user, login_as, tmp_path
):
    """(app, case, path of a supervisor's bundle, timestamped by a real TSA) for an ASN case
    whose civil servant an officer entered on the case page."""
    app = stamp_app(tsa_server())
    made = evidence_case(app, make_case, link_report, post_server)
    officer = app.test_client()
    login_as(officer, make_user(role="officer"))
    saved = officer.post(f"/petugas/kasus/{made.id}/asn", data=PERSON)
    assert saved.status_code == 303
    supervisor = app.test_client()
    login_as(supervisor, make_user(role="supervisor"))
    response = supervisor.get(f"/petugas/kasus/{made.id}/bundel.zip")
    assert response.status_code == 200
    path = tmp_path / "bundel.zip"
    path.write_bytes(response.data)
    return app, made, path


def contents(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def verify(app, path):
    return app.test_cli_runner().invoke(args=["evidence", "verify", str(path)])


def run_howto(folder) -> list[tuple[str, subprocess.CompletedProcess]]:
    """Every command CARA-VERIFIKASI.txt gives (but unzip), run in the unpacked bundle."""
    howto = (folder / "CARA-VERIFIKASI.txt").read_text()
    commands = [line.strip() for line in howto.splitlines() if line.startswith("    ")]
    return [
        (
            command,
            subprocess.run(
                command if "|" in command else shlex.split(command),
                shell="|" in command,
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
            ),
        )
        for command in commands
        if not command.startswith("unzip")
    ]


def test_the_bundle_holds_the_summary_as_pdf_and_the_bkn_report(filed, tmp_path):
    app, made, path = filed
    files = contents(path)
    manifest = json.loads(files["manifest.json"])
    listed = {f["path"]: f for f in manifest["files"]}
    for name in ("ringkasan.pdf", "bkn/laporan-asn.pdf", "bkn/laporan-asn.csv"):
        assert name in listed and files[name], name
    assert "bkn/laporan-asn.json" in listed and manifest["missing"] == []
    evidence = [f for f in manifest["files"] if f["source"] in ("upload", "capture")]
    assert len(evidence) >= 3  # screenshot, sealed original, HTML and headers of the capture

    summary = pdf_text(files["ringkasan.pdf"])
    assert made.reference in summary and "Bundelbukti" in summary  # Indonesian
    assert all(f["sha256"] in summary for f in evidence)
    assert squeeze(files["ringkasan.html"].decode()).count("bkn/laporan-asn.pdf") == 1

    report = pdf_text(files["bkn/laporan-asn.pdf"])
    for value in (made.reference, PERSON["name"], NIP, PERSON["nik"], PERSON["position"]):
        assert squeeze(value) in report, value
    assert squeeze(PERSON["chronology"]) in report
    assert all(f["sha256"] in report and f["path"] in report for f in evidence)

    record = json.loads(files["bkn/laporan-asn.json"])
    assert record["case"] == made.reference
    assert record["reported_person"] == {
        "name": PERSON["name"],
        "nip": NIP,
        "nik": PERSON["nik"],
        "agency": PERSON["agency"],
        "position": PERSON["position"],
    }
    assert record["chronology"] == PERSON["chronology"]
    assert {(e["file"], e["sha256"]) for e in record["evidence"]} == {
        (f["path"], f["sha256"]) for f in evidence
    }
    captured = [e for e in record["evidence"] if e["source"] == "capture"]
    assert captured and all(e["source_url"] and e["time"] for e in captured)

    raw = files["bkn/laporan-asn.csv"]
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(evidence)
    assert {r["sha256"] for r in rows} == {f["sha256"] for f in evidence}
    assert all(r["nip"] == NIP and r["nik"] == PERSON["nik"] for r in rows)
    assert all(r["instansi"] == "'" + PERSON["agency"] for r in rows)  # never a formula


def test_the_bundle_verifies_with_flask_and_with_the_standard_tools(filed, tmp_path):
    app, _made, path = filed
    result = verify(app, path)
    assert result.exit_code == 0, result.output
    files = len(json.loads(contents(path)["manifest.json"])["files"])
    assert f"OK: all {files} files match their SHA-256" in result.output

    folder = tmp_path / "bundel"
    zipfile.ZipFile(path).extractall(folder)
    ran = run_howto(folder)
    assert ran and all(done.returncode == 0 for _, done in ran), ran
    outputs = "".join(done.stdout for _, done in ran)
    assert outputs.count("Signature Verified Successfully") == 2
    assert outputs.count("Verification: OK") == 3  # the original, the capture's HTML, headers
    sums = next(done.stdout for command, done in ran if command.startswith("sha256sum"))
    for name in ("ringkasan.pdf", "bkn/laporan-asn.pdf", "bkn/laporan-asn.csv"):
        assert f"{name}: OK" in sums


@pytest.mark.parametrize("victim", ["ringkasan.pdf", "bkn/laporan-asn.pdf", "bkn/laporan-asn.csv"])
def test_one_changed_byte_in_the_pdf_or_csv_fails_naming_the_file(filed, tmp_path, victim):
    app, _made, path = filed
    files = contents(path)
    data = files[victim]
    files[victim] = data[:-20] + bytes([data[-20] ^ 0x01]) + data[-19:]
    tampered = tmp_path / "rusak.zip"
    with zipfile.ZipFile(tampered, "w") as out:
        for name, body in files.items():
            out.writestr(name, body)
    result = verify(app, tampered)
    assert result.exit_code == 1
    assert f"FAILED: {victim}: SHA-256 does not match the manifest (hash check)" in result.output

    folder = tmp_path / "rusak"
    zipfile.ZipFile(tampered).extractall(folder)
    done = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1 and f"{victim}: FAILED" in done.stdout


def test_bad_nip_and_nik_are_refused_by_field_with_the_answers_kept(
    app, make_case, make_user, login_as
):
    made = make_case()
    client = app.test_client()
    login_as(client, make_user(role="officer"))
    bad = {**PERSON, "nip": "1985031220100110", "nik": "16740312O3850002"}  # 16 digits; a letter
    page = client.post(f"/petugas/kasus/{made.id}/asn", data=bad)
    assert page.status_code == 400
    html = page.text
    assert "NIP harus tepat 18 digit" in html and "NIK harus tepat 16 digit" in html
    for field, message in (("nip", "NIP harus"), ("nik", "NIK harus")):
        block = re.search(rf'id="asn-{field}".*?</div>', html, re.S).group(0)
        assert message in block, field  # the error sits by its own field
    assert 'value="1985031220100110"' in html and 'value="Rahmat Hidayat"' in html
    assert PERSON["chronology"] in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ReportedCivilServant.id))) == 0

    assert (
        client.post(f"/petugas/kasus/{made.id}/asn", data={**PERSON, "name": " "}).status_code
        == 400
    )
    saved = client.post(f"/petugas/kasus/{made.id}/asn", data=PERSON, follow_redirects=True)
    assert saved.status_code == 200 and NIP in saved.text
    with app.app_context():
        row = db.session.scalar(sa.select(ReportedCivilServant))
        assert (row.nip, row.nik, row.name) == (NIP, PERSON["nik"], PERSON["name"])
        events = db.session.scalars(
            sa.select(CaseEvent).where(CaseEvent.kind == "civil_servant_details")
        ).all()
    assert len(events) == 1 and events[0].visibility == "internal"
    assert set(events[0].data["fields"]) == set(PERSON)
    assert NIP not in json.dumps(events[0].data)  # the chain never holds the personal data


def test_a_case_outside_asn_gets_no_bkn_files_until_referred_to_bkn(
    capture_app, make_case, make_user, login_as
):
    app = capture_app()
    made = make_case(category="politik-uang")
    client = app.test_client()
    login_as(client, make_user(role="officer"))
    assert 'id="civil-servant"' not in client.get(f"/petugas/kasus/{made.id}").text
    names = zipfile.ZipFile(io.BytesIO(client.get(f"/petugas/kasus/{made.id}/bundel.zip").data))
    assert "ringkasan.pdf" in names.namelist()
    assert not any(n.startswith("bkn/") for n in names.namelist())

    referral = {"body": "bkn", "referred_on": "2026-11-25"}
    assert client.post(f"/petugas/kasus/{made.id}/rujukan", data=referral).status_code == 303
    assert 'id="civil-servant"' in client.get(f"/petugas/kasus/{made.id}").text
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"/petugas/kasus/{made.id}/bundel.zip").data))
    report = pdf_text(bundle.read("bkn/laporan-asn.pdf"))
    assert "Petugasbelummengisi" in report  # says plainly that nobody entered the person yet


def test_a_pdf_holds_only_what_its_html_says(app, tmp_path):
    from portal.pdf import html_to_pdf

    secret = tmp_path / "rahasia.css"
    secret.write_text('body::after { content: "ISI-BERKAS-SERVER"; }')
    page = f'<link rel="stylesheet" href="{secret.as_uri()}"><p>Halo</p>'
    inline = '<style>body::after { content: "ISI-BERKAS-SERVER"; }</style><p>Halo</p>'
    with app.app_context():
        refused, shown = html_to_pdf(page), html_to_pdf(inline)
        assert html_to_pdf(page) == refused  # the same HTML gives the same bytes
    assert "ISI-BERKAS-SERVER" not in pdf_text(refused) and "Halo" in pdf_text(refused)
    assert "ISI-BERKAS-SERVER" in pdf_text(shown)


def test_without_weasyprint_the_bundle_still_verifies_and_lists_its_pdfs_as_missing(
    capture_app, make_case, make_user, login_as, tmp_path, monkeypatch
):
    from portal import pdf

    def no_pango(html: str) -> bytes:
        raise pdf.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "html_to_pdf", no_pango)  # what a server without Pango does
    monkeypatch.setattr("portal.capture.bundle.html_to_pdf", no_pango)
    app = capture_app()
    made = make_case()
    client = app.test_client()
    login_as(client, make_user(role="officer"))
    response = client.get(f"/petugas/kasus/{made.id}/bundel.zip")
    assert response.status_code == 200
    path = tmp_path / "bundel.zip"
    path.write_bytes(response.data)
    files = contents(path)
    manifest = json.loads(files["manifest.json"])
    assert manifest["missing"] == ["ringkasan.pdf", "bkn/laporan-asn.pdf"]
    assert "ringkasan.html" in files and "bkn/laporan-asn.json" in files
    assert not any(name.endswith(".pdf") for name in files)
    assert verify(app, path).exit_code == 0
