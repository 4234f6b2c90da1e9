"""What the publishing forms may carry: the public text, the review, and the redaction page's
rows of boxes (in the clean copy's pixels)."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.cases.publishing.operations import MAX_SUMMARY
from portal.evidence.images import MAX_BOXES, Box, BoxProblem, box_problems

PARTS = ("x", "y", "width", "height")
WHOLE = re.compile(r"-?\d{1,7}")
NOT_A_NUMBER = _l("Enter a whole number of pixels.")
NO_BOXES = _l("Enter at least one box, or draw one on the image.")
TOO_MANY = _l("At most %(max)s boxes per image.")


class PublishForm(FlaskForm):
    summary = TextAreaField(
        _l("Public summary"),
        id="publication-summary",
        validators=[DataRequired(), Length(max=MAX_SUMMARY)],
    )
    reported_party = StringField(
        _l("Reported party, as it may be published"), validators=[Optional(), Length(max=300)]
    )
    evidence = SelectMultipleField(
        _l("Evidence that may be shown publicly"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class ReviewForm(FlaskForm):
    note = StringField(_l("Note (internal)"), validators=[Optional(), Length(max=1000)])


class UnpublishForm(FlaskForm):
    reason = StringField(
        _l("Why is the case taken off the public site? (internal)"),
        validators=[DataRequired(), Length(max=1000)],
    )


class BoxRow(Form):
    x = StringField(_l("Left edge (x)"))
    y = StringField(_l("Top edge (y)"))
    width = StringField(_l("Width"))
    height = StringField(_l("Height"))


class RedactForm(FlaskForm):
    boxes = FieldList(FormField(BoxRow), min_entries=1, max_entries=MAX_BOXES + 20)
    more = SubmitField(_l("Add rows"))
    save = SubmitField(_l("Save the redacted copy"))
    count_error: str = ""

    def read_boxes(self, *, width: int, height: int) -> list[Box] | None:
        """The filled rows as boxes inside a width x height image, or None after putting an
        error by each bad number (empty rows are skipped)."""
        boxes, ok = [], True
        for row in self.boxes:
            values = {part: (row[part].data or "").strip() for part in PARTS}
            if not any(values.values()):
                continue
            numbers = {}
            for part, text in values.items():
                if WHOLE.fullmatch(text):
                    numbers[part] = int(text)
                else:
                    row[part].errors = [NOT_A_NUMBER]
                    ok = False
            if len(numbers) < len(PARTS):  # still say now whether an edge lies outside
                for part, side in (("x", width), ("y", height)):
                    if part in numbers and not 0 <= numbers[part] < side:
                        row[part].errors = [
                            BoxProblem(part, f"{part}_outside", {"max": side - 1}).message
                        ]
                continue
            box = Box(**numbers)
            for problem in box_problems(box, width=width, height=height):
                row[problem.field].errors = [problem.message]
                ok = False
            boxes.append(box)
        if ok and not boxes:
            self.count_error = str(NO_BOXES)
        elif len(boxes) > MAX_BOXES:
            self.count_error = TOO_MANY % {"max": MAX_BOXES}
        return boxes if ok and not self.count_error else None

    def pad(self, empty_rows: int) -> None:
        """At least `empty_rows` empty rows after the filled ones, for more boxes."""
        filled = sum(1 for row in self.boxes if any(row[p].data for p in PARTS))
        while len(self.boxes) < min(filled + empty_rows, self.boxes.max_entries or 0):
            self.boxes.append_entry()
