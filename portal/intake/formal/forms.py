"""The formal laporan part of the report form (prefix `formal-`), and the completion form of
the status page. What makes the answers acceptable is decided by intake.formal.drafts."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

TOO_LONG = _l("At most %(max)d characters.")
MAX_WITNESSES = 10  # rows read from a post; more are ignored


def limit(size: int) -> Length:
    return Length(max=size, message=TOO_LONG)


class WitnessForm(Form):
    """One witness row (a plain Form: the enclosing form carries the CSRF token)."""

    name = StringField(_l("Witness's name"), validators=[limit(200)])
    address = StringField(_l("Witness's address"), validators=[limit(500)])
    phone = TelField(_l("Witness's phone"), validators=[limit(40)])


class IdentityFields(FlaskForm):
    """The reporter's identity, as the laporan form asks for it."""

    full_name = StringField(_l("Full name (as on your ID card)"), validators=[limit(200)])
    nik = StringField(_l("NIK (16 digits, on your ID card)"), validators=[limit(40)])
    birth_place = StringField(_l("Place of birth"), validators=[limit(100)])
    birth_date = DateField(
        _l("Date of birth"),
        validators=[Optional()],
        render_kw={"autocomplete": "bday"},
    )
    sex = SelectField(
        _l("Sex"),
        choices=[
            SelectChoice("", _l("— choose —")),
            SelectChoice("L", _l("Male")),
            SelectChoice("P", _l("Female")),
        ],
        validate_choice=False,
    )
    occupation = StringField(_l("Occupation"), validators=[limit(100)])
    nationality = StringField(_l("Nationality"), validators=[limit(60)], default="Indonesia")
    address = TextAreaField(_l("Address"), validators=[limit(500)])
    phone = TelField(_l("Phone number"), validators=[limit(40)])
    email = EmailField(_l("Email"), validators=[limit(254)])
    id_card = FileField(_l("Photo of your ID card (KTP)"))
    id_card_held = HiddenField(validators=[limit(32)])  # the photo kept after a refusal


class PartyFields(FlaskForm):
    """The reported party and the place of the event."""

    party_name = StringField(_l("Name of the reported party"), validators=[limit(200)])
    party_address = TextAreaField(_l("Address of the reported party"), validators=[limit(500)])
    party_phone = TelField(_l("Phone of the reported party (if known)"), validators=[limit(40)])
    is_civil_servant = BooleanField(_l("The reported party is a civil servant (ASN)"))
    party_nip = StringField(_l("NIP (18 digits, if known)"), validators=[limit(40)])
    party_agency = StringField(_l("Agency"), validators=[limit(300)])
    party_position = StringField(_l("Position"), validators=[limit(200)])
    party_ppk = StringField(
        _l("Official who may impose sanctions (PPK), if known"), validators=[limit(300)]
    )
    event_place = StringField(_l("Where did it happen?"), validators=[limit(500)])


class FormalForm(IdentityFields, PartyFields):
    """The whole formal part of the report form."""

    class Meta:
        csrf = False  # the report form checks its own token

    is_formal = BooleanField(_l("Handle my report as a formal laporan to Bawaslu"))
    witnesses = FieldList(FormField(WitnessForm), min_entries=1, max_entries=MAX_WITNESSES)


class CompletionForm(FormalForm):
    """What the resident adds on the status page when officers ask her to complete it."""

    class Meta:
        @property
        def csrf(self) -> bool:  # as every form of the site (FormalForm turns it off)
            return bool(current_app.config.get("WTF_CSRF_ENABLED", True))

    incident_at = DateTimeLocalField(
        _l("When did it happen? (date and time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
