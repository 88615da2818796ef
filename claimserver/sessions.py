"""Login sessions that end on the server.

Every login gets a `LoginSession` row and a random secret; the cookie (flask-login's session, and
its remember cookie) carries "<learner id>:<session version>:<secret>", the database only the
secret's SHA-256. A request is logged in only while that row is open and unexpired, so:

- logging out ends this row: a replayed session cookie or remember cookie opens nothing;
- a password change or reset, or "log out everywhere", ends every row of the learner (and moves
  the session version on, which also invalidates any cookie of the old format);
- a remembered login lasts REMEMBER_DAYS from its issue time, a browser session SESSION_HOURS
  from login (and less, if the browser is closed first).

A session restored from the remember cookie is not "fresh": changing the password or the name on
certificates asks for the password again first (accounts.reauthenticate).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app

from . import clock
from .models import Learner, LoginSession


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lifetime(remembered: bool) -> dt.timedelta:
    cfg = current_app.config
    return (dt.timedelta(days=int(cfg["REMEMBER_DAYS"])) if remembered
            else dt.timedelta(hours=int(cfg["SESSION_HOURS"])))


def start(learner: Learner, remembered: bool = False) -> str:
    """Open a session for `learner`; returns the id flask-login stores in the cookies."""
    secret = secrets.token_urlsafe(32)
    now = clock.utcnow_naive()
    LoginSession.create(learner=learner, token_hash=_digest(secret), remembered=remembered,
                        issued_at=now, expires_at=now + lifetime(remembered))
    return f"{learner.id}:{learner.session_version}:{secret}"


def _parse(session_id: str) -> tuple[int, int, str] | None:
    parts = (session_id or "").split(":")
    if len(parts) != 3 or not parts[2]:
        return None
    try:
        return int(parts[0]), int(parts[1]), parts[2]
    except ValueError:
        return None


def load(session_id: str) -> tuple[Learner, LoginSession] | None:
    """The learner and open session a cookie's id names, or None when ended, expired or forged."""
    parsed = _parse(session_id)
    if parsed is None:
        return None
    lid, version, secret = parsed
    row = (LoginSession.select(LoginSession, Learner).join(Learner)
           .where(LoginSession.token_hash == _digest(secret), LoginSession.learner == lid,
                  LoginSession.ended_at.is_null(), LoginSession.expires_at > clock.utcnow_naive())
           .first())
    if row is None or row.learner.session_version != version:
        return None
    return row.learner, row


def end(session_id: str, why: str = "logout") -> None:
    parsed = _parse(session_id)
    if parsed is None:
        return
    (LoginSession.update(ended_at=clock.utcnow_naive(), ended_why=why)
     .where(LoginSession.token_hash == _digest(parsed[2]), LoginSession.ended_at.is_null()).execute())


def end_all(learner: Learner, why: str) -> int:
    """End every open session of `learner` (inside the caller's transaction)."""
    return (LoginSession.update(ended_at=clock.utcnow_naive(), ended_why=why)
            .where(LoginSession.learner == learner.id, LoginSession.ended_at.is_null()).execute())
