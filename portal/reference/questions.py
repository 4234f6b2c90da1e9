"""Checking a category's extra questions, as admins write them in JSON."""

import json
import re
from typing import Any

from flask_babel import lazy_gettext as _l

CODE = re.compile(r"^[a-z0-9_]{1,40}$")
TYPES = ("text", "select")
QUESTION_KEYS = {"code", "type", "label_id", "label_en", "required", "choices"}
CHOICE_KEYS = {"value", "label_id", "label_en"}


class QuestionsError(ValueError):
    """The questions text is not valid JSON or does not follow the schema."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def parse_questions(text: str) -> list[dict[str, Any]]:
    """The questions in `text` (a JSON list), checked; raises QuestionsError naming each fault."""
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise QuestionsError(
            [
                str(
                    _l(
                        "Not valid JSON (line %(line)s, column %(col)s): %(msg)s",
                        line=err.lineno,
                        col=err.colno,
                        msg=err.msg,
                    )
                )
            ]
        ) from None
    if not isinstance(data, list):
        raise QuestionsError([str(_l("The questions must be a JSON list: [ {...}, {...} ]."))])
    errors: list[str] = []
    codes: set[str] = set()
    for number, question in enumerate(data, start=1):
        errors += [
            str(_l("Question %(n)s: %(problem)s", n=number, problem=problem))
            for problem in _question_problems(question, codes)
        ]
    if errors:
        raise QuestionsError(errors)
    return data


def _question_problems(question: Any, codes: set[str]) -> list[str]:
    """What is wrong with one question (empty when nothing is)."""
    if not isinstance(question, dict):
        return [str(_l("must be an object with code, type, label_id, label_en and required."))]
    problems = [
        str(_l("unknown key %(key)s.", key=key)) for key in sorted(set(question) - QUESTION_KEYS)
    ]
    code = question.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        problems.append(str(_l("code must be 1-40 characters of a-z, 0-9 and _.")))
    elif code in codes:
        problems.append(str(_l("code %(code)s is used twice.", code=code)))
    else:
        codes.add(code)
    if question.get("type") not in TYPES:
        problems.append(str(_l('type must be "text" or "select".')))
    for key in ("label_id", "label_en"):
        if not isinstance(question.get(key), str) or not question[key].strip():
            problems.append(str(_l("%(key)s must be a non-empty text.", key=key)))
    if not isinstance(question.get("required"), bool):
        problems.append(str(_l("required must be true or false.")))
    if question.get("type") == "select":
        problems += _choice_problems(question.get("choices"))
    elif "choices" in question:
        problems.append(str(_l('only questions of type "select" have choices.')))
    return problems


def _choice_problems(choices: Any) -> list[str]:
    """What is wrong with a select question's choices."""
    if not isinstance(choices, list) or not choices:
        return [str(_l("a select question needs a non-empty list of choices."))]
    values = [c.get("value") for c in choices if isinstance(c, dict)]
    ok = all(
        isinstance(c, dict)
        and set(c) == CHOICE_KEYS
        and all(isinstance(c[k], str) and c[k].strip() for k in CHOICE_KEYS)
        for c in choices
    )
    if not ok:
        return [str(_l("each choice needs exactly value, label_id and label_en, all texts."))]
    if len(set(values)) != len(values):
        return [str(_l("two choices have the same value."))]
    return []


def format_questions(questions: list[dict[str, Any]] | None) -> str:
    """The questions as indented JSON for the edit form."""
    return json.dumps(questions or [], indent=2, ensure_ascii=False)
