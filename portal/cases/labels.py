"""Reporter labels: "Pelapor B" names one report of a case for good.

The rule: a report gets a label the first time it enters a case (filed, merged in, split
out) and keeps it in that case for ever. A label, once given in a case, is never given to
another report there, even after its report left. A report that enters a case it was in
before (a merge undone) gets its old label back there. A report entering a new case keeps
its letter when that letter was never used in the new case, else takes the first free one;
the move's history event records the old and the new label."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.cases.models import ReportLabel
from portal.db import db
from portal.intake.models import ContactVisibility, Report


def letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, 27 -> AB (spreadsheet columns)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _first_free(used: set[str], preferred: str | None) -> str:
    if preferred and preferred not in used:
        return preferred
    index = 0
    while letters(index) in used:
        index += 1
    return letters(index)


def assign_label(report: Report, case_id: int) -> str:
    """The report's label in the case it now enters, given once and kept (flushes)."""
    held = db.session.execute(
        sa.select(ReportLabel.report_id, ReportLabel.label).where(ReportLabel.case_id == case_id)
    ).all()
    mine = next((row.label for row in held if row.report_id == report.id), None)
    if mine is None:
        mine = _first_free({row.label for row in held}, report.label)
        db.session.add(ReportLabel(case_id=case_id, report_id=report.id, label=mine))
    report.label = mine
    db.session.flush()
    return mine


VISIBILITY_WORDS: dict[str, Any] = {
    ContactVisibility.ANONYMOUS: _l("anonymous"),
    ContactVisibility.CONFIDENTIAL: _l("confidential"),
    ContactVisibility.NAMED: _l("named"),
}


def label_text(report: Report) -> str:
    """'Reporter B · 2 Dec 06.13 · confidential · email ✓' in the install's time zone.

    Kept for the request: the case page shows each report's label in several places."""
    key = (
        report.id,
        report.label,
        report.created_at,
        report.visibility,
        bool(report.contact_email),
        str(get_locale()),
    )
    kept = g.setdefault("report_label_texts", {}) if has_request_context() else {}
    text = kept.get(key)
    if text is None:
        text = kept[key] = _label_text(report)
    return text


def _label_text(report: Report) -> str:
    visibility = VISIBILITY_WORDS.get(report.visibility, report.visibility)
    email = _("email ✓") if report.contact_email else _("no email")
    return " · ".join(
        [
            _("Reporter %(label)s", label=report.label or "?"),
            short_time(report.created_at),
            str(visibility),
            email,
        ]
    )


def short_time(at: datetime) -> str:
    """'2 Des 06.13': day, short month and time of day, in the install's time zone."""
    return f"{format_date(at, 'd MMM')} {format_time(at, 'short')}"
