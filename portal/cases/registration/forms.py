"""Officer forms of registration. The case and the laporan come from the URL only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length

from portal.cases.registration.operations import REASON_MAX
from portal.cases.registration.requirements import COMPLETABLE, ITEMS


class CompletionRequestForm(FlaskForm):
    """Ask the resident to complete what is missing."""

    missing = SelectMultipleField(
        _l("What is missing"),
        choices=[SelectChoice(code, ITEMS[code][1]) for code in COMPLETABLE],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validators=[DataRequired(_l("Choose what the resident should complete."))],
    )
    note = TextAreaField(_l("Note to the resident (optional)"), validators=[Length(max=REASON_MAX)])


class RegisterForm(FlaskForm):
    """Register the laporan (a button)."""


class NotRegistrableForm(FlaskForm):
    """Close the laporan as not registrable, with the reason the resident reads."""

    reason = TextAreaField(
        _l("Why it cannot be registered (the resident reads this)"),
        validators=[
            DataRequired(_l("Say why the laporan cannot be registered.")),
            Length(max=REASON_MAX),
        ],
    )


class PatternForm(FlaskForm):
    """A team's registration number pattern."""

    pattern = StringField(
        _l("Registration number pattern"), validators=[DataRequired(), Length(max=200)]
    )
