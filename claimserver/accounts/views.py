"""Placeholder routes until the accounts feature lands."""
from . import bp


@bp.route("/login", methods=["GET", "POST"])
def login():
    return "login"


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    return "signup"


@bp.post("/logout")
def logout():
    return "logout"


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    return "profile"
