"""Forms of the outcomes feature: the learner's follow-up answer and a director's review."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from catalog.dates import long_date

from .. import clock
from .operations import BODIES, IMPLEMENTED, PHASES, VERDICTS


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(k, v) for k, v in labels.items()]


class FollowUpForm(FlaskForm):
    implemented = RadioField("Did you make the change you planned?", choices=_choices(IMPLEMENTED),
                             validators=[InputRequired("Choose one answer.")])
    barriers = TextAreaField("What got in the way, if anything?", validators=[Optional(), Length(max=4000)])
    impact = TextAreaField("What difference did it make for patients or for the laboratory?",
                           validators=[Optional(), Length(max=4000)])


class ReviewForm(FlaskForm):
    body = SelectField("Who reviewed", choices=_choices(BODIES), validators=[DataRequired()])
    members = StringField("Names of those present", validators=[DataRequired("Name who took part."),
                                                                 Length(max=2000)])
    reviewed_on = DateField("Date of the review", validators=[InputRequired("Give the date (YYYY-MM-DD).")])
    phase = SelectField("Phase", choices=_choices(PHASES), validators=[DataRequired()])
    verdict = SelectField("Verdict", choices=_choices(VERDICTS), validators=[DataRequired()])
    changes = TextAreaField("Changes to make", validators=[Length(max=4000)])
    owners = StringField("Who owns the changes", validators=[Length(max=300)])
    rationale = TextAreaField("Rationale", validators=[DataRequired("Say why."), Length(max=4000)])

    def __init__(self, *args, activity_on=None, targets_performance: bool = True, **kw):
        """`activity_on`: the activity's first session date (local); a review cannot predate it.
        `targets_performance`: only such activities have follow-ups to review."""
        super().__init__(*args, **kw)
        self.activity_on = activity_on
        self.targets_performance = targets_performance

    def validate_reviewed_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError("A review cannot be dated in the future.")
        if field.data and self.activity_on and field.data < self.activity_on:
            raise ValidationError(f"A review cannot be dated before the activity took place "
                                  f"({long_date(self.activity_on)}).")

    def validate_phase(self, field):
        if field.data == "follow-up" and not self.targets_performance:
            raise ValidationError("This activity does not target performance, so it has no follow-ups "
                                  "to review: choose the competence phase.")

    def validate_changes(self, field):
        if self.verdict.data == "changes-needed" and not (field.data or "").strip():
            raise ValidationError("Describe the changes to make.")

    def validate_owners(self, field):
        if self.verdict.data == "changes-needed" and not (field.data or "").strip():
            raise ValidationError("Name who owns the changes.")
