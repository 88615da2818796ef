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


login_manager.refresh_view = "accounts.reauthenticate"
login_manager.needs_refresh_message = "Please enter your password again to continue."
login_manager.needs_refresh_message_category = "info"


@login_manager.user_loader
def _load(session_id: str):
    """Cookies carry "<id>:<session_version>:<secret>": only an open, unexpired session logs in."""
    from . import sessions
    from .auth import UserSession

    found = sessions.load(session_id)
    return UserSession(found[0], session_id) if found else None
