"""Every write the accounts feature makes: sign-up, password changes and resets, profile updates."""
from __future__ import annotations

from flask import current_app, url_for
from peewee import IntegrityError

from .. import mail, sessions
from ..auth import check_password, hash_password, needs_rehash
from ..db import database
from ..models import Learner, audit
from .passwords import reset_token

PROFILE_FIELDS = ("certificate_name", "first_name", "last_name", "degree", "profession", "nabp_epid",
                  "birth_mmdd", "state_licence_state", "state_licence_number", "california_licence",
                  "florida_licence", "board_id")
#: The fields a certificate's printed name comes from (Learner.display_name).
NAME_FIELDS = ("certificate_name", "first_name", "last_name")
#: Asked only of some professions; the others keep what is stored (earlier claims may still need it).
ASKED_OF = {"nabp_epid": "pharmacy", "birth_mmdd": "birth"}

_DUMMY: Learner | None = None


def _dummy() -> Learner:
    """A learner with a real hash: verifying against it when the email is unknown keeps login time
    the same either way. Made on first use, not at import (argon2 is slow on every worker and CLI
    start)."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = Learner(password_hash=hash_password("not-a-real-password-just-timing"))
    return _DUMMY


class EmailTaken(Exception):
    """The address already has an account."""


def sign_up(email: str, password: str) -> Learner:
    email = email.strip().lower()
    try:
        with database.atomic():
            learner = Learner.create(email=email, password_hash=hash_password(password))
            audit(learner, "learner.signed_up", f"learner:{learner.id}")
    except IntegrityError:
        raise EmailTaken(email) from None
    return learner


def authenticate(email: str, password: str) -> Learner | None:
    learner = Learner.by_email(email)
    if learner is None:
        check_password(_dummy(), password)
        return None
    if not check_password(learner, password):
        return None
    if needs_rehash(learner):
        with database.atomic():
            Learner.update(password_hash=hash_password(password)).where(Learner.id == learner.id).execute()
    return learner


def request_password_reset(email: str) -> None:
    """Email a reset link if the address has an account; silently nothing otherwise."""
    learner = Learner.by_email(email)
    if learner is None:
        return
    link = current_app.config["SERVER_URL"].rstrip("/") + url_for("accounts.reset", token=reset_token(learner))
    minutes = int(current_app.config["RESET_LINK_MINUTES"])
    with database.atomic():
        mail.queue(learner.email, "Reset your CE Portal password",
                   f"Someone (hopefully you) asked to reset the password for {learner.email}.\n\n"
                   f"Open this link within {minutes} minutes to choose a new password:\n{link}\n\n"
                   "The link works once. If you did not ask for it, ignore this email: your password "
                   "stays as it is.\n", kind="password-reset")
        audit(learner, "learner.reset_requested", f"learner:{learner.id}")


def set_password(learner: Learner, password: str, action: str) -> Learner:
    """Store a new password and end every other session (the session version moves on)."""
    with database.atomic():
        Learner.update(password_hash=hash_password(password),
                       session_version=Learner.session_version + 1).where(Learner.id == learner.id).execute()
        sessions.end_all(learner, "password changed")
        audit(learner, action, f"learner:{learner.id}")
    return Learner.get_by_id(learner.id)


def log_out_everywhere(learner: Learner) -> Learner:
    with database.atomic():
        Learner.update(session_version=Learner.session_version + 1).where(Learner.id == learner.id).execute()
        sessions.end_all(learner, "logged out everywhere")
        audit(learner, "learner.logged_out_everywhere", f"learner:{learner.id}")
    return Learner.get_by_id(learner.id)


def update_profile(learner: Learner, data: dict, pharmacy: bool, birth: bool | None = None) -> Learner:
    """Save the profile. `pharmacy`: the NABP e-Profile ID was asked; `birth`: the birth month and
    day was asked (pharmacy professions and physicians; defaults to `pharmacy`)."""
    values = {k: (data.get(k) or "") for k in PROFILE_FIELDS}
    asked = {"pharmacy": pharmacy, "birth": pharmacy if birth is None else birth}
    for k, who in ASKED_OF.items():
        if not asked[who]:
            # Not asked of this profession: keep what is stored (earlier claims may still need it).
            values.pop(k)
    changed = sorted(k for k, v in values.items() if getattr(learner, k) != v)
    with database.atomic():
        Learner.update(**values).where(Learner.id == learner.id).execute()
        if changed:
            audit(learner, "learner.profile_updated", f"learner:{learner.id}", fields=changed)
            # Reporting: a rejected CPE Monitor/CE Broker/PARS report whose data the learner just
            # corrected is re-queued (a new item superseding it) in this same transaction.
            from ..reports.ledger import on_profile_changed

            on_profile_changed(Learner.get_by_id(learner.id))
    return Learner.get_by_id(learner.id)
