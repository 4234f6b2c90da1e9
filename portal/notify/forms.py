"""Forms of the notify area."""

from flask_wtf import FlaskForm


class RetryForm(FlaskForm):
    """A button that changes state: only the CSRF token travels."""
