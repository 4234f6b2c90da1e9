"""Forms for referrals to outside bodies. Case ids come from the URL only."""

from collections.abc import Callable, Mapping
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.cases.referrals.asn import LIMITS, NIK_DIGITS, NIP_DIGITS, number_problem
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


def _digits(count: int) -> Callable[[FlaskForm, Field], None]:
    """A validator: the field is empty or a number of `count` digits."""

    def check(_form: FlaskForm, field: Field) -> None:
        problem = number_problem(field.data or "", count)
        if problem:
            raise ValidationError(problem)

    return check


class CivilServantForm(FlaskForm):
    """The civil servant a case is about, for BKN (the operation checks the same again)."""

    name = StringField(
        _l("Name of the civil servant"),
        id="asn-name",
        validators=[
            DataRequired(_l("Give the name of the civil servant.")),
            Length(max=LIMITS["name"]),
        ],
    )
    nip = StringField(
        _l("NIP (18 digits)"), id="asn-nip", validators=[Length(max=40), _digits(NIP_DIGITS)]
    )
    nik = StringField(
        _l("NIK (16 digits)"), id="asn-nik", validators=[Length(max=40), _digits(NIK_DIGITS)]
    )
    agency = StringField(
        _l("Agency (instansi)"), id="asn-agency", validators=[Length(max=LIMITS["agency"])]
    )
    position = StringField(
        _l("Position (jabatan)"), id="asn-position", validators=[Length(max=LIMITS["position"])]
    )
    chronology = TextAreaField(
        _l("Chronology"),
        id="asn-chronology",
        validators=[Length(max=LIMITS["chronology"])],
    )
    submit = SubmitField(_l("Save the civil servant's data"))
