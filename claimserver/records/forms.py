"""Records forms: the evaluation (built per activity), the credit claim and the transcript filter."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from catalog.statements import CLAIM_ATTESTATION

SCALE = [SelectChoice(str(i), str(i)) for i in range(1, 6)]
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
MET = [SelectChoice("yes", "Yes"), SelectChoice("partly", "Partly"), SelectChoice("no", "No")]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def evaluation_form(model, formdata=None) -> FlaskForm:
    """Competence questions (case vignettes), objectives met, ratings, bias and commitment to change."""

    class EvaluationForm(FlaskForm):
        relevance = RadioField("How relevant was the activity to your practice? (1 = not at all, 5 = very)",
                               choices=SCALE, validators=[InputRequired("Choose a rating from 1 to 5.")])
        quality = RadioField("How would you rate the quality of the content and faculty? (1–5)",
                             choices=SCALE, validators=[InputRequired("Choose a rating from 1 to 5.")])
        satisfaction = RadioField("Overall, how satisfied are you with the activity? (1–5)",
                                  choices=SCALE, validators=[InputRequired("Choose a rating from 1 to 5.")])
        bias_free = RadioField("Was the content free of commercial bias?", choices=YES_NO,
                               validators=[InputRequired("Answer yes or no.")])
        bias_comment = TextAreaField("If not, please describe the bias you saw",
                                     validators=[Length(max=4000)])
        commitment = TextAreaField("What will you do differently in your practice?", filters=[_strip],
                                   validators=[DataRequired("Tell us what you will do differently, "
                                                             "or write “nothing” if no change applies."),
                                               Length(max=4000)])
        intends_change = RadioField("Do you intend to make a change in your practice as a result?",
                                    choices=YES_NO, validators=[InputRequired("Answer yes or no.")])
        comments = TextAreaField("Other comments (optional)", validators=[Optional(), Length(max=4000)])

        def validate_bias_comment(self, field):
            if self.bias_free.data == "no" and not (field.data or "").strip():
                raise ValidationError("Please describe the commercial bias you saw.")

    # Journal and on-demand activities: the post-test is the competence measure, never asked twice.
    asked = () if model.is_home_study else model.questions
    for i, q in enumerate(asked):
        setattr(EvaluationForm, f"q{i}", RadioField(
            q.question, choices=[SelectChoice(str(j), c) for j, c in enumerate(q.choices)],
            validators=[InputRequired("Choose an answer.")]))
    for i, objective in enumerate(model.objectives):
        setattr(EvaluationForm, f"o{i}", RadioField(
            objective, choices=MET, validators=[InputRequired("Say whether this objective was met.")]))
    form = EvaluationForm(formdata=formdata) if formdata is not None else EvaluationForm()
    form.question_fields = [(form[f"q{i}"], q) for i, q in enumerate(asked)]
    form.objective_fields = [form[f"o{i}"] for i in range(len(model.objectives))]
    return form


def evaluation_data(form, model) -> dict:
    """The evaluation's values from a validated form."""
    return dict(
        answers=[int(f.data) for f, _ in form.question_fields],
        objectives_met=[form[f"o{i}"].data for i in range(len(model.objectives))],
        relevance=int(form.relevance.data), quality=int(form.quality.data),
        satisfaction=int(form.satisfaction.data), bias_free=form.bias_free.data == "yes",
        bias_comment=(form.bias_comment.data or "").strip(),
        commitment=(form.commitment.data or "").strip(),
        intends_change=form.intends_change.data == "yes",
        comments=(form.comments.data or "").strip(),
    )


ASCII_DIGITS = frozenset("0123456789")


def parse_hours(text: str | None) -> Decimal | None:
    """'1.5' -> Decimal('1.5'): ASCII digits with at most one decimal point (a comma counts as one);
    anything else (fullwidth or other scripts' digits, signs, exponents) -> None. Never float."""
    t = (text or "").strip().replace(",", ".")
    if (not t or len(t) > 12 or t.count(".") > 1 or not any(c in ASCII_DIGITS for c in t)
            or not all(c in ASCII_DIGITS or c == "." for c in t)):
        return None
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


class ClaimForm(FlaskForm):
    """The credit type is chosen from the offers and the hours parsed; whether the amount may be
    claimed (maximum, increment) is the claim operation's decision (`operations.check_hours`)."""

    credit = RadioField("Credit type", validators=[InputRequired("Choose the credit you are claiming.")])
    hours = StringField("Hours claimed", validators=[InputRequired("Enter the hours you are claiming.")])
    # DataRequired: the box's value must be true; a posted "false" or "" is not an attestation
    attest = BooleanField(CLAIM_ATTESTATION,
                          validators=[DataRequired("Tick the attestation to claim credit.")])

    def __init__(self, offers, *a, **kw):
        super().__init__(*a, **kw)
        self.offers = {o.key: o for o in offers}
        self.credit.choices = [SelectChoice(o.key, o.label) for o in offers]
        if len(offers) == 1 and not self.credit.data:
            self.credit.data = offers[0].key
        self.amount: Decimal | None = None

    def validate_hours(self, field):
        hours = parse_hours(field.data)
        if hours is None:
            raise ValidationError("Enter the hours as a number, such as 1 or 1.25.")
        self.amount = hours

    def refuse(self, e) -> None:
        """Mark the field an operation's refusal is about (the credit choice unless it names hours)."""
        (self.hours if e.field == "hours" else self.credit).errors = [e.message]


class CorrectionForm(FlaskForm):
    """New hours for a claim already made; whether they may be claimed is `corrections.correct_hours`'s
    decision (the claim's own rule)."""

    hours = StringField("Hours you took part", validators=[InputRequired("Enter the hours you are claiming.")])
    amount: Decimal | None = None

    def validate_hours(self, field):
        hours = parse_hours(field.data)
        if hours is None:
            raise ValidationError("Enter the hours as a number, such as 1 or 1.25.")
        self.amount = hours


class TranscriptFilter(FlaskForm):
    """GET filter on the participation date; no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    start = DateField("From", validators=[Optional()], format="%Y-%m-%d")
    end = DateField("To", validators=[Optional()], format="%Y-%m-%d")

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("“To” must be on or after “From”.")

    def validate_start(self, field):
        if field.data and not dt.date(1990, 1, 1) <= field.data <= dt.date(2200, 1, 1):
            raise ValidationError("Enter a date between 1990 and 2200.")
