"""Learning: the server's activity page, purchase, My Activities, joining and reminders, participation."""
from flask import Blueprint

bp = Blueprint("learning", __name__, template_folder="templates", cli_group="learning")

from . import cli, views  # noqa: E402,F401
