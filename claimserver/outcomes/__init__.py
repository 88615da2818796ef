"""Outcomes: the practice-change follow-up questionnaire and course directors' reports."""
from flask import Blueprint

bp = Blueprint("outcomes", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
