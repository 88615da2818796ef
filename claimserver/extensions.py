"""Flask extensions, created unbound here and bound to the app in `create_app`."""
from __future__ import annotations

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Please log in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load(user_id: str):
    """Session ids are "<id>:<session_version>" so a bumped version logs out everywhere."""
    from .auth import UserSession
    from .models import Learner

    try:
        lid, version = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    learner = Learner.get_or_none(Learner.id == lid)
    if learner is None or learner.session_version != version:
        return None
    return UserSession(learner)
