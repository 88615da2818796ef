"""Records: evaluation, credit claims, transcript, certificates and public verification."""
from flask import Blueprint

bp = Blueprint("records", __name__, template_folder="templates")

from . import staff, views  # noqa: E402,F401
