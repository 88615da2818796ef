"""Outcomes: the practice-change follow-up questionnaire and course directors' reports and reviews."""
from flask import Blueprint

bp = Blueprint("outcomes", __name__, template_folder="templates", cli_group="outcomes")

from . import cli, director, views  # noqa: E402,F401
