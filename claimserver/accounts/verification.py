"""Email verification links: signed, timed, naming the learner and the address they confirm.

A link stays valid VERIFY_LINK_DAYS; it confirms only the address it was sent to (if the learner's
email changes, older links stop working). Purchases need a confirmed address.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .passwords import _ClockSigner


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="verify-email", signer=_ClockSigner)


def token(learner) -> str:
    return _serializer().dumps({"id": learner.id, "email": learner.email})


def learner_for(tok: str):
    """The learner a valid, unexpired link names (with the address still theirs), else None."""
    from ..models import Learner

    try:
        data = _serializer().loads(tok, max_age=int(current_app.config["VERIFY_LINK_DAYS"]) * 86400)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    learner = Learner.get_or_none(Learner.id == data["id"])
    return learner if learner is not None and learner.email == data.get("email") else None
