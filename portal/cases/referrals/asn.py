"""The civil servant (ASN) a case is about, as BKN needs them named: name, NIP and/or NIK,
agency, position and the chronology. Officers enter them on the case page; the evidence bundle
carries them as `bkn/laporan-asn.{pdf,csv,json}`. Personal data: never on a public page, in
open data or Open311, and never in the append-only history (which records only which fields
changed, so that a corrected NIP can really be erased)."""

import logging
import re
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.cases.history import record_event
from portal.cases.models import Case
from portal.cases.referrals.models import Body, Referral, ReportedCivilServant
from portal.cases.workflow import CaseError
from portal.db import db

logger = logging.getLogger(__name__)

NIP_DIGITS = 18  # Nomor Induk Pegawai of a civil servant
NIK_DIGITS = 16  # Nomor Induk Kependudukan of any resident
FIELDS = ("name", "nip", "nik", "agency", "position", "chronology")
LIMITS = {"name": 200, "agency": 300, "position": 200, "chronology": 10000}


class CivilServantRefused(CaseError):
    """Input that cannot be stored; `errors` maps each bad field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def clean_number(value: str, digits: int) -> str:
    """The number without the spaces people write in it; ValueError unless it is `digits`
    ASCII digits (empty stays empty)."""
    number = re.sub(r"\s+", "", value or "")
    if number and not re.fullmatch(rf"[0-9]{{{digits}}}", number):
        raise ValueError(number)
    return number


def number_problem(value: str, digits: int) -> str | None:
    """What is wrong with a NIP (18 digits) or NIK (16 digits), in words; None when fine."""
    try:
        clean_number(value, digits)
    except ValueError:
        if digits == NIP_DIGITS:
            return str(_l("A NIP has exactly 18 digits; spaces are allowed."))
        return str(_l("A NIK has exactly 16 digits; spaces are allowed."))
    return None


def is_asn_case(case: Case) -> bool:
    """A civil-servant neutrality case: its category is one, or it was referred to BKN."""
    if case.category is not None and case.category.code.startswith("asn-"):
        return True
    referred = sa.select(Referral.id).where(Referral.case_id == case.id, Referral.body == Body.BKN)
    return db.session.scalar(referred.limit(1)) is not None


def get_civil_servant(case: Case) -> ReportedCivilServant | None:
    """The civil servant entered for this case, if any."""
    return db.session.scalar(
        sa.select(ReportedCivilServant).where(ReportedCivilServant.case_id == case.id)
    )


def _checked(values: dict[str, str]) -> dict[str, str]:
    cleaned = {field: (values.get(field) or "").strip() for field in FIELDS}
    errors: dict[str, str] = {}
    if not cleaned["name"]:
        errors["name"] = str(_l("Give the name of the civil servant."))
    for field, digits in (("nip", NIP_DIGITS), ("nik", NIK_DIGITS)):
        problem = number_problem(cleaned[field], digits)
        if problem:
            errors[field] = problem
        else:
            cleaned[field] = clean_number(cleaned[field], digits)
    for field, limit in LIMITS.items():
        if len(cleaned[field]) > limit:
            errors[field] = str(_l("At most %(num)d characters.", num=limit))
    if errors:
        raise CivilServantRefused(errors)
    return cleaned


def save_civil_servant(*, case: Case, actor: Any, **values: str) -> ReportedCivilServant:
    """Store (or correct) the civil servant of the case; CivilServantRefused names each bad
    field and nothing is stored. Records which fields changed, never their values (flushes)."""
    cleaned = _checked(values)
    row = get_civil_servant(case)
    if row is None:
        row = ReportedCivilServant(case_id=case.id, **{f: "" for f in FIELDS})
        db.session.add(row)
    changed = [field for field in FIELDS if getattr(row, field) != cleaned[field]]
    for field in changed:
        setattr(row, field, cleaned[field])
    row.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    if changed:
        record_event(case, "civil_servant_details", actor=actor, data={"fields": changed})
        logger.info("Civil servant of case %s: %s changed", case.id, ", ".join(changed))
    return row
