"""What the report form, the receipt and the status page say about a report's legal window.

The window itself is computed by portal.legal (one function, from the category's regime and
the date known); this module only turns it into the sentences a resident reads.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.clock import format_day, local_today
from portal.legal.queries import get_window
from portal.legal.windows import Window
from portal.reference.models import Category

OPEN, URGENT, CLOSED, NONE = "open", "urgent", "closed", "none"
IN_TIME, LATE = "in_time", "late"


@dataclass(frozen=True)
class WindowNotice:
    """A state (open, urgent, closed, none) and up to three sentences."""

    state: str
    text: str
    rule: str = ""
    advice: str = ""

    def as_json(self) -> dict[str, str]:
        return {"state": self.state, "text": self.text, "rule": self.rule, "advice": self.advice}


def form_notice(
    category: Category | None, learned_on: date | None, *, now: datetime
) -> WindowNotice | None:
    """The form's notice for a chosen category and date known; None until both are given."""
    if category is None:
        return None
    if category.regime is None or not category.regime.window_days:
        return WindowNotice(NONE, _("This kind of complaint has no legal reporting window."))
    if learned_on is None or learned_on > local_today(now):
        return None
    window = get_window(category.regime, learned_on, now=now)
    return notice_of(window) if window is not None else None


def notice_of(window: Window) -> WindowNotice:
    """The sentences for a window: when it closes, how it is counted, and what that means."""
    if window.is_closed:
        return WindowNotice(
            CLOSED,
            window.text(),
            window.rule(),
            _(
                "A report sent now can no longer be registered as a laporan. We still accept it "
                "as information (informasi awal): officers may use it to look into the matter "
                "themselves."
            ),
        )
    if window.is_urgent:
        advice = ngettext(
            "Only %(num)d day is left: send your report now so that it can still be a laporan.",
            "Only %(num)d days are left: send your report now so that it can still be a laporan.",
            window.days_left,
        )
        if window.days_left == 0:
            advice = _(
                "Today is the last day: send your report now so that it can still be a laporan."
            )
        return WindowNotice(URGENT, window.text(), window.rule(), advice)
    return WindowNotice(OPEN, window.text(), window.rule())


def received_notice(received_at: datetime, closes_at: datetime | None) -> WindowNotice | None:
    """Whether a filed report came within its window (receipt and status page)."""
    if closes_at is None:
        return None
    when = format_day(closes_at, "full")
    if received_at <= closes_at:
        return WindowNotice(
            IN_TIME,
            _("Sent within the legal reporting window, which ends on %(date)s.", date=when),
        )
    return WindowNotice(
        LATE,
        _(
            "Sent after the legal reporting window ended on %(date)s: it is received as "
            "information (informasi awal), not as a laporan.",
            date=when,
        ),
    )
