"""The evidence bundle of a case: files, a manifest of their SHA-256, a summary in Indonesian.

Hashes in the manifest are of the bytes put in the ZIP; `matches_record` says whether they
equal the hash recorded when the file was uploaded or captured (False means the stored copy
changed since). `verify_bundle` re-checks a bundle on its own, without the database.
"""

import hashlib
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from portal.accounts.models import Role
from portal.capture.operations import headers_key
from portal.capture.queries import list_link_captures, official_accounts_for_case
from portal.cases.models import Case
from portal.db import utcnow
from portal.evidence.bundles import MANIFEST
from portal.evidence.storage import StoredFileMissing, get_storage

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

    def add(self, path: str, key: str | None, *, recorded: str | None, **meta: Any) -> None:
        if not key:  # nothing was stored (no screenshot taken, the fetch failed)
            return
        try:
            data = get_storage().get(key)
        except StoredFileMissing:
            self.missing.append(path)
            return
        sha = hashlib.sha256(data).hexdigest()
        self.zip.writestr(path, data)
        self.files.append(
            {
                "path": path,
                "sha256": sha,
                "size": len(data),
                "matches_record": recorded is None or recorded == sha,
                **meta,
            }
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def build_bundle(case: Case, user: Any) -> bytes:
    """The ZIP for one case (the caller records the export)."""
    out = _Writer()
    originals = may_get_originals(user)
    _add_uploads(out, case, originals)
    links = list_link_captures(case)
    _add_captures(out, links)
    generated_at = utcnow()
    with force_locale("id"):
        summary = render_template(
            "capture/bundle_summary.html",
            case=case,
            links=links,
            files=out.files,
            originals=originals,
            officials=official_accounts_for_case(case),
            generated_at=generated_at,
        ).encode()
    out.zip.writestr("ringkasan.html", summary)
    out.files.append(
        {
            "path": "ringkasan.html",
            "sha256": hashlib.sha256(summary).hexdigest(),
            "size": len(summary),
            "source": "summary",
        }
    )
    manifest = {
        "case": case.reference,
        "case_id": case.id,
        "generated_at": _iso(generated_at),
        "includes_originals": originals,
        "files": out.files,
        "missing": out.missing,
    }
    out.zip.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    out.zip.close()
    return out.buffer.getvalue()


def _add_uploads(out: _Writer, case: Case, originals: bool) -> None:
    for report in case.reports:
        for ev in report.evidence:
            meta = {"source": "upload", "report_id": report.id, "uploaded_at": _iso(ev.created_at)}
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
        out.add(f"{folder}/layar.png", cap.screenshot_key, recorded=cap.screenshot_sha256, **meta)
        out.add(f"{folder}/halaman.html", cap.html_key, recorded=cap.html_sha256, **meta)
        out.add(f"{folder}/header.json", headers_key(cap), recorded=cap.headers_sha256, **meta)
