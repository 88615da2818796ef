"""Meetings: one CE activity with many sessions; attendance per session (code, badge scan, or a
physician's attested selection), a short evaluation per session, sessions added to a claim after it
was made, free enrolment for registrants, and the staff imports (badge scans, registration lists).
The CE rules are in `catalog.meeting`; every write in `operations`."""
from flask import Blueprint

bp = Blueprint("meetings", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
