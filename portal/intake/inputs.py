"""Checks of the report form that depend on the chosen category or on the upload limits.

They turn raw form data into plain values for submit_report() and collect messages that say
what to change; nothing here touches the database or the storage.
"""

import os
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict

from portal.evidence.links import LinkRejected, canonicalize_link


def question_field_name(category_code: str, question_code: str) -> str:
    """The form field name of one category question (all categories share one form)."""
    return f"q-{category_code}-{question_code}"


def question_label(question: dict[str, Any], locale: str) -> str:
    """A question's label in the reporter's language."""
    return question.get("label_en" if locale == "en" else "label_id") or question["code"]


def choice_label(choice: dict[str, Any], locale: str) -> str:
    """A select choice's label in the reporter's language."""
    return choice.get("label_en" if locale == "en" else "label_id") or choice["value"]


def collect_answers(
    category: Any, formdata: MultiDict, locale: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The chosen category's answers, and an error per field name for the ones that fail."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for question in category.questions or []:
        name = question_field_name(category.code, question["code"])
        value = (formdata.get(name) or "").strip()[:500]
        choices = {c["value"] for c in question.get("choices", [])}
        if question.get("type") == "select" and value and value not in choices:
            errors[name] = _("Choose one of the options.")
            continue
        if not value and question.get("required"):
            errors[name] = _("Please answer: %(label)s", label=question_label(question, locale))
            continue
        if value:
            answers[question["code"]] = value
    return answers, errors


@dataclass
class Uploads:
    """The files of one request: read into memory only when within the limits."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    error: str | None = None
    is_oversize: bool = False


def chosen_files(storages: list[FileStorage]) -> list[FileStorage]:
    """The file parts that carry a file (browsers send an empty part when none is chosen)."""
    return [s for s in storages if s and s.filename]


def read_uploads(
    storages: list[FileStorage], *, min_files: int, max_files: int, max_bytes: int
) -> Uploads:
    """Count and size checks before any image is decoded."""
    chosen = chosen_files(storages)
    if len(chosen) < min_files:
        return Uploads(error=_("Attach at least one screenshot or photo."))
    if len(chosen) > max_files:
        return Uploads(
            error=_(
                "You attached %(count)d files; at most %(max)d are allowed. "
                "Choose fewer screenshots.",
                count=len(chosen),
                max=max_files,
            )
        )
    mib = max_bytes // (1024 * 1024)
    uploads = Uploads()
    for storage in chosen:
        size = storage.stream.seek(0, os.SEEK_END)
        storage.stream.seek(0)
        name = os.path.basename(storage.filename or "")[:255]
        if size > max_bytes:
            return Uploads(
                is_oversize=True,
                error=_(
                    "“%(name)s” is %(size)s MiB; each file may be at most %(max)s MiB. "
                    "Make the screenshot smaller or choose another one.",
                    name=name,
                    size=round(size / (1024 * 1024), 1),
                    max=mib,
                ),
            )
        uploads.files.append((name, storage.read()))
    return uploads


def parse_links(text: str, *, max_links: int) -> tuple[list[str], str | None]:
    """The non-empty lines of the links box, each checked; an error names the bad line."""
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1)]
    lines = [(n, line) for n, line in lines if line]
    if len(lines) > max_links:
        return [], _(
            "You gave %(count)d links; at most %(max)d are allowed.",
            count=len(lines),
            max=max_links,
        )
    for number, line in lines:
        try:
            canonicalize_link(line)
        except LinkRejected as rejected:
            shown = line if len(line) <= 80 else line[:77] + "..."
            return [], _(
                "Line %(number)d (“%(link)s”): %(reason)s",
                number=number,
                link=shown,
                reason=rejected.message,
            )
    return [line for _n, line in lines], None
