"""Forms of the officer side. Every POST form carries CSRF; case ids come from the URL only."""

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.cases.workflow import OUTCOME_LABELS, REASON_LABELS, STATUS_LABELS


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _optional_int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class VersionedForm(FlaskForm):
    """A form that changes the case: it carries the version of the case it was shown with."""

    version = HiddenField(validators=[InputRequired()])

    def expected_version(self) -> int | None:
        return _optional_int(self.version.data)


class StatusForm(VersionedForm):
    to = HiddenField(validators=[InputRequired()])
    reason = SelectField(
        _l("Reason"), choices=choices([("", "—"), *REASON_LABELS.items()]), validate_choice=False
    )
    reason_text = TextAreaField(
        _l("Explanation (shown to the reporters)"), validators=[Optional(), Length(max=4000)]
    )
    outcome = SelectField(
        _l("Outcome"), choices=choices([("", "—"), *OUTCOME_LABELS.items()]), validate_choice=False
    )
    summary = TextAreaField(
        _l(
            "Summary of the decision (shown to the reporters, and to the "
            "public if the case is published)"
        ),
        validators=[Optional(), Length(max=8000)],
    )
    submit = SubmitField(_l("Change status"))


class AssignForm(VersionedForm):
    assignee = SelectField(_l("Officer"), coerce=_optional_int, validators=[InputRequired()])
    submit = SubmitField(_l("Assign"))


class ClaimForm(FlaskForm):
    submit = SubmitField(_l("Take this case"))


class TakeOverForm(VersionedForm):
    submit = SubmitField(_l("Take over this case"))


class NoteForm(FlaskForm):
    # Distinct ids: the note, message and referral forms share one page and field name.
    body = TextAreaField(
        _l("Internal note (officers only)"),
        id="note-body",
        validators=[DataRequired(), Length(max=8000)],
    )
    submit = SubmitField(_l("Add note"))


class MessageForm(FlaskForm):
    report = SelectField(_l("Reporter"), coerce=int, validators=[InputRequired()])
    canned = SelectField(_l("Canned reply"), coerce=_optional_int, validate_choice=False)
    body = TextAreaField(
        _l("Message"), id="message-body", validators=[Optional(), Length(max=8000)]
    )
    wait_for_reply = BooleanField(_l("This is a question: set the case to “waiting for reporter”"))
    submit = SubmitField(_l("Send to reporter"))


class HandOverForm(FlaskForm):
    from_officer = SelectField(_l("From officer"), coerce=int, validators=[InputRequired()])
    to_officer = SelectField(_l("To officer"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Hand over all open cases"))


class QueueForm(FlaskForm):
    """The queue's filters (GET: no CSRF, unknown values ignored)."""

    class Meta:
        csrf = False

    tab = HiddenField(default="open")
    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    status = SelectField(
        _l("Status"),
        choices=choices([("", _l("Any")), *STATUS_LABELS.items()]),
        validate_choice=False,
    )
    category = SelectField(_l("Category"), coerce=_optional_int, validate_choice=False)
    region = SelectField(_l("Region"), coerce=_optional_int, validate_choice=False)
    team = SelectField(_l("Team"), coerce=_optional_int, validate_choice=False)
    assignee = SelectField(_l("Assignee"), coerce=_optional_int, validate_choice=False)
    overdue = BooleanField(_l("Overdue only"))
    min_reports = IntegerField(
        _l("Reported by at least"), validators=[Optional(), NumberRange(min=1, max=100000)]
    )
    sort = SelectField(
        _l("Sort"),
        choices=choices(
            [
                ("newest", _l("Newest first")),
                ("oldest", _l("Oldest first")),
                ("due", _l("Due soonest")),
                ("window", _l("Reporting window closing soonest")),
                ("reports", _l("Most reports")),
                ("priority", _l("Highest priority first")),
            ]
        ),
        validate_choice=False,
    )


class RoutingRuleForm(FlaskForm):
    category = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    region = SelectField(_l("Region"), coerce=_optional_int)
    team = SelectField(_l("Team"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Save rule"))


class CannedReplyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), coerce=_optional_int)
    status = SelectField(
        _l("Status"), choices=choices([("", _l("Any status")), *STATUS_LABELS.items()])
    )
    body_id = TextAreaField(_l("Text in Indonesian"), validators=[DataRequired(), Length(max=8000)])
    body_en = TextAreaField(_l("Text in English"), validators=[DataRequired(), Length(max=8000)])
    submit = SubmitField(_l("Save canned reply"))


class DeleteForm(FlaskForm):
    submit = SubmitField(_l("Delete"))
