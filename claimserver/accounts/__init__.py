"""Accounts: sign up, log in and out, password reset, profile."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates", static_folder="static",
               static_url_path="/accounts-static")

from . import views  # noqa: E402,F401
