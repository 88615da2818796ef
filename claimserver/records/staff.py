"""Staff page for issued certificates: look one up by its code and revoke it with a reason."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..auth import me, role_required
from ..models import Certificate
from ..refusals import Refused, flash_and_redirect
from . import bp
from . import operations as ops


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    code = StringField("Verification code", validators=[DataRequired("Enter a certificate's code.")])


class RevokeForm(FlaskForm):
    reason = TextAreaField("Reason (shown to anyone who verifies the certificate)",
                           validators=[DataRequired("Say why the certificate is revoked."), Length(max=300)])


@bp.route("/staff/certificates", methods=["GET"])
@role_required("staff")
def staff_certificates():
    form = LookupForm(request.args)
    cert = None
    if request.args and form.validate():
        norm = ops.normalise_code(form.code.data)
        cert = Certificate.get_or_none(Certificate.code == norm) if norm else None
        if cert is None:
            form.code.errors.append("No certificate has that code.")
    return render_template("records/staff_certificates.html", form=form, cert=cert,
                           revoke=RevokeForm() if cert else None)


@bp.route("/staff/certificates/<code>/revoke", methods=["POST"])
@role_required("staff")
def staff_revoke(code: str):
    cert = Certificate.get_or_none(Certificate.code == ops.normalise_code(code))
    if cert is None:
        return render_template("errors/404.html"), 404
    form = RevokeForm()
    if not form.validate_on_submit():
        return render_template("records/staff_certificates.html", form=LookupForm(data={"code": cert.code}),
                               cert=cert, revoke=form), 400
    try:
        revoked = ops.revoke(cert, me(), form.reason.data.strip())
    except Refused as e:
        return flash_and_redirect(e, url_for("records.staff_certificates", code=cert.code))
    if revoked:
        flash(f"Certificate {cert.code} is revoked; its unreported credit will not be reported.", "success")
    else:
        flash(f"Certificate {cert.code} was already revoked.", "info")
    return redirect(url_for("records.staff_certificates", code=cert.code))
