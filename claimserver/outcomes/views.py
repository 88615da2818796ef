"""Placeholder routes until the outcomes feature lands."""
from . import bp


@bp.get("/director/")
def director_index():
    return "outcomes"
