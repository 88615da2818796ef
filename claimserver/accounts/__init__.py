"""Accounts: sign up, log in and out, password reset, profile."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
