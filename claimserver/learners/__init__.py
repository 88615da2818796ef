"""Staff help for learners: find a learner, one page of their records, name corrections with a
reissued certificate, roles, and the catalogue sync, without the command line."""
from flask import Blueprint

bp = Blueprint("learners", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
