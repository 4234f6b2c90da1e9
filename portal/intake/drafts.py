"""A submission before it is filed, from whichever door it came in, and the one check of it.

The web form, Open311, the demo and the benchmarks all build a ReportDraft; validate_draft()
says what is wrong with it, field by field, in the words the web form shows. A door that has
its own words (Open311) maps the field and the problem's code to them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.clock import local_date, local_today
from portal.evidence.links import CanonicalLink, LinkRejected, canonicalize_link
from portal.intake.models import ContactVisibility
from portal.reference.models import Category, Region

DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 5000
ANSWER_MAX = 500
ANSWERS = "answers."  # problems with a category question are keyed "answers.<question code>"
PHONE_CHARACTERS = frozenset("0123456789+-() ")

REQUIRED = {
    "category": _l("Choose the kind of complaint."),
    "region": _l("Choose the city or regency."),
    "reported_party": _l("Say which institution, office or official did it."),
    "description": _l("Describe what happened."),
    "learned_on": _l("Give the date you found out."),
    "visibility": _l("Choose who may see your contact details."),
    "screenshots": _l("Attach at least one screenshot or photo."),
}
DESCRIPTION_LENGTH = _l(
    "The description must be %(min)d to %(max)d characters long.",
    min=DESCRIPTION_MIN,
    max=DESCRIPTION_MAX,
)
IN_THE_FUTURE = _l("This date is in the future.")


@dataclass(frozen=True)
class HeldFile:
    """An image already received and checked for this form (intake/uploads.py), by its id."""

    id: str
    filename: str
    size: int
    sha256: str  # of the bytes as uploaded


@dataclass(frozen=True)
class ReportDraft:
    """Everything one submission carries, before anything is stored."""

    category: Category | None
    region: Region | None
    reported_party: str
    description: str
    language: str
    answers: Mapping[str, str] = field(default_factory=dict)  # category question code -> answer
    links: tuple[str, ...] = ()  # as given, one per line; blank lines are skipped
    screenshots: tuple[tuple[str, bytes], ...] = ()  # (file name, bytes as uploaded)
    held: tuple[HeldFile, ...] = ()  # images received earlier for this form and session
    held_named: tuple[
        str, ...
    ] = ()  # the held ids the form carried (a second click names the same)
    incident_at: datetime | None = None
    learned_on: date | None = None
    visibility: str = ContactVisibility.ANONYMOUS
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    fears_retaliation: bool = False  # e.g. she works in the reported agency (cases/identity)
    latitude: float | None = None
    longitude: float | None = None
    notice_version: str | None = None  # the privacy notice shown with the form
    idempotency_key: str | None = None  # the web form's one-time key, or a trusted caller's own
    idempotency_session: str | None = None  # the secret of the browser session that sent the form
    # Set by validate_draft(), so that filing does not canonicalise the links a second time.
    canonical_links: tuple[CanonicalLink, ...] | None = None


@dataclass(frozen=True)
class DraftRules:
    """What one door asks of a submission beyond what every report needs."""

    max_files: int
    max_file_bytes: int
    max_links: int
    is_screenshot_required: bool = False
    is_learned_on_required: bool = False
    is_phone_digits_only: bool = False  # the web form's phone box; Open311's phone is free text


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a code for doors with their own words, and the message."""

    code: str  # required | length | choice | future | order | invalid | too_many | too_large
    message: LazyString


@dataclass(frozen=True)
class Checked:
    """A validated draft (answers cleaned, links canonical) and its problems by field name."""

    draft: ReportDraft
    problems: dict[str, Problem]

    @property
    def is_valid(self) -> bool:
        return not self.problems


def validate_draft(draft: ReportDraft, rules: DraftRules) -> Checked:
    """Every problem of a draft, by field, and the draft ready to file when there are none."""
    missing = {
        "category": draft.category is None,
        "region": draft.region is None,
        "reported_party": not draft.reported_party.strip(),
        "description": not draft.description.strip(),
    }
    problems = {name: Problem("required", REQUIRED[name]) for name, gone in missing.items() if gone}
    if "description" not in problems and not (
        DESCRIPTION_MIN <= len(draft.description) <= DESCRIPTION_MAX
    ):
        problems["description"] = Problem("length", DESCRIPTION_LENGTH)
    problems.update(_date_problems(draft, rules))
    answers, answer_problems = _answers(draft)
    problems.update(answer_problems)
    problems.update(_contact_problems(draft, rules))
    screenshots = check_screenshots(
        draft.screenshots,
        is_required=rules.is_screenshot_required,
        max_files=rules.max_files,
        max_bytes=rules.max_file_bytes,
        held=len(draft.held),
    )
    if screenshots is not None:
        problems["screenshots"] = screenshots
    links, link_problem = _canonical_links(draft.links, max_links=rules.max_links)
    if link_problem is not None:
        problems["links"] = link_problem
    checked = replace(draft, answers=answers, canonical_links=None if link_problem else links)
    return Checked(checked, problems)


def _date_problems(draft: ReportDraft, rules: DraftRules) -> dict[str, Problem]:
    problems: dict[str, Problem] = {}
    today = local_today()
    if draft.learned_on is None and rules.is_learned_on_required:
        problems["learned_on"] = Problem("required", REQUIRED["learned_on"])
    elif draft.learned_on is not None and draft.learned_on > today:
        problems["learned_on"] = Problem("future", IN_THE_FUTURE)
    if draft.incident_at is not None:
        incident_on = local_date(draft.incident_at)
        if incident_on > today:
            problems["incident_at"] = Problem("future", IN_THE_FUTURE)
        elif draft.learned_on is not None and incident_on > draft.learned_on:
            problems["incident_at"] = Problem(
                "order", _l("The incident cannot be after the day you found out about it.")
            )
    return problems


def question_label(question: dict[str, Any], locale: str) -> str:
    """A question's label in the reporter's language."""
    return question.get("label_en" if locale == "en" else "label_id") or question["code"]


def _answers(draft: ReportDraft) -> tuple[dict[str, str], dict[str, Problem]]:
    """The chosen category's answers, trimmed, and a problem per question that fails."""
    if draft.category is None:
        return dict(draft.answers), {}
    answers: dict[str, str] = {}
    problems: dict[str, Problem] = {}
    for question in draft.category.questions or []:
        code = question["code"]
        value = (draft.answers.get(code) or "").strip()[:ANSWER_MAX]
        choices = {c["value"] for c in question.get("choices", [])}
        if question.get("type") == "select" and value and value not in choices:
            problems[ANSWERS + code] = Problem("choice", _l("Choose one of the options."))
        elif not value and question.get("required"):
            label = question_label(question, draft.language)
            problems[ANSWERS + code] = Problem(
                "required", _l("Please answer: %(label)s", label=label)
            )
        elif value:
            answers[code] = value
    return answers, problems


def _contact_problems(draft: ReportDraft, rules: DraftRules) -> dict[str, Problem]:
    problems: dict[str, Problem] = {}
    if draft.visibility not in {v.value for v in ContactVisibility}:
        problems["visibility"] = Problem("choice", REQUIRED["visibility"])
    email = (draft.contact_email or "").strip()
    if email and not _is_email(draft.contact_email or ""):
        problems["contact_email"] = Problem(
            "invalid", _l("This email address is not valid. Check it, or leave it empty.")
        )
    phone = draft.contact_phone or ""
    if rules.is_phone_digits_only and phone.strip() and not _is_phone(phone):
        problems["contact_phone"] = Problem(
            "invalid", _l("Use digits only, for example 0812 3456 7890.")
        )
    return problems


def _is_phone(text: str) -> bool:
    return not set(text) - PHONE_CHARACTERS and sum(c.isdigit() for c in text) >= 6


def _is_email(text: str) -> bool:
    try:
        validate_email(text, check_deliverability=False, test_environment=current_app.testing)
    except EmailNotValidError:
        return False
    return True


def check_screenshots(
    files: tuple[tuple[str, bytes], ...] | list[tuple[str, bytes]],
    *,
    is_required: bool,
    max_files: int,
    max_bytes: int,
    held: int = 0,
) -> Problem | None:
    """Count and size of the uploaded files (with the `held` ones received earlier), checked
    before any image is decoded."""
    if not files and not held and is_required:
        return Problem("required", REQUIRED["screenshots"])
    if len(files) + held > max_files:
        return Problem(
            "too_many",
            _l(
                "You attached %(count)d files; at most %(max)d are allowed. "
                "Choose fewer screenshots.",
                count=len(files) + held,
                max=max_files,
            ),
        )
    for name, data in files:
        if len(data) > max_bytes:
            return Problem(
                "too_large",
                _l(
                    "“%(name)s” is %(size)s MiB; each file may be at most %(max)s MiB. "
                    "Make the screenshot smaller or choose another one.",
                    name=name,
                    size=round(len(data) / (1024 * 1024), 1),
                    max=max_bytes // (1024 * 1024),
                ),
            )
    return None


def _canonical_links(
    lines: tuple[str, ...], *, max_links: int
) -> tuple[tuple[CanonicalLink, ...], Problem | None]:
    """Each non-blank line in canonical form; a problem names the first bad line."""
    given = [(n, line.strip()) for n, line in enumerate(lines, start=1) if line.strip()]
    if len(given) > max_links:
        return (), Problem(
            "too_many",
            _l(
                "You gave %(count)d links; at most %(max)d are allowed.",
                count=len(given),
                max=max_links,
            ),
        )
    links = []
    for number, line in given:
        try:
            links.append(canonicalize_link(line))
        except LinkRejected as rejected:
            shown = line if len(line) <= 80 else line[:77] + "..."
            return (), Problem(
                "invalid",
                _l(
                    "Line %(number)d (“%(link)s”): %(reason)s",
                    number=number,
                    link=shown,
                    reason=rejected.message,
                ),
            )
    return tuple(links), None


def links_to_file(draft: ReportDraft) -> tuple[CanonicalLink, ...]:
    """The draft's links in canonical form: as validated, or (staff and demo drafts, which are
    filed without validation) canonicalised now; raises LinkRejected for a bad one."""
    if draft.canonical_links is not None:
        return draft.canonical_links
    return tuple(canonicalize_link(line) for line in draft.links if line.strip())
