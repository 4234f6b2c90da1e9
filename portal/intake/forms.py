"""Forms of the public intake side: the report form, the tracking code, the reply."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
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
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.intake.drafts import DESCRIPTION_MIN, REQUIRED
from portal.intake.models import ContactVisibility
from portal.privacy.queries import current_notice_version

REPLY_MAX = 3000


class IdSelectField(SelectField):
    """A select of database ids whose placeholder (id 0) is sent as an empty value, so the
    browser's `required` check and the server's InputRequired both see "nothing chosen"."""

    def iter_choices(self) -> list:
        return [c._replace(value="") if c.value == 0 else c for c in super().iter_choices()]


class ReportForm(FlaskForm):
    """The resident's report, as the page shows and the request carries it.

    The form reads the request: whether each required box was sent (which also marks it
    required on the page), values of the right type, boxes within their sizes. What makes a
    report acceptable is decided by intake.drafts.validate_draft(), for every door alike.
    """

    # Shown as radio cards under group headings (templates/intake/_category.html).
    category = RadioField(
        _l("Category"), coerce=int, validators=[InputRequired(REQUIRED["category"])]
    )
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
    learned_on = DateField(
        _l("When did you find out about it?"),
        validators=[InputRequired(REQUIRED["learned_on"])],
    )
    description = TextAreaField(
        _l("What happened?"),
        validators=[DataRequired(REQUIRED["description"])],
        render_kw={"minlength": DESCRIPTION_MIN},  # the page sets maxlength
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
        validators=[InputRequired(REQUIRED["visibility"])],
    )
    contact_name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(_l("Your email"), validators=[Optional(), Length(max=254)])
    contact_phone = TelField(_l("Your phone number"), validators=[Optional(), Length(max=40)])
    fears_retaliation = BooleanField(_l("I fear retaliation for this report"))
    idempotency_key = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    # The privacy notice the form was shown with (kept as sent when a refused form comes back).
    notice_version = HiddenField(default=current_notice_version)
    # Honeypot: hidden from people by CSS, aria-hidden and tabindex; bots fill it in.
    website = StringField(_l("Leave this field empty"))


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
