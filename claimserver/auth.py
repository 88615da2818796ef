"""The logged-in user, role checks and password hashing shared by every blueprint."""
from __future__ import annotations

from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort
from flask_login import UserMixin, current_user, login_required

from .models import Learner

_hasher = PasswordHasher()


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
