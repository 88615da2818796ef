"""Jinja filters and globals shared by every template: money, hours, dates, statements."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup

from catalog import credits


def money(cents: int | Decimal | None) -> str:
    if cents is None:
        return ""
    if isinstance(cents, Decimal):
        value = cents
    else:
        value = Decimal(cents) / 100
    return "Free" if value == 0 else f"${value:,.2f}"


def hours(value) -> str:
    return credits.format_hours(value)


def date(value: dt.date | dt.datetime | None, fmt: str = "%B %-d, %Y") -> str:
    return value.strftime(fmt) if value else ""


def local_time(value: dt.datetime | None, tz: str = "") -> str:
    """'March 12, 2027, 12:00 PM EST' in the activity's time zone (UTC if none)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    if tz:
        value = value.astimezone(ZoneInfo(tz))
    return value.strftime("%B %-d, %Y, %-I:%M %p %Z").replace(" UTC-05:00", "")


def statement(st: credits.Statement) -> Markup:
    return Markup(st.html())


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, hours=hours, date=date, local_time=local_time,
                                 statement=statement)
    app.jinja_env.globals.update(credits=credits, PROFESSIONS=credits.PROFESSIONS,
                                 CREDIT_TYPES=credits.CREDIT_TYPES)
