"""Learning: the server's activity page, purchase, My Activities, joining and reminders, participation."""
from flask import Blueprint

bp = Blueprint("learning", __name__, template_folder="templates", cli_group="learning")

from . import cli, views  # noqa: E402,F401


@bp.app_template_global()
def next_step(row):
    """The signed-in learner's next step for an activity row, for `learning/_next_step.html`."""
    from flask_login import current_user

    from ..auth import me
    from .next_step import for_activity

    return for_activity(me() if current_user.is_authenticated else None, row)
