"""Learning: the server's activity page, purchase, My Activities and participation."""
from flask import Blueprint

bp = Blueprint("learning", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
