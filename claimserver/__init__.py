"""The CE Portal claim server: a Flask app made by `create_app`.

Learners sign up, purchase activities, take part, evaluate, claim credit and download certificates;
course directors review outcomes; staff report completions. One blueprint per feature.
"""
from __future__ import annotations

import datetime as dt
import logging
import os

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

from . import config as settings
from . import failsoft
from .production import trust_proxies
from .clock import Clock, FixedClock
from .db import database, open_database
from .extensions import csrf, login_manager

log = logging.getLogger(__name__)


class DatabaseIntConverter(IntegerConverter):
    """<int:…> URL segments that fit a database BIGINT; a larger number is a 404, not an
    OverflowError (500) when it reaches a query."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseIntConverter
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    settings.validate(app.config)  # before the SQLite default, so production notices a missing DATABASE_URL
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "claimserver.sqlite3")
    for key in ("SITE_URL", "SERVER_URL"):
        app.config[key] = app.config[key].rstrip("/")
    production = app.config["CE_ENV"] == "production"
    app.config.update(
        DEBUG=False if production else app.config.get("DEBUG", False),
        TESTING=app.config["CE_ENV"] == "testing" or app.config.get("TESTING", False),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production or app.config["SESSION_COOKIE_SECURE"],
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=production or app.config["SESSION_COOKIE_SECURE"],
        REMEMBER_COOKIE_DURATION=dt.timedelta(days=int(app.config["REMEMBER_DAYS"])),
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        os.makedirs(os.path.dirname(app.config["DATABASE_URL"][len("sqlite:///"):]) or ".", exist_ok=True)

    cfg = app.config
    open_database(cfg["DATABASE_URL"], pool_size=int(cfg["DB_POOL_SIZE"]),
                  recycle_seconds=int(cfg["DB_POOL_RECYCLE_SECONDS"]),
                  connect_timeout=int(cfg["DB_CONNECT_TIMEOUT_SECONDS"]),
                  busy_timeout=float(cfg["DB_BUSY_TIMEOUT_SECONDS"]))
    app.extensions["clock"] = (FixedClock(settings.parse_clock(app.config["CLOCK"]))
                               if app.config["CLOCK"] else Clock())
    csrf.init_app(app)
    login_manager.init_app(app)

    from . import cli, filters, views
    from .accounts import bp as accounts_bp
    from .learners import bp as learners_bp
    from .learning import bp as learning_bp
    from .meetings import bp as meetings_bp
    from .outcomes import bp as outcomes_bp
    from .payments import bp as payments_bp
    from .records import bp as records_bp
    from .reports import bp as reports_bp

    for bp in (views.bp, accounts_bp, learning_bp, payments_bp, records_bp, outcomes_bp, reports_bp,
               meetings_bp, learners_bp):
        app.register_blueprint(bp)
    cli.init_app(app)
    filters.init_app(app)
    _hooks(app)
    trust_proxies(app)
    return app


def _hooks(app: Flask) -> None:
    failsoft.init_app(app)

    @app.before_request
    def _connect() -> None:
        if request.endpoint not in failsoft.NO_DATABASE:
            database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc: BaseException | None) -> None:
        if not database.is_closed():
            database.close()

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        # form-action also binds the redirect a form's answer makes: a page whose form goes on to
        # another site (the home-study material) names that site in g.form_action_origins.
        form_action = " ".join(["'self'", *g.get("form_action_origins", ())])
        resp.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                f"object-src 'none'; frame-ancestors 'none'; form-action {form_action}; base-uri 'self'")
        if app.config["SESSION_COOKIE_SECURE"]:
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint and not request.endpoint.startswith("static"):
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.errorhandler(404)
    def _not_found(e):
        return render_template("errors/404.html"), 404

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return render_template("errors/400.html", reason="The form expired or was sent from "
                               "elsewhere. Go back, reload the page and try again."), 400

    @app.errorhandler(413)
    def _too_big(e):
        return render_template("errors/400.html", reason="The upload is too large."), 413

    @app.errorhandler(500)
    def _error(e):
        ref = failsoft.new_ref()
        log.error("error reference %s on %s %s", ref, request.method, request.path,
                  exc_info=getattr(e, "original_exception", None))
        try:
            return render_template("errors/500.html", ref=ref), 500
        except Exception:  # noqa: BLE001 - the page itself needs the database: answer without it
            return failsoft.error_page(ref)
