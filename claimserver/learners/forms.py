"""Forms of the staff learner pages: the search box, a role change, a name correction and reissue."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from .operations import ROLES


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Name, email, NABP e-Profile ID or licence number",
                    validators=[DataRequired("Type part of a name, an email, an NABP e-Profile ID or a licence number."),
                                Length(max=200)])


class RoleForm(FlaskForm):
    role = HiddenField(validators=[AnyOf(ROLES, message="Choose director or staff.")])
    action = HiddenField(validators=[AnyOf(("grant", "revoke"), message="Choose grant or revoke.")])


class ReissueForm(FlaskForm):
    name = StringField("Name as it should be printed",
                       validators=[DataRequired("Enter the name as it should be printed."), Length(max=200)])
    reason = TextAreaField("Reason (kept in the audit log)",
                           validators=[DataRequired("Say why the certificate is reissued."), Length(max=300)])


class SyncForm(FlaskForm):
    """The sync button: only its CSRF token."""
