"""Forms for referrals to outside bodies. Case ids come from the URL only."""

from collections.abc import Mapping
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.cases.referrals.operations import BODY_LABELS, SANCTION_LABELS

Key = TypeVar("Key", bound=str)


def _choices(labels: Mapping[Key, object]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class ReferralForm(FlaskForm):
    body = SelectField(
        _l("Referred to"),
        choices=_choices(BODY_LABELS),
        id="referral-body",
        validators=[DataRequired()],
    )
    body_name = StringField(
        _l("Name or office of the body (e.g. BKN Kantor Regional VII)"),
        validators=[Optional(), Length(max=200)],
    )
    reference_number = StringField(
        _l("Their reference number"), validators=[Optional(), Length(max=100)]
    )
    referred_on = DateField(_l("Referred on"), validators=[DataRequired()])
    due_on = DateField(_l("Answer due by"), validators=[Optional()])
    submit = SubmitField(_l("Record referral"))


class ReferralOutcomeForm(FlaskForm):
    outcome = TextAreaField(
        _l("What the body decided"), validators=[DataRequired(), Length(max=4000)]
    )
    sanction_applied = SelectField(
        _l("Was a sanction applied?"),
        choices=_choices(SANCTION_LABELS),
        validators=[DataRequired()],
    )
    sanction = TextAreaField(_l("Sanction (if any)"), validators=[Optional(), Length(max=2000)])
    answered_on = DateField(_l("Answered on"), validators=[DataRequired()])
    submit = SubmitField(_l("Record answer"))
