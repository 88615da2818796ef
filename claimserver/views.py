"""The front door: home page, health check, the society's look (token sheet, logo) and static pages
that belong to no feature."""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.society import SOCIETY


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


def _asset(body: bytes, mimetype: str) -> Response:
    """A society asset, cacheable for a day and revalidated by its content hash."""
    resp = Response(body, mimetype=mimetype)
    resp.set_etag(hashlib.sha256(body).hexdigest()[:32])
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp.make_conditional(request)


@bp.get("/society/tokens.css")
def tokens_css():
    """The design tokens (catalog.society): the same text the catalogue ships as stylesheets/tokens.css."""
    return _asset(SOCIETY.tokens_css().encode(), "text/css")


@bp.get("/society/logo.svg")
def logo_svg():
    """The society's logo, the same file the catalogue header and certificates show."""
    return _asset(SOCIETY.logo_svg, "image/svg+xml")
