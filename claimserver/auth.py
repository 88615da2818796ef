"""The logged-in user, role checks and password hashing shared by every blueprint."""
from __future__ import annotations

from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort
from flask_login import UserMixin, current_user, login_required

from .models import Learner

#: argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), chosen on bench_load's
#: figures: the library default (64 MiB, 3 passes, 4 lanes) cost ~650 ms of a shared 2-core host per
#: log-in and made sign-up and log-in the slowest steps by far under 50 learners. Stored hashes
#: with other parameters are upgraded at the next successful log-in (needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(learner: Learner, password: str) -> bool:
    try:
        return _hasher.verify(learner.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(learner: Learner) -> bool:
    return _hasher.check_needs_rehash(learner.password_hash)


class UserSession(UserMixin):
    """flask-login's user: wraps a Learner; its id names one open LoginSession (claimserver.sessions)."""

    def __init__(self, learner: Learner, session_id: str):
        self.learner = learner
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id

    def has_role(self, role: str) -> bool:
        return self.learner.has_role(role)

    def __getattr__(self, name):
        return getattr(self.learner, name)


def me() -> Learner:
    """The current learner (call only behind login_required)."""
    return current_user.learner


def role_required(role: str):
    """Pages for directors or staff: everyone else gets 404, as if the page did not exist."""

    def deco(view):
        @wraps(view)
        @login_required
        def wrapped(*a, **kw):
            if not current_user.has_role(role):
                abort(404)
            return view(*a, **kw)

        return wrapped

    return deco
