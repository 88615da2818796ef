"""Placeholder routes until the learning feature lands."""
from . import bp


@bp.get("/my-activities")
def my_activities():
    return "my activities"
