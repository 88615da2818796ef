"""The one refusal: a step a person cannot take (yet), with the sentence they read and where to go.

Operations raise `Refused`; views render it and never re-word it (`flash_and_redirect`, or the page's
own error slot). A refusal is never an error in the server's sense: it is the answer.
"""
from __future__ import annotations

from flask import flash, redirect


class Refused(Exception):
    """`message` says why, in words the learner or staff member can act on; `link` (optional) is
    where to fix it and `link_text` the words of that link; `field` (optional) the form field the
    refusal is about, so a form can mark it."""

    def __init__(self, message: str, link: str | None = None, link_text: str = "", *, field: str = ""):
        super().__init__(message)
        self.message, self.link, self.link_text, self.field = message, link, link_text, field


def flash_and_redirect(e: Refused, fallback: str):
    """Show the refusal on the page it points to (or `fallback`)."""
    flash(e.message, "error")
    return redirect(e.link or fallback)
