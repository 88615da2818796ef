"""Learning forms: attendance code, post-test, staff roster upload."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length



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

