"""The case page as a workspace: each report as a card (platform, account and answers in words,
each shown once) and the merged timeline of messages, notes and events. Pure helpers over rows
the page already loaded; page.detail_context passes their results to the templates."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from portal.cases.labels import label_text
from portal.cases.models import CaseEvent, Message
from portal.evidence.models import Evidence
from portal.intake.models import Report
from portal.reference.data import PLATFORMS

# Answers the card shows in its own line ("Instagram · @account"), never again in the list.
SHOWN_APART = ("platform", "account_handle")
PLATFORM_NAMES = {code: (name_id, name_en) for code, name_id, name_en in PLATFORMS}


def platform_name(code: str | None, locale: str) -> str | None:
    """'Instagram' for 'instagram', in the reader's language; an unknown code as given."""
    if not code:
        return None
    names = PLATFORM_NAMES.get(code.strip().lower())
    if names is None:
        return code
    return names[1] if locale == "en" else names[0]


def _in_words(question: dict[str, Any], value: Any, locale: str) -> str:
    """A select question's answer as its choice's label; any other answer as given."""
    key = "label_en" if locale == "en" else "label_id"
    for choice in question.get("choices") or []:
        if choice.get("value") == value:
            return str(choice.get(key) or value)
    return str(value)


def answers_in_words(report: Report, locale: str) -> list[tuple[str, str]]:
    """The report's answers to its category's questions as (question, answer) in words,
    without those the card shows apart."""
    key = "label_en" if locale == "en" else "label_id"
    questions = {q.get("code"): q for q in (report.category.questions or [])}
    rows = []
    for code, value in (report.answers or {}).items():
        if code in SHOWN_APART or value in (None, ""):
            continue
        question = questions.get(code, {})
        rows.append((str(question.get(key) or code), _in_words(question, value, locale)))
    return rows


@dataclass(frozen=True)
class Card:
    """What one report card shows."""

    report: Report
    label: str  # "Reporter B · 2 Dec 06.13 · confidential · email ✓"
    platform: str | None  # "Instagram"
    account: str | None
    answers: list[tuple[str, str]]
    files: list[Evidence]  # the report's own screenshots, not those of its messages


def report_cards(reports: Sequence[Report], locale: str) -> list[Card]:
    """A card per report, in the order given."""
    return [
        Card(
            report=report,
            label=label_text(report),
            platform=platform_name(report.platform, locale),
            account=report.reported_account,
            answers=answers_in_words(report, locale),
            files=[item for item in report.evidence if item.message_id is None],
        )
        for report in reports
    ]


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: a history event, with its message when it is one."""

    event: CaseEvent
    message: Message | None = None


def timeline(events: Sequence[CaseEvent], reports: Sequence[Report]) -> list[Entry]:
    """The history with each message's text and screenshots beside its event, oldest first."""
    messages = {m.id: m for report in reports for m in report.messages}
    return [Entry(event, messages.get((event.data or {}).get("message_id"))) for event in events]
