"""Words the reporter sees for case statuses and history entries, in both languages."""

from flask_babel import lazy_gettext as _l

from portal.cases.notifications import REPORTER_STATUS
from portal.cases.referrals.operations import BODY_LABELS
from portal.cases.workflow import OUTCOME_LABELS, REASON_LABELS
from portal.intake.queries import Decision

# The residents' words for statuses are the cases area's, so emails and pages agree.
STATUS_LABELS = REPORTER_STATUS

EVENT_LABELS = {
    "completion_requested": _l("Officers asked you to complete your laporan"),
    "laporan_completed": _l("You completed your laporan"),
    "laporan_registered": _l("Your laporan was registered"),
    "laporan_not_registrable": _l("Your laporan cannot be registered"),
    "created": _l("Case opened"),
    "report_attached": _l("Your report was added to the case"),
    "status_changed": _l("Status changed"),
    "assigned": _l("An officer was assigned"),
    "reporter_replied": _l("You replied"),
    "merged_from": _l("Combined with another case about the same matter"),
    "split_from": _l("Your report was moved to a case of its own"),
    "referred": _l("Referred to another authority"),
    "referral_answered": _l("The other authority answered"),
    "published": _l("Published on the transparency page"),
    "resolved": _l("Decision made"),
    "reopened": _l("Case reopened"),
    "erased": _l("Personal data was erased"),
    "contact_corrected": _l("You corrected your contact details"),
    "taken_up_as_finding": _l("The officers took your report up as their own finding"),
    "identity_granted": _l("An officer was allowed to see your identity"),
    "identity_refused": _l("A request to see your identity was refused"),
    "identity_viewed": _l("An officer looked at your identity"),
}

VISIBILITY_HELP = {
    "anonymous": _l(
        "Anonymous: we keep no name, email or phone number. If you filled them in, "
        "they are thrown away. You can still follow the report with your tracking "
        "code."
    ),
    "confidential": _l(
        "Confidential: only the officers handling your report can see your "
        "contact details, to ask you questions. They are never published."
    ),
    "named": _l(
        "Named: officers see your contact details, and your name may be mentioned "
        "when the case is handled. Your email and phone number are never published."
    ),
}


def status_label(status: str) -> str:
    """The reporter-facing words for a case status."""
    return str(STATUS_LABELS.get(status, status))


def event_label(kind: str) -> str:
    """The reporter-facing words for a history entry."""
    return str(EVENT_LABELS.get(kind, _l("Update")))


def timeline_label(kind: str, data: dict, *, opened_by_you: bool = True) -> str:
    """A history entry in the reporter's words, naming what the bare kind leaves out."""
    if kind == "created" and not opened_by_you:
        return str(_l("Case opened after another resident reported the same matter"))
    if kind in ("referred", "referral_answered") and data.get("body"):
        body = data.get("body_name") or str(BODY_LABELS.get(data["body"], data["body"]))
        if kind == "referred":
            return str(_l("Referred to %(body)s", body=body))
        return str(_l("%(body)s answered the referral", body=body))
    label = event_label(kind)
    if kind == "status_changed" and data.get("after"):
        return f"{label}: {status_label(data['after'])}"
    return label


def decision_label(decision: Decision) -> str:
    """The outcome (or the reason for not taking the case up) in the reporter's words."""
    if decision.outcome:
        return str(OUTCOME_LABELS.get(decision.outcome, decision.outcome))
    return (
        str(REASON_LABELS.get(decision.rejection_reason, "")) if decision.rejection_reason else ""
    )
