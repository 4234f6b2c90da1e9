"""Forms of the accounts area. Each lists its fields: nothing else in a POST is read."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
    Regexp,
)

from portal.accounts.models import Role

ROLE_CHOICES = [
    SelectChoice(Role.OFFICER.value, _l("Officer")),
    SelectChoice(Role.SUPERVISOR.value, _l("Supervisor")),
    SelectChoice(Role.ADMIN.value, _l("Admin")),
]
NEW_PASSWORD = [DataRequired(), Length(max=256)]
# A plain shape check: staff work at agencies with all kinds of (internal) mail domains.
EMAIL_SHAPE = Regexp(
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address such as nama@bawaslu.go.id.")
)
STAFF_EMAIL = [DataRequired(), EMAIL_SHAPE, Length(max=254)]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=NEW_PASSWORD)
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords differ.")),
        ],
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])


class UserCreateForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=STAFF_EMAIL)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    team_id = SelectField(_l("Team"), coerce=int)
    password = PasswordField(_l("Initial password"), validators=NEW_PASSWORD)


class UserEditForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=STAFF_EMAIL)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    team_id = SelectField(_l("Team"), coerce=int)
    is_active = BooleanField(_l("Active (may log in)"))
    version = HiddenField(validators=[DataRequired()])


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=NEW_PASSWORD)


class TeamForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name (for addresses and the command line)"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$",
                message=_l("Use a-z, 0-9 and -, e.g. bawaslu-lubuklinggau."),
            ),
        ],
    )
    email = EmailField(
        _l("Team email address"), validators=[Optional(), EMAIL_SHAPE, Length(max=254)]
    )
    is_active = BooleanField(_l("Active"), default=True)
    version = HiddenField()
