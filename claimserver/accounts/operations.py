"""Every write the accounts feature makes: sign-up, password changes and resets, profile updates."""
from __future__ import annotations

from flask import current_app, url_for
from peewee import IntegrityError

from catalog.society import SOCIETY

from .. import clock, mail, ratelimit, sessions
from ..auth import check_password, hash_password, needs_rehash
from ..db import database
from ..models import Learner, audit
from . import verification
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


def _link(endpoint: str, **values) -> str:
    return current_app.config["SERVER_URL"].rstrip("/") + url_for(endpoint, **values)


def sign_up(email: str, password: str, next_url: str | None = None) -> None:
    """Create an unconfirmed account and email its confirmation link; for an address that already
    has an account, email its owner instead. The caller answers the same either way, so the page
    never tells who is registered (the hash is computed either way, so neither does its timing)."""
    email = email.strip().lower()
    password_hash = hash_password(password)
    try:
        with database.atomic():
            learner = Learner.create(email=email, password_hash=password_hash)
            audit(learner, "learner.signed_up", f"learner:{learner.id}")
            send_verification(learner, next_url)
        return
    except IntegrityError:
        pass  # the address is taken: tell its owner, not the person at the keyboard
    owner = Learner.by_email(email)
    if owner is None or not ratelimit.hit(f"signup-known:{email}", 3, 3600):
        return
    with database.atomic():
        mail.queue(owner.email, f"You already have a {SOCIETY.portal_name} account",
                   f"Someone (hopefully you) tried to sign up again with {owner.email}, which already "
                   f"has an account. No new account was made.\n\n"
                   f"Log in: {_link('accounts.login')}\n"
                   f"Forgot the password? Choose a new one: {_link('accounts.forgot')}\n\n"
                   "If it was not you, nothing has changed and you can ignore this email.\n",
                   kind="signup-known")


def send_verification(learner: Learner, next_url: str | None = None) -> None:
    """Queue the link that confirms the learner's address (inside the caller's transaction)."""
    days = int(current_app.config["VERIFY_LINK_DAYS"])
    link = _link("accounts.verify_email", token=verification.token(learner), next=next_url or None)
    mail.queue(learner.email, f"Confirm your email address for {SOCIETY.portal_name}",
               f"Welcome to {SOCIETY.portal_name}. Open this link within {days} days to confirm {learner.email} "
               f"and log in:\n{link}\n\n"
               "Purchases need a confirmed address, so that receipts and certificates reach you.\n"
               "If you did not sign up, ignore this email: the account stays unconfirmed.\n",
               kind="verify-email")


def confirm_email(learner: Learner) -> Learner:
    with database.atomic():
        changed = (Learner.update(email_verified_at=clock.utcnow_naive())
                   .where(Learner.id == learner.id, Learner.email_verified_at.is_null()).execute())
        if changed:
            audit(learner, "learner.email_verified", f"learner:{learner.id}")
    return Learner.get_by_id(learner.id)


def resend_verification(learner: Learner) -> bool:
    """A new confirmation link, at most 3 an hour; False when over that limit."""
    if learner.email_verified_at is not None:
        return True
    if not ratelimit.hit(f"verify-resend:{learner.id}", 3, 3600):
        return False
    with database.atomic():
        send_verification(learner)
    return True


def authenticate(email: str, password: str) -> Learner | None:
    learner = Learner.by_email(email)
    if learner is None or (learner.is_demo and current_app.config["CE_ENV"] == "production"):
        check_password(_dummy(), password)  # demo passwords are published: never in production
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
        mail.queue(learner.email, f"Reset your {SOCIETY.portal_name} password",
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


def update_profile(learner: Learner, data: dict, pharmacy: bool, birth: bool | None = None,
                   consent: bool = False) -> Learner:
    """Save the profile. `pharmacy`: the NABP e-Profile ID was asked; `birth`: the birth month and
    day was asked (pharmacy professions and physicians; defaults to `pharmacy`); `consent`: the
    PARS consent was asked (its answer is `data["pars_consent"]`; not asked, the stored one stays)."""
    values = {k: (data.get(k) or "") for k in PROFILE_FIELDS}
    if consent:
        values["pars_consent"] = bool(data.get("pars_consent"))
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

            fresh = Learner.get_by_id(learner.id)
            on_profile_changed(fresh)
            if "pars_consent" in changed:
                # PARS: consent given queues the claims still inside the deadline; withdrawn
                # closes the items not yet sent (catalog.destinations.PARS.consent_field).
                from ..reports.ledger import on_consent_changed

                on_consent_changed(fresh)
    return Learner.get_by_id(learner.id)
