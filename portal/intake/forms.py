"""Forms of the public intake side: the report form, the tracking code, the reply."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
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
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from portal.intake.models import ContactVisibility

DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 5000
REPLY_MAX = 3000


class ReportForm(FlaskForm):
    """The resident's report. Category questions, files and links are checked in the view
    helpers (intake.answers), which know the chosen category and the upload limits."""

    category = SelectField(
        _l("Category"), coerce=int, validators=[InputRequired(_l("Choose the kind of complaint."))]
    )
    reported_party = StringField(
        _l("Who did it (institution, office or official)"),
        validators=[
            DataRequired(_l("Say which institution, office or official did it.")),
            Length(max=300),
        ],
    )
    region = SelectField(
        _l("Region (city or regency)"),
        coerce=int,
        validators=[InputRequired(_l("Choose the city or regency."))],
    )
    incident_at = DateTimeLocalField(
        _l("When did it happen? (date and time, if known)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    learned_on = DateField(
        _l("When did you find out about it?"),
        validators=[InputRequired(_l("Give the date you found out."))],
    )
    description = TextAreaField(
        _l("What happened?"),
        validators=[
            DataRequired(_l("Describe what happened.")),
            Length(
                min=DESCRIPTION_MIN,
                max=DESCRIPTION_MAX,
                message=_l("The description must be %(min)d to %(max)d characters long."),
            ),
        ],
    )
    screenshots = MultipleFileField(_l("Screenshots or photos (1 to 10)"))
    links = TextAreaField(
        _l("Links to the post (one per line, up to 10)"), validators=[Length(max=20_000)]
    )
    visibility = RadioField(
        _l("Who may see your name and contact details?"),
        choices=[
            SelectChoice(ContactVisibility.ANONYMOUS.value, _l("Anonymous")),
            SelectChoice(ContactVisibility.CONFIDENTIAL.value, _l("Confidential")),
            SelectChoice(ContactVisibility.NAMED.value, _l("Named")),
        ],
        default=ContactVisibility.ANONYMOUS.value,
        validators=[InputRequired(_l("Choose who may see your contact details."))],
    )
    contact_name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(
        _l("Your email"),
        validators=[
            Optional(),
            Length(max=254),
            Email(_l("This email address is not valid. Check it, or leave it empty.")),
        ],
    )
    contact_phone = TelField(_l("Your phone number"), validators=[Optional(), Length(max=40)])
    idempotency_key = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    # Honeypot: hidden from people by CSS, aria-hidden and tabindex; bots fill it in.
    website = StringField(_l("Leave this field empty"))

    def validate_learned_on(self, field: DateField) -> None:
        if field.data and field.data > local_today():
            raise ValidationError(_l("This date is in the future."))

    def validate_incident_at(self, field: DateTimeLocalField) -> None:
        if not field.data:
            return
        if field.data.date() > local_today():
            raise ValidationError(_l("This date is in the future."))
        learned = self.learned_on.data
        if learned and field.data.date() > learned:
            raise ValidationError(
                _l("The incident cannot be after the day you found out about it.")
            )

    def validate_contact_phone(self, field: TelField) -> None:
        allowed = set("0123456789+-() ")
        if field.data and (set(field.data) - allowed or sum(c.isdigit() for c in field.data) < 6):
            raise ValidationError(_l("Use digits only, for example 0812 3456 7890."))


class TrackForm(FlaskForm):
    """The tracking code, typed as the reporter wrote it down."""

    code = StringField(
        _l("Tracking code"),
        validators=[DataRequired(_l("Enter your tracking code.")), Length(max=64)],
    )


class ReplyForm(FlaskForm):
    """The reporter's answer on the status page: text and/or more screenshots."""

    body = TextAreaField(_l("Your reply"), validators=[Length(max=REPLY_MAX)])
    screenshots = MultipleFileField(_l("Add screenshots (optional)"))


class ForgetForm(FlaskForm):
    """The 'forget this report on this device' button (a POST with CSRF)."""


def local_today() -> date:
    """Today in the portal's time zone (residents think in local dates)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
