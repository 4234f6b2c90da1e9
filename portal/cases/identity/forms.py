"""Forms of identity custody and the at-risk flag (choices are filled by the view)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from portal.cases.forms import _optional_int


class IdentityRequestForm(FlaskForm):
    reason = TextAreaField(
        _l("Why you need the reporter's identity"),
        id="identity-reason",
        validators=[
            DataRequired(_l("Say why you need the reporter's identity.")),
            Length(max=2000),
        ],
    )
    submit = SubmitField(_l("Ask a custodian"))


class DecisionForm(FlaskForm):
    decision = HiddenField(validators=[AnyOf(["approve", "refuse"])])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class ShowIdentityForm(FlaskForm):
    submit = SubmitField(_l("Show the identity (recorded)"))


class RiskForm(FlaskForm):
    is_at_risk = HiddenField(validators=[AnyOf(["1", "0"])])


class CustodianForm(FlaskForm):
    user = SelectField(_l("Staff member"), coerce=_optional_int, validators=[InputRequired()])
    team = SelectField(_l("Cases of"), coerce=int)
    submit = SubmitField(_l("Appoint as custodian"))
