"""Account pages: sign up, log in and out, forgotten and changed passwords, the learner's profile."""
from __future__ import annotations

import datetime as dt

from catalog.destinations import DESTINATIONS
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import (
    confirm_login, current_user, fresh_login_required, login_fresh, login_required, login_user, logout_user,
)

from .. import ratelimit, sessions
from ..auth import UserSession, check_password, me
from ..extensions import login_manager
from . import bp, lockout, operations, verification
from .forms import (
    BIRTH_MMDD_PROFESSIONS, PARS_PROFESSIONS, PHARMACY_PROFESSIONS, ChangePasswordForm, ForgotForm, LoginForm,
    ProfileForm, ReauthenticateForm, ResetForm, SignupForm,
)
from .passwords import learner_for_token
from .redirects import safe_next


def _after_login() -> str:
    return safe_next(request.args.get("next"), url_for("learning.my_activities"))


def _log_in(learner, remember: bool = False) -> None:
    days = int(current_app.config["REMEMBER_DAYS"])
    login_user(UserSession(learner, sessions.start(learner, remember)), remember=remember,
               duration=dt.timedelta(days=days))


def _log_out() -> None:
    """End this login on the server, then forget the cookies."""
    if current_user.is_authenticated:
        sessions.end(current_user.get_id(), "logout")
    logout_user()


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(_after_login())
    form = SignupForm()
    if form.validate_on_submit():
        # The same page whether or not the address has an account (its owner gets an email).
        next_url = safe_next(request.args.get("next"), "") or None
        operations.sign_up(form.email.data, form.password.data, next_url)
        return render_template("accounts/signup_sent.html", email=form.email.data.strip().lower(),
                               days=current_app.config["VERIFY_LINK_DAYS"])
    return render_template("accounts/signup.html", form=form)


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    learner = verification.learner_for(token)
    if learner is None:
        return render_template("accounts/verify_invalid.html"), 400
    learner = operations.confirm_email(learner)
    if not current_user.is_authenticated or current_user.id != learner.id:
        _log_out()
        _log_in(learner)
    flash("Your email address is confirmed. Please complete your profile: certificates need your "
          "name and profession.", "success")
    return redirect(url_for("accounts.profile", next=safe_next(request.args.get("next"), "") or None))


@bp.post("/verify-email/resend")
@login_required
def resend_verification():
    if operations.resend_verification(me()):
        flash(f"A new confirmation link is on its way to {me().email}.", "info")
    else:
        flash("Three links were sent in the last hour; please wait before asking again.", "error")
    return redirect(safe_next(request.args.get("next"), url_for("accounts.profile")))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_after_login())
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        cfg = current_app.config
        attempt = None
        if ratelimit.hit(f"login-ip:{request.remote_addr or '-'}", cfg["LOGIN_ATTEMPTS_PER_MINUTE"]):
            attempt = lockout.begin(form.email.data)  # recorded before the password is checked
        if attempt is None:
            error = ("Too many attempts. Wait 15 minutes and try again, or reset your password "
                     "below.")
            resp = current_app.make_response((render_template("accounts/login.html", form=form, error=error), 429))
            resp.headers["Retry-After"] = str(int(lockout.WINDOW.total_seconds()))
            return resp
        learner = operations.authenticate(form.email.data, form.password.data)
        if learner is not None:
            lockout.succeeded(attempt)
            _log_in(learner, remember=form.remember.data)
            return redirect(_after_login())
        error = "The email or password is wrong."
    return render_template("accounts/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    _log_out()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    operations.log_out_everywhere(me())
    logout_user()
    flash("You are logged out on every device.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        # Over the limit nothing is sent, but the answer is the same: it must not reveal accounts.
        if ratelimit.hit(f"reset:{form.email.data.strip().lower()}",
                         current_app.config["RESET_EMAILS_PER_HOUR"], 3600):
            operations.request_password_reset(form.email.data)
        return render_template("accounts/forgot_sent.html", email=form.email.data,
                               minutes=current_app.config["RESET_LINK_MINUTES"])
    return render_template("accounts/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    learner = learner_for_token(token)
    if learner is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetForm(email=learner.email)
    if form.validate_on_submit():
        operations.set_password(learner, form.password.data, "learner.password_reset")
        _log_out()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/reauthenticate", methods=["GET", "POST"])
@login_required
def reauthenticate():
    """After a remembered login: the password again before changing the password or certificate name."""
    form = ReauthenticateForm()
    if form.validate_on_submit():
        if check_password(me(), form.current.data):
            confirm_login()
            return redirect(safe_next(request.args.get("next"), url_for("accounts.profile")))
        form.current.errors.append("That is not your current password.")
    return render_template("accounts/reauthenticate.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@fresh_login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password(me(), form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            learner = operations.set_password(me(), form.password.data, "learner.password_changed")
            _log_in(learner)  # this session carries on under the new session version
            flash("Your password is changed; other devices have been logged out.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    learner = me()
    form = ProfileForm(obj=learner)
    if form.validate_on_submit():
        if not login_fresh() and any((form.data.get(k) or "") != getattr(learner, k)
                                     for k in operations.NAME_FIELDS):
            # The name printed on certificates: only after the password, not on a remember cookie.
            return login_manager.needs_refresh()
        operations.update_profile(learner, form.data, pharmacy=form.is_pharmacy,
                                  birth=form.asks_birth_mmdd, consent=form.asks_pars_consent)
        flash("Your profile is saved.", "success")
        return redirect(safe_next(request.args.get("next"), url_for("accounts.profile")))
    return render_template("accounts/profile.html", form=form, learner=learner,
                           pharmacy=sorted(PHARMACY_PROFESSIONS), birth=sorted(BIRTH_MMDD_PROFESSIONS),
                           pars=sorted(PARS_PROFESSIONS),
                           cpe_monitor=DESTINATIONS["cpe_monitor"])
