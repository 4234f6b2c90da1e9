"""The headings categories are grouped under on the report form, in the order shown."""

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.reference.data import GROUPS
from portal.reference.models import Category

GROUP_LABELS: dict[str, LazyString] = {
    "election": _l("Elections and campaigns"),
    "neutrality": _l("Civil-servant neutrality"),
    "service": _l("Public services"),
}


@dataclass(frozen=True)
class CategoryGroup:
    code: str
    label: str
    categories: tuple[Category, ...]


def group_choices() -> list[tuple[str, str]]:
    """(code, label) of every group, for the admins' select."""
    return [(code, str(GROUP_LABELS[code])) for code in GROUPS]


def group_categories(categories: list[Category]) -> list[CategoryGroup]:
    """The categories under their group headings; a group nobody uses is left out, and a
    category of an unknown group comes last under its own code."""
    codes = list(GROUPS) + sorted({c.group for c in categories} - set(GROUPS))
    groups = [
        CategoryGroup(
            code, str(GROUP_LABELS.get(code, code)), tuple(c for c in categories if c.group == code)
        )
        for code in codes
    ]
    return [g for g in groups if g.categories]
