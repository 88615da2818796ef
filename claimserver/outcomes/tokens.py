"""Signed links for the follow-up questionnaire, the unsubscribe page and shared planning briefs.

Links are signed with SECRET_KEY (itsdangerous) and carry the day they were issued; expiry is checked
against the app's clock (not the wall clock), so tests move time instead of sleeping. The unsubscribe
link never expires: a learner must always be able to stop the emails.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from .. import clock

QUESTIONNAIRE, OPT_OUT, BRIEF = "follow-up-questionnaire", "follow-up-opt-out", "planning-brief"


class LinkExpired(Exception):
    """A well-signed link older than its validity."""


class LinkInvalid(Exception):
    """A link that was altered, truncated or made for something else."""


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def make(purpose: str, **payload) -> str:
    return _serializer(purpose).dumps({**payload, "on": clock.today().toordinal()})


def read(purpose: str, token: str, valid_days: int | None = None) -> dict:
    """The payload of a link, or LinkInvalid / LinkExpired."""
    try:
        data = _serializer(purpose).loads(token)
    except BadSignature:
        raise LinkInvalid() from None
    if not isinstance(data, dict) or not isinstance(data.get("on"), int):
        raise LinkInvalid()
    if valid_days is not None:
        issued = dt.date.fromordinal(data["on"])
        if (clock.today() - issued).days > valid_days:
            raise LinkExpired()
    return data
