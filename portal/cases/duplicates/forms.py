"""Forms for duplicates, merges and splits. Case ids come from the URL only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class MergeByReferenceForm(FlaskForm):
    reference = StringField(
        _l("Reference of the case to merge into this one"),
        validators=[DataRequired(), Length(max=32)],
    )
    submit = SubmitField(_l("Merge into this case"))
