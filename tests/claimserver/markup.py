"""What a form sent back with errors shows for one field, read from the HTML as assistive
technology reads it: the control marked invalid, described by its error message (and its hint),
and the error summary at the top linking to it with the same message."""
from __future__ import annotations

import html as html_lib
import re


def _control(page: str, field: str) -> str:
    """The field's own tag: its <input>, <select> or <textarea>, or its radio group's <fieldset>."""
    m = re.search(rf'<(?:input|select|textarea|fieldset)\b[^>]*\bid="{re.escape(field)}"[^>]*>', page)
    assert m, f"no control with id {field!r} on the page"
    return m.group(0)


def _attr(tag: str, name: str) -> str | None:
    m = re.search(rf'\b{name}="([^"]*)"', tag)
    return m.group(1) if m else None


def _text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def field_error(page: str, field: str) -> str:
    """The message shown for `field`, after checking that it is tied to the field both ways: the
    control has aria-invalid="true" and aria-describedby naming `<field>-error`, and the error
    summary links to `#<field>` with that message."""
    tag = _control(page, field)
    assert _attr(tag, "aria-invalid") == "true", f"{field} is not marked invalid: {tag}"
    described = (_attr(tag, "aria-describedby") or "").split()
    assert f"{field}-error" in described, f"{field} is not described by its error: {tag}"
    m = re.search(rf'<p class="error" id="{re.escape(field)}-error">(.*?)</p>', page, re.S)
    assert m, f"no error message next to {field}"
    message = _text(m.group(1))
    summary = re.search(r"<div[^>]*data-error-summary[^>]*>(.*?)</div>", page, re.S)
    assert summary, "no error summary at the top of the form"
    link = re.search(rf'<a href="#{re.escape(field)}">(.*?)</a>', summary.group(1), re.S)
    assert link, f"the error summary does not link to {field}"
    assert message in _text(link.group(1)), f"the summary says {_text(link.group(1))!r}, the field {message!r}"
    return message


def marked_fields(page: str) -> list[str]:
    """The ids the error summary links to, in its order."""
    summary = re.search(r"<div[^>]*data-error-summary[^>]*>(.*?)</div>", page, re.S)
    return re.findall(r'<a href="#([^"]+)">', summary.group(1)) if summary else []
