"""What a learner's profile says and lacks: the name a certificate prints and what must be added
before credit can be claimed. My Activities, the claim page and the claim itself all ask here, so
they can never disagree about whether a learner is ready."""
from __future__ import annotations

from catalog import credits
from catalog.professions import PROFILE_FIELDS, profession

from ..text import clean_name


def certificate_name(learner) -> str:
    """The name a certificate prints: the certificate name, else first and last name. Never the email."""
    name = clean_name(learner.certificate_name)
    if name:
        return name
    first, last = clean_name(learner.first_name), clean_name(learner.last_name)
    return f"{first} {last}" if first and last else ""


def profile_missing(learner) -> list[str]:
    """What a learner must add to their profile before claiming anything, as they read it."""
    missing = []
    if not certificate_name(learner):
        missing.append("your name as it should appear on certificates")
    if profession(learner.profession) is None:
        missing.append("your profession")
    return missing


def missing_for(learner, credit: str) -> list[str]:
    """Keys of the profile fields this credit type needs that the learner has not given."""
    return [f for f in credits.CREDIT_TYPES[credit].needs if not (getattr(learner, f, "") or "").strip()]


def field_labels(keys) -> str:
    """'NABP e-Profile ID and birth month and day (MMDD)'."""
    return " and ".join(PROFILE_FIELDS[k].label for k in keys)
