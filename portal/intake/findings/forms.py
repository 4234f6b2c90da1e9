"""Forms of staff intake: the staff entry (a finding or a report brought in), taking up a
resident's report as a finding."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.intake.drafts import REQUIRED
from portal.intake.findings.models import Channel
from portal.intake.forms import IdSelectField
from portal.intake.models import ContactVisibility

CHANNEL_LABELS = {
    Channel.CYBER_PATROL: _l("Cyber patrol finding"),
    Channel.FIELD: _l("Field finding"),
    Channel.WALK_IN: _l("Report brought to the office"),
    Channel.PHONE: _l("Report by phone"),
    Channel.LETTER: _l("Report by letter"),
    Channel.TAKEN_UP: _l("Resident's report taken up as a finding"),
}
FOUND_ON_REQUIRED = _l("Give the date it was found or received.")
NOTE_MAX = 2000


class CategoryStepForm(FlaskForm):
    """The first step: which kind of complaint (its questions come with the second)."""

    class Meta:
        csrf = False  # a GET that changes nothing

    kategori = IdSelectField(
        _l("Category"), coerce=int, validators=[InputRequired(REQUIRED["category"])]
    )


class StaffEntryForm(FlaskForm):
    """What staff enter for a finding or a report brought in; the report's own rules are
    intake.drafts.validate_draft()'s, as for every door."""

    channel = SelectField(
        _l("How it came in"),
        choices=[
            SelectChoice(c.value, CHANNEL_LABELS[c]) for c in Channel if c != Channel.TAKEN_UP
        ],
        validators=[InputRequired()],
    )
    officer = IdSelectField(
        _l("Finding officer"), coerce=int, validators=[InputRequired(_l("Choose the officer."))]
    )
    found_on = DateField(
        _l("Date found or received"), validators=[InputRequired(FOUND_ON_REQUIRED)]
    )
    category = HiddenField(validators=[InputRequired(REQUIRED["category"])])
    reported_party = StringField(
        _l("Who did it (institution, office or official)"),
        validators=[DataRequired(REQUIRED["reported_party"]), Length(max=300)],
    )
    region = IdSelectField(
        _l("Region (city or regency)"),
        coerce=int,
        validators=[InputRequired(REQUIRED["region"])],
    )
    incident_at = DateTimeLocalField(
        _l("When did it happen? (date and time, if known)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    description = TextAreaField(
        _l("What was found or reported"), validators=[DataRequired(REQUIRED["description"])]
    )
    screenshots = MultipleFileField(_l("Screenshots or photos"))
    links = TextAreaField(
        _l("Links to the post (one per line, up to 10)"), validators=[Length(max=20_000)]
    )
    visibility = RadioField(
        _l("The resident's contact details (walk-in, phone, letter)"),
        choices=[
            SelectChoice(ContactVisibility.ANONYMOUS.value, _l("Anonymous")),
            SelectChoice(ContactVisibility.CONFIDENTIAL.value, _l("Confidential")),
            SelectChoice(ContactVisibility.NAMED.value, _l("Named")),
        ],
        default=ContactVisibility.ANONYMOUS.value,
        validators=[InputRequired(REQUIRED["visibility"])],
    )
    contact_name = StringField(_l("Resident's name"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(_l("Resident's email"), validators=[Optional(), Length(max=254)])
    contact_phone = TelField(_l("Resident's phone"), validators=[Optional(), Length(max=40)])
    idempotency_key = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    submit = SubmitField(_l("Record"))


class TakeUpForm(FlaskForm):
    """Take one of the case's residents' reports up as the office's own finding."""

    report = IdSelectField(_l("Which report"), coerce=int, validators=[InputRequired()])
    officer = IdSelectField(
        _l("Finding officer"), coerce=int, validators=[InputRequired(_l("Choose the officer."))]
    )
    found_on = DateField(
        _l("Date found or received"), validators=[InputRequired(FOUND_ON_REQUIRED)]
    )
    note = TextAreaField(_l("Why (internal)"), validators=[Optional(), Length(max=NOTE_MAX)])
    submit = SubmitField(_l("Take up as a finding"))
