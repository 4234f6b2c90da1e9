"""What the privacy area's staff POSTs may carry."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class LegalHoldForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the legal hold"),
        validators=[
            DataRequired(_l("Give the reason for the legal hold.")),
            Length(min=10, max=2000, message=_l("Write between 10 and 2000 characters.")),
        ],
    )
    submit = SubmitField(_l("Place a legal hold"))


class LiftHoldForm(FlaskForm):
    submit = SubmitField(_l("Lift the legal hold"))
