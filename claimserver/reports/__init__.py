"""Reporting: CPE Monitor, CE Broker and PARS exports from one credit ledger."""
from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
