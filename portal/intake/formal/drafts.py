"""The formal part of a submission before it is stored, and the one check of it.

An empty answer is allowed (the laporan is then incomplete, and the checklist says what is
missing); a wrong one is refused by its field: an NIK or NIP of the wrong length, a birth date
in the future, a witness without a name, a phone that is not a phone number.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.cases.referrals.asn import NIK_DIGITS, NIP_DIGITS, clean_number, number_problem
from portal.cases.registration.requirements import LaporanFacts
from portal.intake.drafts import IN_THE_FUTURE, HeldFile, Problem, _is_email, _is_phone
from portal.intake.formal.models import IDENTITY_FIELDS

IDENTITY = IDENTITY_FIELDS
PARTY = (
    "party_name",
    "party_address",
    "party_phone",
    "party_nip",
    "party_agency",
    "party_position",
    "party_ppk",
)
PHONE_WORDS = _l("Use digits only, for example 0812 3456 7890.")
NUMBER_WORDS = {
    NIK_DIGITS: _l("A NIK has exactly 16 digits; spaces are allowed."),
    NIP_DIGITS: _l("A NIP has exactly 18 digits; spaces are allowed."),
}


@dataclass(frozen=True)
class Witness:
    name: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class FormalDraft:
    """The formal answers as typed; `clean_formal` returns them checked and trimmed."""

    identity: dict[str, Any] = field(default_factory=dict)
    party: dict[str, str] = field(default_factory=dict)
    is_civil_servant: bool = False
    event_place: str = ""
    witnesses: tuple[Witness, ...] = ()
    id_card: tuple[str, bytes] | None = None  # (file name, bytes) when one was chosen
    id_card_held: HeldFile | None = None  # the photo kept for this form after a refusal
    owner: str = ""  # whom the held photo belongs to (intake/uploads: form key and session)


def clean_formal(draft: FormalDraft, *, today: date) -> tuple[FormalDraft, dict[str, Problem]]:
    """The draft trimmed (numbers without spaces, blank witness rows dropped) and its problems,
    keyed by the form's field names (`nik`, `witnesses-0-name`, ...)."""
    problems: dict[str, Problem] = {}
    identity = {
        name: (value.strip() if isinstance(value, str) else value)
        for name, value in draft.identity.items()
    }
    party = {name: (value or "").strip() for name, value in draft.party.items()}
    for name, digits, where in (("nik", NIK_DIGITS, identity), ("party_nip", NIP_DIGITS, party)):
        if number_problem(str(where.get(name) or ""), digits):
            problems[name] = Problem("invalid", NUMBER_WORDS[digits])
        else:
            where[name] = clean_number(str(where.get(name) or ""), digits)
    birth = identity.get("birth_date")
    if isinstance(birth, date) and birth > today:
        problems["birth_date"] = Problem("future", IN_THE_FUTURE)
    if identity.get("sex") not in ("", None, "L", "P"):
        problems["sex"] = Problem("choice", _l("Choose one of the options."))
    if identity.get("email") and not _is_email(str(identity["email"])):
        problems["email"] = Problem(
            "invalid", _l("This email address is not valid. Check it, or leave it empty.")
        )
    for name, value in (
        ("phone", identity.get("phone")),
        ("party_phone", party.get("party_phone")),
    ):
        if value and not _is_phone(str(value)):
            problems[name] = Problem("invalid", PHONE_WORDS)
    witnesses = []
    for index, witness in enumerate(draft.witnesses):
        row = Witness(witness.name.strip(), witness.address.strip(), witness.phone.strip())
        if not (row.name or row.address or row.phone):
            continue  # an empty row is no witness
        if not row.name:
            problems[f"witnesses-{index}-name"] = Problem(
                "required", _l("Give the witness's name, or leave the whole row empty.")
            )
        if row.phone and not _is_phone(row.phone):
            problems[f"witnesses-{index}-phone"] = Problem("invalid", PHONE_WORDS)
        witnesses.append(row)
    cleaned = FormalDraft(
        identity=identity,
        party=party,
        is_civil_servant=draft.is_civil_servant,
        event_place=draft.event_place.strip(),
        witnesses=tuple(witnesses),
        id_card=draft.id_card,
        id_card_held=draft.id_card_held if draft.id_card is None else None,
        owner=draft.owner,
    )
    return cleaned, problems


def draft_facts(draft: FormalDraft, *, has_id_card: bool = False, **report: Any) -> LaporanFacts:
    """The checklist's view of a form being filled (`report`: the report's own answers)."""
    return LaporanFacts(
        identity=draft.identity,
        has_id_card=draft.id_card is not None or draft.id_card_held is not None or has_id_card,
        party_name=draft.party.get("party_name", ""),
        party_address=draft.party.get("party_address", ""),
        event_place=draft.event_place,
        witness_count=len(draft.witnesses),
        **report,
    )
