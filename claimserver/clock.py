"""Injectable time: code asks `clock.now()`; tests move time by setting the app's clock."""
from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context


class Clock:
    """Real time, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)


class FixedClock(Clock):
    """A clock that stands still until moved (tests, demo data)."""

    def __init__(self, at: dt.datetime):
        self.at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **kw) -> None:
        self.at += dt.timedelta(**kw)


def _clock() -> Clock:
    if has_app_context():
        return current_app.extensions.get("clock") or Clock()
    return Clock()


def now() -> dt.datetime:
    """Aware UTC now."""
    return _clock().now()


def utcnow_naive() -> dt.datetime:
    """UTC now without tzinfo: the form stored in DateTimeFields."""
    return now().replace(tzinfo=None)


def today() -> dt.date:
    return now().date()
