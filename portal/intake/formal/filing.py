"""The formal part of the report form: read it, check it, and show its checklist.

Kept apart from intake/filing.py so the report view needs only a few lines for it. Nothing is
stored here; the report and its formal part are filed together (intake.filing.file_report).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.cases.registration.queries import get_checklist, get_laporan_of
from portal.cases.registration.requirements import ITEMS, Checklist, check_requirements
from portal.clock import local_today
from portal.db import unit_of_work, utcnow
from portal.evidence.images import ImageRejected, accept_image
from portal.intake.drafts import IN_THE_FUTURE, HeldFile, Problem, ReportDraft
from portal.intake.formal.drafts import (
    IDENTITY,
    PARTY,
    FormalDraft,
    Witness,
    clean_formal,
    draft_facts,
)
from portal.intake.formal.forms import CompletionForm, FormalForm
from portal.intake.formal.models import CompletionRequest, FormalLaporan
from portal.intake.formal.operations import complete_laporan, store_id_card
from portal.intake.inputs import read_files
from portal.intake.models import ContactVisibility, Report
from portal.intake.uploads.operations import keep_files, list_holds
from portal.legal.queries import get_window

PREFIX = "formal"
# Open the formal questions, check what is missing, add a witness row: the form comes back
# with the answers kept and nothing stored.
OPEN_STEP, CHECK_STEP, WITNESS_STEP = "formal-open", "formal-check", "formal-witness"
NOT_ANONYMOUS = _l(
    "A formal laporan needs your identity: choose “Confidential” or “Named” below, or untick "
    "this box to send an ordinary report."
)


@dataclass(frozen=True)
class FormalCheck:
    """The formal part as the form carried it (checked), and whether it may be filed."""

    draft: FormalDraft | None  # None: the resident did not ask for a formal laporan
    is_valid: bool


def formal_form() -> FormalForm:
    """The formal part of the posted (or new) report form."""
    return FormalForm(prefix=PREFIX)


def add_witness_row(form: FormalForm) -> None:
    """One more empty witness row (the no-script "add a witness" button)."""
    if len(form.witnesses) < (form.witnesses.max_entries or 0):
        form.witnesses.append_entry()


def held_id_card(form: FormalForm, *, owner: str) -> HeldFile | None:
    """The ID card photo kept for this form and session after a refusal, if it still is."""
    upload_id = form.id_card_held.data or ""
    if not upload_id:
        return None
    found = list_holds([upload_id], owner=owner, now=utcnow())
    return found[0] if found else None


def keep_id_card(form: FormalForm, *, owner: str) -> None:
    """A refused form keeps its chosen ID card photo when it is an image (held for this form
    and session, like its screenshots), so the resident need not choose it again."""
    files = _id_card(form)
    if files and "id_card" not in form.errors:
        kept = keep_files(list(files), owner=owner)
        if kept.held:
            form.id_card_held.data = kept.held[0].id
    held = held_id_card(form, owner=owner)
    form.id_card_held.data = held.id if held else ""
    form.held_file = held  # for the page: “received: ktp.png”


def read_formal(form: FormalForm, owner: str = "") -> FormalDraft:
    """The answers the formal part carries, as typed (`owner`: whose held photo it may name)."""
    files = _id_card(form)
    return FormalDraft(
        identity={
            name: form[name].data or ("" if name != "birth_date" else None) for name in IDENTITY
        },
        party={name: form[name].data or "" for name in PARTY},
        is_civil_servant=bool(form.is_civil_servant.data),
        event_place=form.event_place.data or "",
        witnesses=tuple(
            Witness(
                row.form.name.data or "", row.form.address.data or "", row.form.phone.data or ""
            )
            for row in form.witnesses
        ),
        id_card=files[0] if files else None,
        id_card_held=held_id_card(form, owner=owner) if owner and not files else None,
        owner=owner,
    )


def _id_card(form: FormalForm) -> tuple[tuple[str, bytes], ...]:
    """The chosen ID card photo (read again from the start each time it is asked for)."""
    storage = form.id_card.data
    if not getattr(storage, "filename", None):
        return ()
    storage.stream.seek(0)
    files = read_files([storage])
    storage.stream.seek(0)
    return files


def check_formal(form: FormalForm, *, visibility: str, today: date, owner: str) -> FormalCheck:
    """Check the formal part (when asked for) and put each problem by its field."""
    if not form.is_formal.data:
        return FormalCheck(None, True)
    is_read = form.validate()
    draft, problems = clean_formal(read_formal(form, owner), today=today)
    problems.update(id_card_problem(draft))
    if visibility == ContactVisibility.ANONYMOUS:
        problems["is_formal"] = Problem("anonymous", NOT_ANONYMOUS)
    for name, problem in problems.items():
        field = form[name] if "-" not in name else _witness_field(form, name)
        if field is not None and not field.errors:
            field.errors = [str(problem.message)]
    return FormalCheck(draft, is_read and not problems)


def formal_errors(form: FormalForm) -> dict[str, str]:
    """The first problem of each formal field by its id, for the page's error summary."""
    found = {}
    for field in form:
        if field.name == form.witnesses.name:
            for row in field.entries:
                found.update({sub.id: sub.errors[0] for sub in row.form if sub.errors})
        elif field.errors:
            found[field.id] = str(field.errors[0])
    return found


def _witness_field(form: FormalForm, name: str):  # noqa: ANN202  (a WTForms field)
    _prefix, index, field = name.split("-")
    entries = form.witnesses.entries
    return entries[int(index)].form[field] if int(index) < len(entries) else None


def id_card_problem(draft: FormalDraft) -> dict[str, Problem]:
    """The ID card photo's problem, decided by its bytes like any evidence image."""
    if draft.id_card is None:
        return {}
    cfg = current_app.config
    try:
        accept_image(
            draft.id_card[1],
            max_bytes=cfg["MAX_FILE_BYTES"],
            max_pixels=cfg["MAX_PIXELS"],
            max_side=cfg["MAX_SIDE"],
        )
    except ImageRejected as rejected:
        return {"id_card": Problem(rejected.code, _l("%(why)s", why=rejected.message))}
    return {}


def form_checklist(
    form: FormalForm, report: ReportDraft, *, now: datetime, owner: str, has_id_card: bool = False
) -> Checklist | None:
    """The checklist of the form as filled so far (None unless a formal laporan is asked for);
    `has_id_card`: the page's script says an ID card photo is chosen (it sends no file)."""
    if not form.is_formal.data:
        return None
    draft, problems = clean_formal(read_formal(form, owner), today=local_today(now))
    for name in problems.keys() & set(IDENTITY):  # a wrong answer is no answer yet
        draft.identity[name] = None
    regime = report.category.regime if report.category is not None else None
    window = get_window(regime, report.learned_on, now=now)
    facts = draft_facts(
        draft,
        incident_at=report.incident_at,
        description=report.description,
        evidence_count=len(report.screenshots)
        + len(report.held)
        + len([line for line in report.links if line.strip()]),
        window_closes_at=window.closes_at if window is not None else None,
        has_id_card=has_id_card,
    )
    return check_requirements(facts, now=now)


@dataclass(frozen=True)
class FormalStatus:
    """The formal laporan as its resident sees it on the status page."""

    laporan: FormalLaporan | None  # None: informasi awal (anonymous or not asked for)
    checklist: Checklist | None = None
    request: CompletionRequest | None = None  # the open request to complete it
    form: CompletionForm | None = None

    @property
    def missing_labels(self) -> list[str]:
        """What the open request asks for, in the reader's words."""
        return [str(ITEMS[code][1]) for code in (self.request.missing if self.request else [])]


def formal_status(
    report: Report, *, now: datetime, form: CompletionForm | None = None
) -> FormalStatus:
    """The laporan of a report, its checklist and the open completion request, if any."""
    laporan = get_laporan_of(report)
    if laporan is None:
        return FormalStatus(None)
    request = next((r for r in reversed(laporan.requests) if r.completed_at is None), None)
    if request is not None and laporan.is_open and form is None:
        form = CompletionForm(formdata=None, prefix=PREFIX)
    return FormalStatus(laporan, get_checklist(laporan, now=now), request, form)


def completion_draft(form: CompletionForm, *, today: date) -> tuple[FormalDraft, bool]:
    """Read and check the completion form; problems go by their fields. (draft, is_valid)"""
    is_read = form.validate()
    draft, problems = clean_formal(read_formal(form), today=today)
    problems.update(id_card_problem(draft))
    incident = form.incident_at.data
    if incident is not None and incident.date() > today:
        problems["incident_at"] = Problem("future", IN_THE_FUTURE)
    for name, problem in problems.items():
        field = form[name] if "-" not in name else _witness_field(form, name)
        if field is not None and not field.errors:
            field.errors = [str(problem.message)]
    return draft, is_read and not problems


def complete_formal(report: Report, draft: FormalDraft, incident_at: datetime | None) -> bool:
    """Store the resident's completion in one unit of work; False when there is no open
    laporan to complete (registered or closed meanwhile)."""
    laporan = get_laporan_of(report)
    if laporan is None or not laporan.is_open:
        return False
    with unit_of_work():
        id_card = store_id_card(draft)
        complete_laporan(
            laporan=laporan, draft=draft, id_card=id_card, incident_at=incident_at, now=utcnow()
        )
    return True
