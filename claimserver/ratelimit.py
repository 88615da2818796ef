"""Fixed-window rate limits kept in the database (RateLimitHit), so every gunicorn worker and host
shares the same counts.

`hit(key, limit, seconds)` counts one attempt in the current window and says whether it is still
allowed. The count is one atomic upsert per attempt; old windows are swept now and then.

A row's `window` is the window's START as a minute number (epoch seconds // 60), whatever the
window's length: 1-minute, 15-minute and 1-hour windows are all on one scale, so the sweep can
compare them. (Minutes, not seconds: the column is a 32-bit INTEGER, which epoch seconds outgrow
in 2038.)
"""
from __future__ import annotations

import secrets

from peewee import IntegrityError

from . import clock
from .db import database
from .models import RateLimitHit

#: The longest window any caller uses (the hourly reset-email cap), in minutes.
LONGEST_WINDOW_MINUTES = 60
#: Rows whose window started longer ago than this are deleted: the longest window plus a margin,
#: so a sweep never touches a window still being counted.
KEEP_MINUTES = LONGEST_WINDOW_MINUTES + 10
#: One hit in this many also sweeps old windows.
SWEEP_ONE_IN = 100


def current_window(seconds: int = 60) -> int:
    """The current `seconds`-long window's start, as a minute number."""
    if seconds % 60 or not 60 <= seconds <= LONGEST_WINDOW_MINUTES * 60:
        raise ValueError(f"rate-limit windows are whole minutes up to {LONGEST_WINDOW_MINUTES}, not {seconds} s")
    ts = int(clock.now().timestamp())
    return ts // seconds * seconds // 60


def count(key: str, seconds: int = 60) -> int:
    """Attempts counted for `key` in the current window, without counting one more."""
    return (RateLimitHit.select(RateLimitHit.count)
            .where(RateLimitHit.key == key[:120], RateLimitHit.window == current_window(seconds))
            .scalar()) or 0


def sweep() -> int:
    """Delete windows that started more than KEEP_MINUTES ago; returns how many rows went."""
    return RateLimitHit.delete().where(RateLimitHit.window < current_window(60) - KEEP_MINUTES).execute()


def hit(key: str, limit: int, seconds: int = 60) -> bool:
    """Count an attempt for `key`; True while the window's count is within `limit`."""
    window = current_window(seconds)
    key = key[:120]
    with database.atomic():
        try:
            (RateLimitHit.insert(key=key, window=window, count=1)
             .on_conflict(conflict_target=[RateLimitHit.key, RateLimitHit.window],
                          update={RateLimitHit.count: RateLimitHit.count + 1})
             .execute())
        except IntegrityError:  # pragma: no cover - the upsert does not raise; belt and braces
            RateLimitHit.update(count=RateLimitHit.count + 1).where(
                RateLimitHit.key == key, RateLimitHit.window == window).execute()
        count = (RateLimitHit.select(RateLimitHit.count)
                 .where(RateLimitHit.key == key, RateLimitHit.window == window).scalar())
    if secrets.randbelow(SWEEP_ONE_IN) == 0:
        sweep()
    return count <= limit
