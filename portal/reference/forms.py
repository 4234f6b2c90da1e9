"""Forms of the reference area: the admins' category editor."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class CategoryForm(FlaskForm):
    name_id = StringField(_l("Name (Indonesian)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    description_id = TextAreaField(_l("Description (Indonesian)"), validators=[Length(max=2000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=2000)])
    example_id = TextAreaField(_l("Example (Indonesian)"), validators=[Length(max=2000)])
    example_en = TextAreaField(_l("Example (English)"), validators=[Length(max=2000)])
    group = SelectField(_l("Group on the report form"), validators=[InputRequired()])
    deadline_days = IntegerField(
        _l("Deadline in days"), validators=[InputRequired(), NumberRange(min=1, max=365)]
    )
    deadline_working_days = BooleanField(_l("Count only working days (Monday to Friday)"))
    regime_id = SelectField(_l("Legal regime"), coerce=int)
    default_team_id = SelectField(_l("Default team"), coerce=int)
    is_active = BooleanField(_l("Open for new reports"))
    questions = TextAreaField(_l("Extra questions (JSON)"))
    version = HiddenField(validators=[DataRequired()])
