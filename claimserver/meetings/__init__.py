"""Meetings: one CE activity with many sessions; attendance and evaluation per session, badge-scan
rosters for staff. The rules are in `catalog.meeting`; writes in `operations`."""
from flask import Blueprint

bp = Blueprint("meetings", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
