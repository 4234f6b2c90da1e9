"""What the resident's data pages may POST (each with CSRF, like every form)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TelField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.intake.drafts import _is_email, _is_phone


class ContactForm(FlaskForm):
    """Her corrected contact details; an empty box removes that detail."""

    contact_name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(_l("Your email"), validators=[Optional(), Length(max=254)])
    contact_phone = TelField(_l("Your phone number"), validators=[Optional(), Length(max=40)])

    def validate_contact_email(self, field: EmailField) -> None:
        if field.data and not _is_email(field.data):
            raise ValidationError(
                _l("This email address is not valid. Check it, or leave it empty.")
            )

    def validate_contact_phone(self, field: TelField) -> None:
        if field.data and not _is_phone(field.data):
            raise ValidationError(_l("Use digits only, for example 0812 3456 7890."))


class EraseContactForm(FlaskForm):
    """Delete her contact details, once she confirmed she read what that means."""

    confirm = BooleanField(
        _l(
            "I understand: officers can no longer reach me, and a formal laporan needs my identity."
        ),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
