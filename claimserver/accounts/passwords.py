"""Password policy and password-reset links: pure helpers the forms and views share."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from .. import clock

#: The society's own additions (its name, field words); the bulk comes from zxcvbn below.
COMMON_FILE = Path(__file__).with_name("common-passwords.txt")
#: Characters people tack onto a common password ("trustno1234", "!password1").
_DECORATION = "0123456789!.@#$%^&*?_-+= "


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of the zxcvbn project (from real password leaks, shipped
    offline with the package) and the society's own list, lower-cased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    own = {s.strip().lower() for s in lines if s.strip() and not s.startswith("#")}
    return frozenset(own | {p.lower() for p in FREQUENCY_LISTS["passwords"]})


def _is_common(lowered: str) -> bool:
    """The password, or it with digits and symbols peeled off either end one at a time."""
    common = common_passwords()
    i = 0
    while True:
        j = len(lowered)
        while j > i:
            if lowered[i:j] in common:
                return True
            if lowered[j - 1] not in _DECORATION:
                break
            j -= 1
        if i >= len(lowered) or lowered[i] not in _DECORATION:
            return False
        i += 1


def password_problem(password: str, email: str = "", min_length: int | None = None) -> str | None:
    """Why this password is refused, or None. Length first: it is the rule people can act on."""
    if min_length is None:
        min_length = int(current_app.config["PASSWORD_MIN_LENGTH"])
    if len(password) < min_length:
        return f"Use at least {min_length} characters."
    if len(password) > 256:
        return "Use at most 256 characters."
    if not password.strip():
        return "A password cannot be only spaces: use letters, digits or symbols too."
    lowered = password.lower()
    if _is_common(lowered):
        return "This password is one of the most common ones; choose another."
    local = email.split("@", 1)[0].strip().lower()
    if len(local) >= 3 and local in lowered:
        return "The password must not contain your email address."
    return None


class _ClockSigner(TimestampSigner):
    """Signs with the app's clock so tests move time instead of sleeping."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset",
                                  signer=_ClockSigner)


def _fingerprint(password_hash: str) -> str:
    # Changes whenever the password does, so a used link (or one older than a change) stops working.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def reset_token(learner) -> str:
    return _serializer().dumps({"id": learner.id, "fp": _fingerprint(learner.password_hash)})


def learner_for_token(token: str):
    """The learner a valid, unexpired, unused reset token names, else None."""
    from ..models import Learner

    max_age = int(current_app.config["RESET_LINK_MINUTES"]) * 60
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    learner = Learner.get_or_none(Learner.id == data["id"])
    if learner is None or data.get("fp") != _fingerprint(learner.password_hash):
        return None
    return learner
