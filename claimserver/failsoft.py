"""Fail soft, recover by itself: what the server does when its database is not there.

- A database that is unreachable, locked past its busy timeout, full, or out of pooled
  connections answers **503** with `Retry-After` and a page that needs no database (not the
  templates, which ask the database who is logged in). One log line per outage and worker, not
  a traceback per request: repeats within LOG_EVERY seconds are counted and reported with the next
  line.
- The broken connection is thrown away, so the next request after the database returns gets a
  new one: nothing to restart.
- `/healthz` answers from the process alone (for the process supervisor); `/readyz` asks the
  database (for a load balancer deciding where to send traffic).
- Load shedding: behind a trusted proxy that stamps `X-Request-Start: t=<epoch seconds>` (nginx:
  `t=${msec}`, deploy/nginx), a request that already waited QUEUE_TIMEOUT_SECONDS for a worker
  thread is answered 503 with Retry-After at once, so a spike drains instead of queueing every
  learner past the browser's patience.
- Input PostgreSQL cannot store (a NUL character in the URL, query or form) is refused with 400
  before any view sees it.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from html import escape

from flask import Flask, Response, g, request
from peewee import InterfaceError, OperationalError
from playhouse.pool import MaxConnectionsExceeded

from catalog.society import SOCIETY

from .db import database

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30
LOG_EVERY = 10.0
#: Endpoints that must answer without opening a database connection.
NO_DATABASE = frozenset({"main.healthz", "static"})

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title} · {portal}</title>
<style>body{{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}}</style>
</head><body><h1>{title}</h1>{body}</body></html>
"""


def static_page(title: str, body_html: str, status: int, **headers) -> Response:
    """A complete HTML page built without templates or the database."""
    page = _PAGE.format(title=escape(title), portal=escape(SOCIETY.portal_name), body=body_html)
    resp = Response(page, status=status, mimetype="text/html")
    resp.headers.update(headers)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def unavailable() -> Response:
    return static_page(
        "Back in a moment",
        f"<p>{escape(SOCIETY.portal_name)} is briefly unavailable. Nothing you entered was lost: please try again "
        f"in {RETRY_AFTER_SECONDS} seconds.</p>", 503, **{"Retry-After": str(RETRY_AFTER_SECONDS)})


class _Throttle:
    """At most one log line per LOG_EVERY seconds; the lines in between are counted."""

    def __init__(self):
        self.lock = threading.Lock()
        self.last = 0.0
        self.suppressed = 0

    def __call__(self) -> int | None:
        with self.lock:
            now = time.monotonic()
            if now - self.last < LOG_EVERY:
                self.suppressed += 1
                return None
            self.last, n, self.suppressed = now, self.suppressed, 0
            return n


_throttle = _Throttle()


def _discard_connection() -> None:
    """Close this thread's connection for good (a pool would otherwise hand it out again)."""
    try:
        if hasattr(database.obj, "manual_close"):
            database.obj.manual_close()
        elif not database.is_closed():
            database.close()
    except Exception:  # noqa: BLE001 - it is broken already; we only want it gone
        pass


def _unstorable(values) -> bool:
    return any("\x00" in v for v in values)


def queued_for(environ, now: float | None = None) -> float | None:
    """Seconds since the proxy stamped this request (X-Request-Start: t=…), or None if unstamped."""
    raw = environ.get("HTTP_X_REQUEST_START", "")
    try:
        start = float(raw[2:] if raw.startswith("t=") else raw)
    except ValueError:
        return None
    return (time.time() if now is None else now) - start


class ShedLoad:
    """WSGI middleware: answer 503 without any work when the request queued too long."""

    def __init__(self, wsgi_app, limit: float):
        self.wsgi_app, self.limit = wsgi_app, limit

    def __call__(self, environ, start_response):
        waited = queued_for(environ)
        if waited is not None and waited > self.limit and environ.get("PATH_INFO") not in ("/healthz",):
            if _throttle() is not None:
                log.warning("shedding load: a request waited %.1f s for a worker (limit %.0f s)", waited, self.limit)
            return unavailable()(environ, start_response)
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    if int(app.config["TRUSTED_PROXIES"]) and float(app.config["QUEUE_TIMEOUT_SECONDS"]) > 0:
        app.wsgi_app = ShedLoad(app.wsgi_app, float(app.config["QUEUE_TIMEOUT_SECONDS"]))

    @app.before_request
    def _refuse_unstorable():
        fields = list(request.args.items(multi=True))
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            fields += list(request.form.items(multi=True))
        if "\x00" in request.path or _unstorable(v for pair in fields for v in pair):
            return static_page("That request cannot be used",
                               "<p>It contains a character (NUL) that is never part of a valid "
                               "address, name or answer. Go back, retype it and try again.</p>", 400)
        return None

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(MaxConnectionsExceeded)
    def _database_unavailable(e):
        _discard_connection()
        suppressed = _throttle()
        if suppressed is not None:
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            more = f" ({suppressed} more since the last line)" if suppressed else ""
            log.error("database unavailable, answering 503 to %s %s: %s: %s%s",
                      request.method, request.path, type(e).__name__, first[:200], more)
        return unavailable()

    @app.get("/readyz", endpoint="readyz")
    def readyz():
        database.execute_sql("SELECT 1")  # an outage goes to the 503 handler above
        return {"ready": True}


def error_page(ref: str) -> Response:
    """The 500 page when the normal template cannot be drawn (it needs the database)."""
    return static_page("Something went wrong",
                       "<p>Nothing you entered was lost. Please try again in a moment. If it keeps "
                       f"happening, write to us and quote reference <strong>{escape(ref)}</strong>.</p>",
                       500)


def new_ref() -> str:
    return g.get("error_ref") or secrets.token_hex(4)
