"""The bundle as a filing: what an outside body is handed besides the evidence itself.

For a civil-servant (ASN) case, `bkn/laporan-asn.{pdf,csv,json}` carry what BKN needs to find
the person (name, NIP and/or NIK, agency, position), the chronology and the list of evidence
(file, SHA-256, source address, time). Each formal laporan of the case adds its official form
(`formal_laporan_members`: `laporan/formulir-laporan-*.pdf`). Every member goes into the manifest
like any other file.
"""

import csv
import io
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.cases.identity.operations import record_identity_shown
from portal.cases.identity.queries import may_see_identity
from portal.cases.models import Case
from portal.cases.referrals.asn import get_civil_servant, is_asn_case
from portal.cases.referrals.models import ReportedCivilServant
from portal.cases.registration.document import laporan_pdf
from portal.cases.registration.queries import list_laporan
from portal.pdf import PdfUnavailable, render_pdf

logger = logging.getLogger(__name__)

BKN_FOLDER = "bkn"
LAPORAN_FOLDER = "laporan"
BKN_NAME = "laporan-asn"
BKN_FORMAT = "portal-aduan-warga/laporan-asn/1"
CSV_COLUMNS = (
    "nomor_kasus",
    "nama",
    "nip",
    "nik",
    "instansi",
    "jabatan",
    "kronologi",
    "berkas_bukti",
    "sha256",
    "sumber",
    "url_sumber",
    "waktu_utc",
)
# As in the open-data CSV: a cell starting with one of these is text, never a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Member:
    """One file the filing adds to the bundle; `data` None when it could not be made here
    (no PDF without WeasyPrint): the manifest then lists it as missing."""

    path: str
    data: bytes | None
    source: str


def formal_laporan_members(case: Case, user: Any) -> list[Member]:
    """The official form of each formal laporan of the case, pre-filled and numbered once
    registered (`laporan/formulir-laporan-<reference>-<id>.pdf`): only those whose reporter's
    identity this user may see (cases/identity); a held one shown is recorded."""
    members = []
    for laporan in list_laporan(case):
        if not may_see_identity(user, laporan.report):
            logger.info("Bundle of case %s without laporan %s: identity held", case.id, laporan.id)
            continue
        record_identity_shown(report=laporan.report, viewer=user, what="bundle")
        try:
            data, name = laporan_pdf(laporan)
        except PdfUnavailable as err:
            logger.error("Bundle of case %s without a laporan form: %s", case.id, err)
            data, name = None, f"formulir-laporan-{case.reference}-{laporan.id}.pdf"
        members.append(Member(f"{LAPORAN_FOLDER}/{name}", data, "laporan_form"))
    return members


def evidence_list(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The evidence files of a manifest: name, SHA-256, where from and when (ISO, UTC)."""
    return [
        {
            "file": f["path"],
            "sha256": f["sha256"],
            "source": f["source"],
            "source_url": f.get("source_url"),
            "time": f.get("fetched_at") or f.get("uploaded_at"),
        }
        for f in files
        if f.get("source") in ("upload", "capture")
    ]


def bkn_record(
    case: Case, person: ReportedCivilServant | None, evidence: list[dict[str, Any]]
) -> dict[str, Any]:
    """The BKN report of a case as data: the JSON file, and what the CSV and PDF show."""
    return {
        "format": BKN_FORMAT,
        "case": case.reference,
        "category": case.category.name("id") if case.category else None,
        "reported_person": {
            "name": person.name if person else "",
            "nip": person.nip if person else "",
            "nik": person.nik if person else "",
            "agency": person.agency if person else "",
            "position": person.position if person else "",
        },
        "chronology": person.chronology if person else "",
        "evidence": evidence,
    }


def safe_cell(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def bkn_csv(record: dict[str, Any]) -> bytes:
    """One line per evidence file with the person's fields on each (UTF-8 with BOM)."""
    person = record["reported_person"]
    fixed = [
        record["case"],
        person["name"],
        person["nip"],
        person["nik"],
        person["agency"],
        person["position"],
        record["chronology"],
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = [
        [e["file"], e["sha256"], e["source"], e["source_url"], e["time"]]
        for e in record["evidence"]
    ]
    for row in rows or [[None] * 5]:
        writer.writerow([safe_cell(value) for value in fixed + row])
    return ("\ufeff" + buffer.getvalue()).encode()


def bkn_members(case: Case, files: list[dict[str, Any]]) -> list[Member]:
    """bkn/laporan-asn.{pdf,csv,json} for a civil-servant case; nothing for another case.
    Renders in the current locale (the bundle asks for Indonesian)."""
    person = get_civil_servant(case)
    if person is None and not is_asn_case(case):
        return []
    record = bkn_record(case, person, evidence_list(files))
    times = {e["file"]: _moment(e["time"]) for e in record["evidence"]}
    try:
        _html, pdf = render_pdf("capture/laporan_asn.html", record=record, times=times)
    except PdfUnavailable as err:
        logger.error("Bundle of case %s without its BKN PDF: %s", case.id, err)
        pdf = None
    body = json.dumps(record, indent=2, ensure_ascii=False).encode()
    base = f"{BKN_FOLDER}/{BKN_NAME}"
    return [
        Member(f"{base}.pdf", pdf, "bkn_report"),
        Member(f"{base}.csv", bkn_csv(record), "bkn_report"),
        Member(f"{base}.json", body, "bkn_report"),
    ]


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
