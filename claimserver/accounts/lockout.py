"""Log-in lockout per account over a sliding window, without a check-then-record race.

Each attempt is RECORDED first (one INSERT, committed) and only then counted: the failures in the
last 15 minutes, this attempt and every other committed one included. Of simultaneous attempts,
the one committed last sees all the others, so no more than LOGIN_FAILURES_PER_15_MIN of them go
on to check a password: parallel guesses cannot slip past the limit. A wrong password leaves its row counted; a right one, or a
refused one, is uncounted (a success also forgives the earlier failures). The window slides: the
account opens again 15 minutes after the oldest failure that counts, not at a clock boundary.
"""
from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app

from .. import clock
from ..models import LoginAttempt

WINDOW = dt.timedelta(minutes=15)
#: Attempt rows are only evidence for the window: rows older than this are swept now and then.
KEEP = dt.timedelta(days=1)
SWEEP_ONE_IN = 200


def _key(email: str) -> str:
    return f"login:{email.strip().lower()}"[:120]


def begin(email: str) -> LoginAttempt | None:
    """Record an attempt for this account; None when the account is locked (attempt refused)."""
    key, now = _key(email), clock.utcnow_naive()
    attempt = LoginAttempt.create(key=key, at=now, failed=True)
    counted = (LoginAttempt.select()
               .where(LoginAttempt.key == key, LoginAttempt.failed == True,  # noqa: E712
                      LoginAttempt.at > now - WINDOW).count())
    if secrets.randbelow(SWEEP_ONE_IN) == 0:
        LoginAttempt.delete().where(LoginAttempt.at < now - KEEP).execute()
    if counted > int(current_app.config["LOGIN_FAILURES_PER_15_MIN"]):
        LoginAttempt.update(failed=False).where(LoginAttempt.id == attempt.id).execute()
        return None
    return attempt


def succeeded(attempt: LoginAttempt) -> None:
    """The password was right: this and the account's earlier failures no longer count."""
    LoginAttempt.update(failed=False).where(LoginAttempt.key == attempt.key, LoginAttempt.failed == True,  # noqa: E712
                                            LoginAttempt.id <= attempt.id).execute()
