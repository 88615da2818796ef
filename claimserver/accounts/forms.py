"""Account forms: sign up, log in, password reset and change, profile. Validation lives here."""
from __future__ import annotations

import re

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from catalog import credits, professions
from catalog.destinations import PARS

from ..certificates import unprintable, unprintable_message
from ..text import clean_name, valid_mmdd
from .passwords import password_problem

#: Who is asked for an NABP e-Profile ID (catalog.professions), and who must give one to claim.
PHARMACY_PROFESSIONS = professions.asking("nabp_epid")
#: Who is asked for a birth month and day (required only where their credit needs it: CPE Monitor).
BIRTH_MMDD_PROFESSIONS = professions.asking("birth_mmdd")
#: Who is asked for consent to PARS reporting: the professions whose credit PARS receives.
PARS_PROFESSIONS = frozenset().union(*(credits.CREDIT_TYPES[k].professions for k in PARS.credit_keys))
#: A cell starting with one of these is a formula to a spreadsheet (staff open exports in Excel).
FORMULA_STARTS = ("=", "+", "-", "@")
US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA PR RI SC SD TN TX UT VT VA VI WA WV WI WY GU AS MP"
).split()


def _lower_strip(v):
    return v.strip().lower() if isinstance(v, str) else v


def _strip(v):
    return v.strip() if isinstance(v, str) else v


def _name(v):
    return clean_name(v) if isinstance(v, str) else v


def _no_formula(form, field):
    """Names reach CSV exports staff open in spreadsheets: refuse what a spreadsheet would run."""
    if field.data and field.data.startswith(FORMULA_STARTS):
        raise ValidationError(f"A name cannot begin with {field.data[0]} (spreadsheets would read it "
                              "as a formula): start with a letter.")


def _printable(form, field):
    """A name prints on certificates: refuse what the certificate fonts would print as boxes."""
    symbols = unprintable(field.data or "")
    if symbols:
        raise ValidationError(unprintable_message(symbols))


class _NewPassword:
    """Password policy as a WTForms validator; `email_field` names the field holding the address."""

    def __init__(self, email_field: str | None = None):
        self.email_field = email_field

    def __call__(self, form, field):
        if self.email_field:
            email = form[self.email_field].data or ""
        else:
            email = getattr(form, "_email", "") or (
                current_user.email if current_user.is_authenticated else "")
        problem = password_problem(field.data or "", email or "")
        if problem:
            raise ValidationError(problem)


class SignupForm(FlaskForm):
    email = EmailField("Email", filters=[_lower_strip],
                       validators=[InputRequired("Enter your email address."), Length(max=254),
                                   Email("Enter an email address like name@example.org.")])
    password = PasswordField("Password", validators=[InputRequired("Choose a password."),
                                                     _NewPassword("email")])


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[_lower_strip],
                       validators=[InputRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])
    remember = BooleanField("Keep me logged in on this device")


class ForgotForm(FlaskForm):
    email = EmailField("Email", filters=[_lower_strip],
                       validators=[InputRequired("Enter your email address."), Length(max=254),
                                   Email("Enter an email address like name@example.org.")])


class ResetForm(FlaskForm):
    password = PasswordField("New password", validators=[InputRequired("Choose a new password."),
                                                         _NewPassword()])

    def __init__(self, *a, email: str = "", **kw):
        super().__init__(*a, **kw)
        self._email = email


class ReauthenticateForm(FlaskForm):
    current = PasswordField("Your password", validators=[InputRequired("Enter your password.")])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[InputRequired("Enter your current password.")])
    password = PasswordField("New password", validators=[InputRequired("Choose a new password."),
                                                         _NewPassword()])


_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$")


def _id_chars(form, field):
    """Licence and board numbers: empty, or letters, digits and a little punctuation."""
    if field.data and not _ID_PATTERN.match(field.data):
        raise ValidationError("Use letters, digits, spaces, dots, slashes and hyphens only.")


_ID = [Length(max=40, message="Use at most 40 characters."), _id_chars]


class ProfileForm(FlaskForm):
    certificate_name = StringField(
        "Name on certificates", filters=[_name],
        validators=[DataRequired("Enter your name exactly as it appears on your licence."),
                    Length(max=200, message="Use at most 200 characters."), _no_formula, _printable])
    first_name = StringField("First name", filters=[_name],
                             validators=[DataRequired("Enter your first name."),
                                         Length(max=100, message="Use at most 100 characters."), _no_formula,
                                         _printable])
    last_name = StringField("Last name", filters=[_name],
                            validators=[DataRequired("Enter your last name."),
                                        Length(max=100, message="Use at most 100 characters."), _no_formula,
                                        _printable])
    degree = StringField("Degree(s)", filters=[_name],
                         validators=[Optional(), Length(max=60, message="Use at most 60 characters."),
                                     _no_formula])
    profession = SelectField("Profession", choices=[SelectChoice("", "Choose…"),
                                                    *(SelectChoice(p.key, p.label) for p in professions.PROFESSIONS.values())],
                             validators=[InputRequired("Choose your profession.")])
    # Required only for pharmacy professions (birth MMDD also asked of physicians, for PARS), so no
    # Optional(): it would skip validate_<field>.
    nabp_epid = StringField("NABP e-Profile ID", filters=[_strip])
    birth_mmdd = StringField("Birth month and day (MMDD)", filters=[_strip])
    state_licence_state = SelectField("Licence state",
                                      choices=[SelectChoice("", "—"), *(SelectChoice(s, s) for s in US_STATES)],
                                      validate_choice=False)
    state_licence_number = StringField("State licence number", filters=[_strip],
                                       validators=_ID)
    california_licence = StringField("California CLS licence number", filters=[_strip],
                                     validators=_ID)
    florida_licence = StringField("Florida licence number", filters=[_strip],
                                  validators=_ID)
    board_id = StringField("Board ID (ABMM, ABMLI, NRCM or other board)", filters=[_strip],
                           validators=_ID)
    #: Asked of the professions whose credit PARS receives; unticked, nothing is reported there.
    pars_consent = BooleanField(PARS.consent_text)

    @property
    def is_pharmacy(self) -> bool:
        return self.profession.data in PHARMACY_PROFESSIONS

    @property
    def asks_pars_consent(self) -> bool:
        return self.profession.data in PARS_PROFESSIONS

    @property
    def asks_birth_mmdd(self) -> bool:
        return self.profession.data in BIRTH_MMDD_PROFESSIONS

    def validate_profession(self, field):
        if field.data and field.data not in professions.PROFESSIONS:
            raise ValidationError("Choose a profession from the list.")

    def validate_nabp_epid(self, field):
        if not field.data:
            if "nabp_epid" in credits.required_fields(self.profession.data):
                raise ValidationError("Pharmacists and technicians need an NABP e-Profile ID for CPE Monitor.")
            return
        if not re.fullmatch(r"[0-9]{1,10}", field.data):
            raise ValidationError("Your NABP e-Profile ID is a number of 1 to 10 digits.")

    def validate_birth_mmdd(self, field):
        value = field.data or ""
        if not value:
            if "birth_mmdd" in credits.required_fields(self.profession.data):
                raise ValidationError("CPE Monitor needs your birth month and day (MMDD).")
            return
        if len(value) != 4 or not value.isdigit() or not value.isascii():
            raise ValidationError("Enter four digits: month then day, e.g. 0714 for July 14.")
        if not valid_mmdd(value):
            raise ValidationError("That is not a real date; enter month then day, e.g. 0714.")

    def validate_state_licence_state(self, field):
        if field.data and field.data not in US_STATES:
            raise ValidationError("Choose a state from the list.")
        if self.state_licence_number.data and not field.data:
            raise ValidationError("Choose the state that issued the licence.")

    def validate_state_licence_number(self, field):
        if self.state_licence_state.data and not field.data:
            raise ValidationError("Enter the licence number, or clear the state.")
