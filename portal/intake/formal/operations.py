"""Writes of the formal laporan path: store a report's formal part (with the report, in the
same unit of work), and the resident's completion on the status page. They flush; the view
commits. The history records that it happened and which parts changed, never the answers."""

import logging
from dataclasses import asdict
from datetime import datetime

from portal.cases.history import record_event
from portal.cases.models import Visibility
from portal.cases.referrals.asn import get_civil_servant
from portal.cases.referrals.models import ReportedCivilServant
from portal.cases.registration.operations import refresh_state
from portal.db import db, utcnow
from portal.evidence.operations import StoredImage, store_image
from portal.intake.formal.drafts import IDENTITY, PARTY, FormalDraft
from portal.intake.formal.models import FormalIdentity, FormalLaporan, FormalWitness
from portal.intake.models import Report
from portal.intake.uploads.operations import find_hold, stored_image

logger = logging.getLogger(__name__)


def store_id_card(draft: FormalDraft) -> StoredImage | None:
    """Check and store the ID card photo like an evidence original (raises ImageRejected);
    call it inside the unit of work, so a failed unit removes the files. A photo kept for the
    form after a refusal is claimed instead (its held row goes, its files stay)."""
    if draft.id_card is not None:
        name, data = draft.id_card
        return store_image(data=data, filename=name)
    if draft.id_card_held is None:
        return None
    row = find_hold(draft.id_card_held.id, owner=draft.owner, now=utcnow())
    if row is None or not row.is_complete:  # expired meanwhile: the checklist will say so
        logger.info("A held ID card photo was gone when its laporan was filed")
        return None
    image = stored_image(row)
    db.session.delete(row)
    db.session.flush()
    return image


def add_formal_laporan(
    *, report: Report, draft: FormalDraft, id_card: StoredImage | None, now: datetime
) -> FormalLaporan:
    """The formal part of a report just submitted (flushes)."""
    laporan = FormalLaporan(report_id=report.id)
    db.session.add(laporan)
    db.session.flush()
    _apply(laporan, draft, id_card, replace_blank=True)
    _seed_civil_servant(laporan)
    refresh_state(laporan, now=now)
    record_event(report.case, "formal_laporan", report=report, data={"laporan_id": laporan.id})
    logger.info("Report %s asks to be a formal laporan (%s)", report.id, laporan.id)
    return laporan


def complete_laporan(
    *,
    laporan: FormalLaporan,
    draft: FormalDraft,
    id_card: StoredImage | None,
    incident_at: datetime | None,
    now: datetime,
) -> list[str]:
    """The resident's completion: the answers she gave replace the stored ones (a blank answer
    keeps what was there). Closes the open requests; returns the parts that changed."""
    changed = _apply(laporan, draft, id_card, replace_blank=False)
    report = laporan.report
    if incident_at is not None and incident_at != report.incident_at:
        report.incident_at = incident_at
        changed.append("incident_at")
    for request in laporan.requests:
        if request.completed_at is None:
            request.completed_at = now
    refresh_state(laporan, now=now)
    record_event(
        report.case,
        "laporan_completed",
        visibility=Visibility.REPORTER,
        report=report,
        data={"laporan_id": laporan.id, "parts": sorted(set(changed))},
    )
    return changed


def _apply(
    laporan: FormalLaporan, draft: FormalDraft, id_card: StoredImage | None, *, replace_blank: bool
) -> list[str]:
    """Write the draft's answers on the rows; the names of the parts that changed."""
    changed: list[str] = []
    identity = laporan.identity
    if identity is None:
        identity = FormalIdentity(laporan_id=laporan.id)
        db.session.add(identity)
        laporan.identity = identity
    for name in IDENTITY:
        value = draft.identity.get(name)
        if (value or replace_blank) and getattr(identity, name) != (value or _blank(name)):
            setattr(identity, name, value or _blank(name))
            changed.append("identity")
    if id_card is not None:
        identity.id_card = {k: v for k, v in asdict(id_card).items() if k != "keys"}
        identity.id_card_original_key = id_card.keys["original_key"]
        identity.id_card_clean_key = id_card.keys["clean_key"]
        identity.id_card_thumb_key = id_card.keys["thumb_key"]
        changed.append("id_card")
    for name in PARTY:
        value = draft.party.get(name, "")
        if (value or replace_blank) and getattr(laporan, name) != value:
            setattr(laporan, name, value)
            changed.append("reported_party")
    if draft.is_civil_servant and not laporan.is_civil_servant:
        laporan.is_civil_servant = True
        changed.append("reported_party")
    if (draft.event_place or replace_blank) and draft.event_place != laporan.event_place:
        laporan.event_place = draft.event_place
        changed.append("time_place")
    start = len(laporan.witnesses)
    for offset, witness in enumerate(draft.witnesses):
        db.session.add(
            FormalWitness(
                laporan=laporan,
                position=start + offset,
                name=witness.name,
                address=witness.address,
                phone=witness.phone,
            )
        )
        changed.append("witnesses")
    db.session.flush()
    db.session.refresh(laporan)
    return changed


def _blank(name: str) -> object:
    return None if name == "birth_date" else ""


def _seed_civil_servant(laporan: FormalLaporan) -> None:
    """A civil servant named in a laporan becomes the case's civil servant for BKN, unless
    officers already entered one (theirs stands)."""
    case = laporan.report.case
    if not laporan.is_civil_servant or get_civil_servant(case) is not None:
        return
    db.session.add(
        ReportedCivilServant(
            case_id=case.id,
            name=laporan.party_name,
            nip=laporan.party_nip,
            agency=laporan.party_agency,
            position=laporan.party_position,
            chronology="",
        )
    )
    db.session.flush()
