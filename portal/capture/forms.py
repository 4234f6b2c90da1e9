"""Forms of the capture area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Length

MAX_CSV_BYTES = 1024 * 1024


class ImportForm(FlaskForm):
    """A CSV of official accounts."""

    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv"], _l("Only .csv files are accepted.")),
            FileSize(MAX_CSV_BYTES, message=_l("The file is larger than 1 MB.")),
        ],
    )


class RetryForm(FlaskForm):
    """ "Retry now" on one link of the case (the view checks it belongs to the case)."""

    url = HiddenField(validators=[DataRequired(), Length(max=2048)])


class DeleteForm(FlaskForm):
    """A button that changes state: only the CSRF token travels."""


PLATFORM_NAMES = (
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("x", "X (Twitter)"),
    ("tiktok", "TikTok"),
)


class SessionForm(FlaskForm):
    """A platform's browser session: the JSON file Playwright's storage_state writes."""

    platform = SelectField(
        _l("Platform"), choices=[SelectChoice(code, name) for code, name in PLATFORM_NAMES]
    )
    file = FileField(
        _l("Storage state (JSON)"),
        validators=[
            FileRequired(_l("Choose the storage-state file.")),
            FileAllowed(["json"], _l("Only .json files are accepted.")),
        ],
    )
