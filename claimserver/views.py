"""The front door: home page, health check and static pages that belong to no feature."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user


bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("learning.my_activities"))
    return render_template("home.html", site_url=current_app.config["SITE_URL"])


@bp.get("/healthz")
def healthz():
    """The process answers (no database: that is /readyz, see claimserver.failsoft)."""
    return {"ok": True}
