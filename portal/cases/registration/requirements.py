"""The one place that says whether a laporan meets the syarat formil and materiil.

Perbawaslu 7/2022 (Penanganan Temuan dan Laporan Pelanggaran Pemilu) Pasal 15: the formal
requirements are the reporter's identity, the reported party's name and address, and a laporan
filed within its window (UU 7/2017 Pasal 454 ayat (6)); the material ones are the time and place
of the event, what happened, and evidence. The laporan form (and this portal) also asks for
witnesses, counted with the material requirements. README ("Formal laporan") cites the sources.
A pure function: the resident's form, the status page and the officer's case page all call it.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.intake.formal.models import IDENTITY_FIELDS

FORMIL, MATERIIL = "formil", "materiil"
# Code -> (group, the reporter-facing words).
ITEMS = {
    "reporter_identity": (
        FORMIL,
        _l("your identity (name, NIK, birth, sex, job, nationality, address)"),
    ),
    "id_card": (FORMIL, _l("a photo of your ID card (KTP)")),
    "reported_party": (FORMIL, _l("the name and address of the reported party")),
    "on_time": (FORMIL, _l("filed within the reporting window")),
    "time_place": (MATERIIL, _l("the time and place of the event")),
    "description": (MATERIIL, _l("what happened")),
    "evidence": (MATERIIL, _l("evidence")),
    "witnesses": (MATERIIL, _l("witnesses")),
}
SHORT = {
    "reporter_identity": _l("identity"),
    "id_card": _l("ID card"),
    "reported_party": _l("reported party"),
    "on_time": _l("window"),
    "time_place": _l("time and place"),
    "description": _l("description"),
    "evidence": _l("evidence"),
    "witnesses": _l("witnesses"),
}
# Which answers the completion form asks for, per missing item (none can fix a late filing).
COMPLETABLE = ("reporter_identity", "id_card", "reported_party", "time_place", "witnesses")


@dataclass(frozen=True)
class LaporanFacts:
    """What the checklist looks at, from a form being filled or from stored rows."""

    identity: dict[str, object] = field(default_factory=dict)
    has_id_card: bool = False
    party_name: str = ""
    party_address: str = ""
    incident_at: datetime | None = None
    event_place: str = ""
    description: str = ""
    evidence_count: int = 0
    witness_count: int = 0
    filed_at: datetime | None = None  # None: not filed yet (being filled now)
    window_closes_at: datetime | None = None  # None: the category has no window


# Every answer of the identity but the optional contact details.
IDENTITY_REQUIRED = tuple(name for name in IDENTITY_FIELDS if name not in ("phone", "email"))


@dataclass(frozen=True)
class Item:
    code: str
    group: str
    is_met: bool

    @property
    def label(self) -> str:
        return str(ITEMS[self.code][1])

    @property
    def short(self) -> str:
        return str(SHORT[self.code])


@dataclass(frozen=True)
class Checklist:
    items: tuple[Item, ...]

    def group(self, name: str) -> list[Item]:
        return [item for item in self.items if item.group == name]

    @property
    def missing(self) -> list[str]:
        return [item.code for item in self.items if not item.is_met]

    @property
    def is_complete(self) -> bool:
        return not self.missing

    def summary(self, name: str) -> str:
        """“syarat formil: lengkap” or “syarat materiil: 1 kurang (saksi)”, in the reader's
        language."""
        missing = [item for item in self.group(name) if not item.is_met]
        title = _l("formal requirements") if name == FORMIL else _l("material requirements")
        if not missing:
            return f"{title}: {_l('complete')}"
        count = ngettext("%(num)d missing", "%(num)d missing", len(missing))
        return f"{title}: {count} ({', '.join(item.short for item in missing)})"

    def summaries(self) -> str:
        return f"{self.summary(FORMIL)}, {self.summary(MATERIIL)}"


def check_requirements(facts: LaporanFacts, *, now: datetime) -> Checklist:
    """Each requirement of a laporan, met or not."""
    filed = facts.filed_at or now
    met = {
        "reporter_identity": all(facts.identity.get(name) for name in IDENTITY_REQUIRED),
        "id_card": facts.has_id_card,
        "reported_party": bool(facts.party_name.strip() and facts.party_address.strip()),
        "on_time": facts.window_closes_at is None or filed <= facts.window_closes_at,
        "time_place": facts.incident_at is not None and bool(facts.event_place.strip()),
        "description": bool(facts.description.strip()),
        "evidence": facts.evidence_count > 0,
        "witnesses": facts.witness_count > 0,
    }
    return Checklist(tuple(Item(code, ITEMS[code][0], met[code]) for code in ITEMS))
