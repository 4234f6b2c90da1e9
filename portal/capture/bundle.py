"""The evidence bundle of a case: files, their timestamps, a signed manifest, a summary (HTML
and the same page as PDF), the filing for outside bodies (`filing.py`: BKN's report on a civil
servant) and instructions for checking it, in Indonesian.

Hashes in the manifest are of the bytes put in the ZIP; `matches_record` says whether they
equal the hash recorded when the file was uploaded or captured (False means the stored copy
changed since). Each stamped file with a granted RFC 3161 token gets it beside it (`FILE.tst`)
with the TSA's root certificate under `stempel-waktu/`. The manifest and `SHA256SUMS` carry
detached Ed25519 signatures by the install's key, whose public half is in the bundle.
`verify_bundle` re-checks a bundle on its own, without the database.
"""

import hashlib
import io
import json
import logging
import zipfile
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale

from portal.accounts.models import Role
from portal.capture.filing import Member, bkn_members, formal_laporan_members
from portal.capture.operations import headers_key
from portal.capture.queries import list_link_captures, official_accounts_for_case
from portal.cases.models import Case
from portal.db import utcnow
from portal.evidence.bundles import (
    CHECKSUMS,
    CHECKSUMS_SIG,
    HOWTO,
    MANIFEST,
    MANIFEST_SIG,
    PUBLIC_KEY,
)
from portal.evidence.storage import StoredFileMissing, get_storage
from portal.pdf import PdfUnavailable, html_to_pdf
from portal.proof.models import StampKind
from portal.proof.operations import current_signer
from portal.proof.queries import list_granted_tokens
from portal.proof.signing import Signer
from portal.proof.timestamps import certificate_fingerprint

logger = logging.getLogger(__name__)

SUMMARY = "ringkasan"
CLEAN_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}
ORIGINAL_EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def may_get_originals(user: Any) -> bool:
    """Supervisors and admins always; officers when BUNDLE_OFFICERS_GET_ORIGINALS is on."""
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        return True
    return bool(current_app.config["BUNDLE_OFFICERS_GET_ORIGINALS"])


class _Writer:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED)
        self.files: list[dict[str, Any]] = []
        self.missing: list[str] = []
        self.stamped: list[tuple[str, str, int, str]] = []  # (path, stamp kind, target, hash)

    def add(
        self,
        path: str,
        key: str | None,
        *,
        recorded: str | None,
        stamp: tuple[str, int] | None = None,
        **meta: Any,
    ) -> None:
        if not key:  # nothing was stored (no screenshot taken, the fetch failed)
            return
        try:
            data = get_storage().get(key)
        except StoredFileMissing:
            self.missing.append(path)
            return
        sha = self.write(path, data, **meta)
        self.files[-1]["matches_record"] = recorded is None or recorded == sha
        if stamp is not None and recorded is not None:
            self.stamped.append((path, *stamp, recorded))

    def write(self, path: str, data: bytes, **meta: Any) -> str:
        """Put bytes in the ZIP and list them in the manifest; their SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        self.zip.writestr(path, data)
        self.files.append({"path": path, "sha256": sha, "size": len(data), **meta})
        return sha


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def build_bundle(case: Case, user: Any) -> bytes:
    """The ZIP for one case (the caller records the export)."""
    out = _Writer()
    originals = may_get_originals(user)
    _add_uploads(out, case, originals)
    links = list_link_captures(case)
    _add_captures(out, links)
    stamps = _add_timestamps(out)
    signer = current_signer()
    generated_at = utcnow()
    with force_locale("id"):
        filing = formal_laporan_members(case, user) + bkn_members(case, out.files)
        summary = render_template(
            "capture/bundle_summary.html",
            case=case,
            links=links,
            files=[f for f in out.files if f["source"] in ("upload", "capture")],
            filing=[member.path for member in filing],
            originals=originals,
            officials=official_accounts_for_case(case),
            generated_at=generated_at,
        )
        howto = render_template(
            "proof/howto.txt",
            case=case,
            signer=signer,
            stamps=stamps,
            keys_url=_keys_url(),
            names={"manifest": MANIFEST, "checksums": CHECKSUMS, "key": PUBLIC_KEY},
        ).encode()
    out.write(f"{SUMMARY}.html", summary.encode(), source="summary")
    _add_pdf(out, f"{SUMMARY}.pdf", summary)
    for member in filing:
        _add_member(out, member)
    out.write(HOWTO, howto, source="instructions")
    out.write(PUBLIC_KEY, signer.public_pem.encode(), source="signing_key")
    manifest = {
        "case": case.reference,
        "case_id": case.id,
        "generated_at": _iso(generated_at),
        "includes_originals": originals,
        "signature": {
            "algorithm": "Ed25519",
            "key_id": signer.key_id,
            "fingerprint_sha256": signer.fingerprint,
            "public_key": PUBLIC_KEY,
            "published_at": _keys_url(),
        },
        "files": out.files,
        "missing": out.missing,
    }
    _seal(out, manifest, signer)
    out.zip.close()
    return out.buffer.getvalue()


def _add_pdf(out: _Writer, path: str, html: str) -> None:
    """The PDF of the very HTML the bundle carries (missing when WeasyPrint cannot run)."""
    try:
        pdf = html_to_pdf(html)
    except PdfUnavailable as err:
        logger.error("Bundle without %s: %s", path, err)
        out.missing.append(path)
        return
    out.write(path, pdf, source="summary")


def _add_member(out: _Writer, member: Member) -> None:
    if member.data is None:
        out.missing.append(member.path)
    else:
        out.write(member.path, member.data, source=member.source)


def _seal(out: _Writer, manifest: dict[str, Any], signer: Signer) -> None:
    """The manifest, the checksum file and their detached signatures."""
    body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    sums = [(f["sha256"], f["path"]) for f in out.files]
    sums.append((hashlib.sha256(body).hexdigest(), MANIFEST))
    checksums = "".join(f"{sha}  {path}\n" for sha, path in sums).encode()
    for name, data in (
        (MANIFEST, body),
        (MANIFEST_SIG, signer.sign(body)),
        (CHECKSUMS, checksums),
        (CHECKSUMS_SIG, signer.sign(checksums)),
    ):
        out.zip.writestr(name, data)


def _keys_url() -> str:
    public = current_app.config.get("PUBLIC_URL")
    if public:
        return f"{str(public).rstrip('/')}/data/kunci.json"
    if has_request_context():
        return url_for("opendata.public_keys", _external=True)
    return "/data/kunci.json"


def _add_timestamps(out: _Writer) -> list[dict[str, str]]:
    """Each stamped file's token (FILE.tst) and the TSA roots; what the instructions list."""
    tokens = list_granted_tokens((kind, target, sha) for _, kind, target, sha in out.stamped)
    roots: set[str] = set()
    listed = []
    for path, kind, target, sha in out.stamped:
        token = tokens.get((kind, target, sha))
        if token is None or token.token is None or token.tsa_root_pem is None:
            continue
        root = f"stempel-waktu/tsa-akar-{certificate_fingerprint(token.tsa_root_pem)[:16]}.pem"
        if root not in roots:
            roots.add(root)
            out.write(root, token.tsa_root_pem.encode(), source="tsa_root")
        out.write(
            f"{path}.tst",
            token.token,
            source="timestamp",
            stamps=path,
            stamped_sha256=token.sha256,
            tsa_url=token.tsa_url,
            gen_time=_iso(token.gen_time),
            serial=token.serial,
            tsa_root=root,
        )
        listed.append({"file": path, "token": f"{path}.tst", "root": root})
    return listed


def _add_uploads(out: _Writer, case: Case, originals: bool) -> None:
    for report in case.reports:
        for ev in report.evidence:
            meta: dict[str, Any] = {
                "source": "upload",
                "report_id": report.id,
                "uploaded_at": _iso(ev.created_at),
            }
            name = f"laporan-{report.id}-bukti-{ev.id}"
            out.add(
                f"tangkapan-layar/{name}.{CLEAN_EXT.get(ev.clean_mime, 'bin')}",
                ev.clean_key,
                recorded=ev.sha256_clean,
                **meta,
            )
            if originals:
                out.add(
                    f"asli/{name}.{ORIGINAL_EXT.get(ev.original_format, 'bin')}",
                    ev.original_key,
                    recorded=ev.sha256_original,
                    stamp=(StampKind.EVIDENCE, ev.id),
                    **meta,
                    sealed=True,
                )


def _add_captures(out: _Writer, links: list) -> None:
    for cap in (item.capture for item in links if item.capture is not None):
        meta = {
            "source": "capture",
            "source_url": cap.url_canonical,
            "final_url": cap.final_url,
            "fetched_at": _iso(cap.fetched_at),
        }
        folder = f"tautan/{cap.id}"
        for name, key, recorded, kind in (
            ("layar.png", cap.screenshot_key, cap.screenshot_sha256, StampKind.CAPTURE_SCREENSHOT),
            ("halaman.html", cap.html_key, cap.html_sha256, StampKind.CAPTURE_HTML),
            ("header.json", headers_key(cap), cap.headers_sha256, StampKind.CAPTURE_HEADERS),
        ):
            out.add(f"{folder}/{name}", key, recorded=recorded, stamp=(kind, cap.id), **meta)
