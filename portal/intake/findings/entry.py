"""From a posted staff entry form to a ReportDraft and its problems, by field: the same
validation as every other door (intake.drafts.validate_draft), with the staff door's rules."""

from dataclasses import dataclass

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from portal.i18n import current_language
from portal.intake.drafts import ANSWERS, DraftRules, Problem, ReportDraft, validate_draft
from portal.intake.filing import form_session_secret, to_utc
from portal.intake.findings.forms import StaffEntryForm
from portal.intake.findings.models import FINDING_CHANNELS
from portal.intake.inputs import question_field_name, read_answers, read_files
from portal.reference.models import Category, Region

# The draft's field names that the staff form calls otherwise.
FIELD_NAMES = {"learned_on": "found_on"}
NO_EVIDENCE = _l("A finding needs its evidence: attach a screenshot or give a link.")


@dataclass(frozen=True)
class EntryCheck:
    draft: ReportDraft | None  # None while a problem remains
    question_errors: dict[str, str]


def staff_rules() -> DraftRules:
    """What the staff door asks: the date found; screenshots only for findings (below)."""
    cfg = current_app.config
    return DraftRules(
        max_files=cfg["MAX_FILES"],
        max_file_bytes=cfg["MAX_FILE_BYTES"],
        max_links=cfg["MAX_LINKS"],
        is_learned_on_required=True,
        is_phone_digits_only=True,
    )


def read_entry(form: StaffEntryForm, category: Category, regions: list[Region]) -> ReportDraft:
    """The submission the staff form carries; the date found is the report's date known."""
    return ReportDraft(
        category=category,
        region=next((r for r in regions if r.id == form.region.data), None),
        reported_party=form.reported_party.data or "",
        description=form.description.data or "",
        language=current_language(),
        answers=read_answers(category, request.form),
        links=tuple((form.links.data or "").splitlines()),
        screenshots=read_files(request.files.getlist(form.screenshots.name)),
        incident_at=to_utc(form.incident_at.data),
        learned_on=form.found_on.data,
        visibility=form.visibility.data or "",
        contact_name=form.contact_name.data,
        contact_email=form.contact_email.data,
        contact_phone=form.contact_phone.data,
        idempotency_key=form.idempotency_key.data,
        idempotency_session=form_session_secret(),  # so this browser can print the receipt
    )


def check_entry(form: StaffEntryForm, category: Category, regions: list[Region]) -> EntryCheck:
    """Read and validate the form; each problem is put by its field."""
    is_read = form.validate()
    draft = read_entry(form, category, regions)
    checked = validate_draft(draft, staff_rules())
    problems = dict(checked.problems)
    if form.channel.data in FINDING_CHANNELS and not draft.screenshots and not draft.links:
        problems.setdefault("screenshots", Problem("required", NO_EVIDENCE))
    question_errors: dict[str, str] = {}
    for name, problem in problems.items():
        if name.startswith(ANSWERS):
            field = question_field_name(category.code, name.removeprefix(ANSWERS))
            question_errors[field] = str(problem.message)
            continue
        field_name = FIELD_NAMES.get(name, name)
        if not form[field_name].errors:
            form[field_name].errors = [str(problem.message)]
    is_valid = is_read and not problems
    return EntryCheck(checked.draft if is_valid else None, question_errors)
