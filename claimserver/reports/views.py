"""Placeholder routes until the reporting feature lands."""
from . import bp


@bp.get("/staff/reports/")
def staff_index():
    return "reports"
