"""The retention schedule as data: which kind of personal data goes how long after a case
ended how. Read from the `RETENTION_SCHEDULE` setting; the privacy notice is written from it."""

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

# Bump when the wording of the notice changes; a schedule change changes the version by itself.
NOTICE_TEXT_VERSION = "2026-12"
ENDED = ("resolved", "closed", "rejected")  # a rule starts counting when a case ends so


class Kind(enum.StrEnum):
    CONTACT = "contact"  # the reporter's name, email and phone (and identity data)
    MESSAGES = "messages"  # the texts of messages between officers and the reporter
    SCREENSHOTS = "screenshots"  # uploaded images: sealed original, clean copy, thumbnail


@dataclass(frozen=True)
class Rule:
    """Erase `kind` of each report `days` after its case became `status` (and, when
    `reason` is set, only when the case was rejected for that reason)."""

    kind: Kind
    status: str
    days: int
    reason: str | None = None


class ScheduleError(ValueError):
    """The RETENTION_SCHEDULE setting cannot be read: the message names the rule."""


def parse_schedule(entries: Iterable[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """The rules of a RETENTION_SCHEDULE setting, checked (raises ScheduleError)."""
    rules = []
    for n, entry in enumerate(entries, start=1):
        try:
            rule = Rule(
                kind=Kind(entry["kind"]),
                status=str(entry["status"]),
                days=int(entry["days"]),
                reason=entry.get("reason") or None,
            )
        except (KeyError, ValueError, TypeError) as err:
            raise ScheduleError(f"retention rule {n}: {err!r}") from None
        if rule.status not in ENDED or rule.days < 0:
            raise ScheduleError(f"retention rule {n}: status must be one of {ENDED}, days >= 0")
        rules.append(rule)
    return tuple(rules)


def notice_version(rules: Iterable[Rule]) -> str:
    """The version of the privacy notice these rules produce: text version + schedule digest."""
    body = json.dumps([asdict(r) for r in rules], sort_keys=True)
    return f"{NOTICE_TEXT_VERSION}.{hashlib.sha256(body.encode()).hexdigest()[:8]}"


def days_for(rules: Iterable[Rule], kind: Kind) -> list[Rule]:
    """The rules of one kind, shortest first (for the notice and the admin page)."""
    return sorted((r for r in rules if r.kind == kind), key=lambda r: (r.days, r.status))
