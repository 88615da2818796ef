"""Fixed-window rate limits kept in the database (RateLimitHit), so every gunicorn worker and host
shares the same counts.

`hit(key, limit)` counts one attempt in the current minute and says whether it is still allowed.
The count is one atomic upsert per attempt; old windows are swept now and then.
"""
from __future__ import annotations

import secrets

from peewee import IntegrityError

from . import clock
from .db import database
from .models import RateLimitHit

#: Windows older than this many minutes are deleted (occasionally, by whichever request sweeps).
KEEP_MINUTES = 10


def current_window(seconds: int = 60) -> int:
    return int(clock.now().timestamp()) // seconds


def count(key: str, seconds: int = 60) -> int:
    """Attempts counted for `key` in the current window, without counting one more."""
    return (RateLimitHit.select(RateLimitHit.count)
            .where(RateLimitHit.key == key[:120], RateLimitHit.window == current_window(seconds))
            .scalar()) or 0


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
    if secrets.randbelow(100) == 0:
        RateLimitHit.delete().where(RateLimitHit.window < window - KEEP_MINUTES).execute()
    return count <= limit
