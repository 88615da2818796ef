"""Placeholder routes until the records feature lands."""
from . import bp


@bp.get("/transcript")
def transcript():
    return "transcript"
