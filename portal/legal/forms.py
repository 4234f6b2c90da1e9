"""Forms of the legal area: the regime editor and the days-off list."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

WORKING = _l("Count only working days (not weekends, public holidays or cuti bersama)")


def _days(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(min=1, max=365)])


class RegimeForm(FlaskForm):
    name_id = StringField(_l("Name (Indonesian)"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    window_days = _days(_l("Reporting window in days from the day the resident learned of it"))
    window_working_days = BooleanField(WORKING)
    completion_days = _days(_l("Days for the reporter to complete an incomplete laporan"))
    completion_working_days = BooleanField(WORKING)
    decision_days = _days(_l("Days for the decision after registration"))
    decision_working_days = BooleanField(WORKING)
    extended_decision_days = _days(_l("Longest time for the decision when extended, in days"))
    extended_decision_working_days = BooleanField(WORKING)
    basis = TextAreaField(_l("Legal basis (articles)"), validators=[Length(max=2000)])
    version = HiddenField(validators=[DataRequired()])


class DayOffForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Give the date."))])
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Name the day off.")), Length(max=200)]
    )


class RemoveDayOffForm(FlaskForm):
    """A remove button: only its CSRF token."""
