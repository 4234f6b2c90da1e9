"""What the portal holds about one reporter (the data subject): the overview her status page
shows and the download (JSON and her files, as a ZIP), built from the same rows."""

import io
import json
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from portal.cases.models import Message
from portal.db import db
from portal.evidence.models import Evidence
from portal.evidence.storage import StoredFileMissing, get_storage
from portal.intake.formal.models import IDENTITY_FIELDS, FormalLaporan
from portal.intake.models import Report
from portal.privacy.queries import get_active_hold, list_erasures


@dataclass(frozen=True)
class HeldFile:
    id: int
    filename: str
    size: int
    sha256: str
    uploaded_at: datetime
    with_message: bool


@dataclass(frozen=True)
class HeldMessage:
    is_from_reporter: bool
    body: str  # "" once erased
    at: datetime


@dataclass(frozen=True)
class HeldChange:
    kind: str  # erased | contact_corrected
    what: str  # contact | messages | screenshots, or the corrected fields
    by: str  # reporter | retention | staff
    at: datetime


@dataclass(frozen=True)
class Holdings:
    """Everything the portal keeps that is about the holder of one tracking code."""

    reference: str
    visibility: str
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    language: str
    notice_version: str | None
    received_at: datetime
    description: str
    reported_party: str
    answers: dict[str, Any]
    links: list[str]
    files: list[HeldFile]
    messages: list[HeldMessage]
    changes: list[HeldChange]
    is_held: bool  # the case is under a legal hold: nothing is erased now
    # A formal laporan's identity (field: value, filled ones only), whether an ID card photo is
    # kept, and its witnesses (name, address, phone).
    identity: dict[str, str] = field(default_factory=dict)
    has_id_card: bool = False
    witnesses: list[dict[str, str]] = field(default_factory=list)

    @property
    def has_contact(self) -> bool:
        contact = (self.contact_name, self.contact_email, self.contact_phone)
        return any(contact) or bool(self.identity or self.has_id_card or self.witnesses)


def get_holdings(report: Report) -> Holdings:
    """The overview of one report's personal data, from the rows themselves."""
    files = db.session.scalars(
        sa.select(Evidence).where(Evidence.report_id == report.id).order_by(Evidence.id)
    ).all()
    messages = db.session.scalars(
        sa.select(Message).where(Message.report_id == report.id).order_by(Message.id)
    ).all()
    return Holdings(
        reference=report.case.reference or "",
        visibility=report.visibility,
        contact_name=report.contact_name,
        contact_email=report.contact_email,
        contact_phone=report.contact_phone,
        language=report.language,
        notice_version=report.notice_version,
        received_at=report.created_at,
        description=report.description or "",
        reported_party=report.reported_party or "",
        answers=dict(report.answers or {}),
        links=[link.url_given for link in report.links],
        files=[
            HeldFile(
                e.id,
                e.original_filename,
                e.size_original,
                e.sha256_original,
                e.created_at,
                e.message_id is not None,
            )
            for e in files
        ],
        messages=[
            HeldMessage(m.direction == "from_reporter", m.body, m.created_at) for m in messages
        ],
        changes=[
            _change(event.kind, event.data, event.created_at) for event in list_erasures(report)
        ],
        is_held=get_active_hold(report.case_id) is not None,
        **_formal_holdings(report),
    )


def _formal_holdings(report: Report) -> dict[str, Any]:
    """A formal laporan's identity and witnesses, as she gave them."""
    laporan = db.session.scalar(
        sa.select(FormalLaporan).where(FormalLaporan.report_id == report.id)
    )
    if laporan is None:
        return {}
    identity = laporan.identity
    values = {name: getattr(identity, name) for name in IDENTITY_FIELDS} if identity else {}
    return {
        "identity": {name: str(value) for name, value in values.items() if value},
        "has_id_card": bool(identity and identity.id_card_original_key),
        "witnesses": [
            {"name": w.name, "address": w.address, "phone": w.phone}
            for w in laporan.witnesses
            if w.name or w.address or w.phone
        ],
    }


def _change(kind: str, data: dict[str, Any], at: datetime) -> HeldChange:
    what = data.get("what") or ",".join(data.get("fields") or [])
    return HeldChange(kind, str(what), str(data.get("by", "reporter")), at)


def build_export(report: Report) -> bytes:
    """Her data as a ZIP: data.json (machine-readable) and the files she sent, as sent."""
    holdings = get_holdings(report)
    originals = {
        e.id: e.original_key
        for e in db.session.scalars(sa.select(Evidence).where(Evidence.report_id == report.id))
    }
    storage = get_storage()
    buffer = io.BytesIO()
    missing = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in holdings.files:
            try:
                data = storage.get(originals[item.id])
            except StoredFileMissing:
                missing.append(item.id)
                continue
            archive.writestr(f"files/{item.id}-{_safe(item.filename)}", data)
        body = {**asdict(holdings), "files_missing_from_storage": missing}
        archive.writestr("data.json", json.dumps(body, ensure_ascii=False, indent=2, default=_iso))
    return buffer.getvalue()


def _safe(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[-100:]
    return cleaned or "file"


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)
