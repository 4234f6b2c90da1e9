"""Forms of two-step sign-in. Each lists its fields: nothing else in a POST is read."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

SIX_DIGITS = Regexp(r"^\s*(\d\s*){6}$", message=_l("Enter the 6 digits the app shows."))


class EnrolmentCodeForm(FlaskForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(), SIX_DIGITS])


class LoginCodeForm(FlaskForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(), SIX_DIGITS])


class RecoveryCodeForm(FlaskForm):
    recovery_code = StringField(
        _l("Recovery code"), validators=[DataRequired(), Length(min=10, max=32)]
    )


class PasswordConfirmForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])


class RolePolicyForm(FlaskForm):
    admin = BooleanField(_l("Admins"))
    supervisor = BooleanField(_l("Supervisors"))
    officer = BooleanField(_l("Officers"))
