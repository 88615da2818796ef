"""Staff forms of the reporting pages (flask-wtf, CSRF-protected)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from .layouts import LAYOUTS

DESTINATION_CHOICES = [SelectChoice(key, layout.name) for key, layout in LAYOUTS.items()]


class ExportForm(FlaskForm):
    destination = SelectField("Destination", choices=DESTINATION_CHOICES, validators=[DataRequired()])
    include_all = BooleanField("Also re-send items already exported and not yet accepted")


class ResultsForm(FlaskForm):
    destination = SelectField("Destination", choices=DESTINATION_CHOICES, validators=[DataRequired()])
    file = FileField("Response file (CSV)", validators=[FileRequired("Choose the response file.")])


class MarkForm(FlaskForm):
    status = SelectField("Result", choices=[SelectChoice("accepted", "Accepted"), SelectChoice("rejected", "Rejected")],
                         validators=[DataRequired()])
    message = StringField("Message from the destination", validators=[Length(max=500)])

    def validate_message(self, field):
        if self.status.data == "rejected" and not (field.data or "").strip():
            raise ValidationError("Say why it was rejected: the learner reads this.")


class ConfirmForm(FlaskForm):
    """A button with nothing but the CSRF token."""
