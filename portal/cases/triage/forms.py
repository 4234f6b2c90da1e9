"""Forms of triage: priority, category, transfer (choices are filled by the view)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.cases.forms import VersionedForm, _optional_int


class PriorityForm(VersionedForm):
    priority = SelectField(_l("Priority"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Set the priority"))


class CategoryForm(VersionedForm):
    category = SelectField(
        _l("Category"), coerce=_optional_int, validators=[InputRequired()], id="triage-category"
    )
    submit = SubmitField(_l("Change the category"))


class TransferForm(VersionedForm):
    team = SelectField(
        _l("Team or agency"), coerce=_optional_int, validators=[InputRequired()], id="triage-team"
    )
    reason = TextAreaField(
        _l("Why it goes there"),
        id="transfer-reason",
        validators=[DataRequired(_l("Say why the case goes to this team.")), Length(max=500)],
    )
    submit = SubmitField(_l("Transfer the case"))
