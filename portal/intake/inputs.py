"""Reading the parts of a posted form that WTForms does not: category questions and files.

Nothing here decides whether a report is acceptable (that is intake.drafts); it only turns the
request into plain values, and touches neither the database nor the storage.
"""

import os
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from portal.reference.models import Category


def question_field_name(category_code: str, question_code: str) -> str:
    """The form field name of one category question (all categories share one form)."""
    return f"q-{category_code}-{question_code}"


def choice_label(choice: dict[str, Any], locale: str) -> str:
    """A select choice's label in the reporter's language."""
    return choice.get("label_en" if locale == "en" else "label_id") or choice["value"]


def read_answers(category: Category, formdata: MultiDict) -> dict[str, str]:
    """The answers given to the category's questions, by question code, as typed."""
    return {
        question["code"]: formdata.get(question_field_name(category.code, question["code"])) or ""
        for question in category.questions or []
    }


def chosen_files(storages: list[FileStorage]) -> list[FileStorage]:
    """The file parts that carry a file (browsers send an empty part when none is chosen)."""
    return [s for s in storages if s and s.filename]


def read_files(storages: list[FileStorage]) -> tuple[tuple[str, bytes], ...]:
    """Each chosen file as (its name without a path, its bytes); MAX_CONTENT_LENGTH bounds
    what a request may carry in all."""
    return tuple(
        (os.path.basename(storage.filename or "")[:255], storage.read())
        for storage in chosen_files(storages)
    )
