"""Learning forms: test-mode card payment, attendance code, post-test, staff roster upload."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from .. import clock
from .payments import Card, luhn_ok


def _digits(v):
    return "".join(v.split()).replace("-", "") if isinstance(v, str) else v


class CardForm(FlaskForm):
    name = StringField("Name on card", validators=[Optional(), Length(max=100)])
    number = StringField("Card number", filters=[_digits],
                         validators=[InputRequired("Enter the card number.")])
    expiry = StringField("Expiry (MM/YY)", filters=[lambda v: v.strip() if isinstance(v, str) else v],
                         validators=[InputRequired("Enter the expiry date as MM/YY.")])
    cvc = StringField("Security code (CVC)", filters=[lambda v: v.strip() if isinstance(v, str) else v],
                      validators=[InputRequired("Enter the 3 or 4 digits on the back of the card.")])

    def validate_number(self, field):
        n = field.data or ""
        if not n.isascii() or not n.isdigit() or not 12 <= len(n) <= 19:
            raise ValidationError("A card number has 12 to 19 digits.")
        if not luhn_ok(n):
            raise ValidationError("This card number is not valid; check for a typing mistake.")

    def _expiry(self) -> tuple[int, int] | None:
        raw = (self.expiry.data or "").replace(" ", "")
        parts = raw.split("/")
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
            return None
        month, year = int(parts[0]), int(parts[1])
        if len(parts[1]) == 2:
            year += 2000
        elif len(parts[1]) != 4:
            return None
        return (month, year) if 1 <= month <= 12 else None

    def validate_expiry(self, field):
        got = self._expiry()
        if got is None:
            raise ValidationError("Enter the expiry date as MM/YY, e.g. 08/29.")
        today = clock.today()
        if (got[1], got[0]) < (today.year, today.month):
            raise ValidationError("This card has expired.")
        if got[1] > today.year + 20:
            raise ValidationError("Check the expiry year.")

    def validate_cvc(self, field):
        v = field.data or ""
        if not (v.isascii() and v.isdigit() and len(v) in (3, 4)):
            raise ValidationError("The security code is 3 or 4 digits.")

    def card(self) -> Card:
        month, year = self._expiry()
        return Card(self.number.data, month, year, self.cvc.data, self.name.data or "")


class AttendanceForm(FlaskForm):
    code = StringField("Attendance code", filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       validators=[InputRequired("Enter the code given during the session."),
                                   Length(max=32, message="The code is 6 characters.")])


def post_test_form(model) -> FlaskForm:
    """A form with one radio group per question, built from the activity's questions."""

    class PostTestForm(FlaskForm):
        pass

    for i, q in enumerate(model.questions):
        setattr(PostTestForm, f"q{i}", RadioField(
            q.question, choices=[SelectChoice(str(j), c) for j, c in enumerate(q.choices)],
            validators=[InputRequired("Choose an answer.")]))
    form = PostTestForm()
    form.questions = [(form[f"q{i}"], q) for i, q in enumerate(model.questions)]
    return form


def post_test_answers(form, model) -> list[int | None]:
    out = []
    for i in range(len(model.questions)):
        v = form[f"q{i}"].data
        out.append(int(v) if v is not None and str(v).isdigit() else None)
    return out


#: Largest roster file read; a longer one is refused, never cut short.
ROSTER_MAX_BYTES = 2 * 1024 * 1024


class RosterForm(FlaskForm):
    roster = FileField("Roster (CSV)", validators=[
        FileRequired("Choose a CSV file."), FileAllowed(["csv", "txt"], "Upload a .csv file.")])

