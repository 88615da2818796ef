"""Jinja filters and globals shared by every template: money, hours, dates, statements."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from markupsafe import Markup

from catalog import credits, dates, statements
from catalog.destinations import DESTINATIONS
from catalog.professions import PROFESSIONS
from catalog.society import SOCIETY
from catalog.status import CertificateStatus, ReportStatus
from catalog.site import display


def money(cents: int | Decimal | None) -> str:
    if cents is None:
        return ""
    return display.price_text(cents if isinstance(cents, Decimal) else Decimal(cents) / 100)


def hours(value) -> str:
    return credits.format_hours(value)


def date(value: dt.date | dt.datetime | None, fmt: str = "") -> str:
    """'March 12, 2027' (catalog.dates); with a strftime format, that format (ISO in staff tables)."""
    if not value:
        return ""
    return value.strftime(fmt) if fmt else dates.long_date(value)


def stamp(value: dt.datetime | None) -> str:
    """'March 12, 2027, 14:05 UTC'."""
    return dates.utc_stamp(value) if value else ""


def local_time(value: dt.datetime | None, tz: str = "") -> str:
    """'Friday, March 12, 2027, 12:00 PM EST': the catalogue's wording (catalog.site.display), in
    the activity's time zone, else in the offset it was written with (naive values are UTC). The
    zone is always named: 'EST', or 'UTC−06:00' for a bare offset."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    if tz:
        try:
            value = value.astimezone(ZoneInfo(tz))
        except (ZoneInfoNotFoundError, ValueError):
            pass  # the catalogue checker refuses unknown zones; never fail a page over one
    return dates.moment_text(value)


def when(a) -> str:
    """An activity's dates exactly as its catalogue page words them (catalog.site.display.when_text)."""
    return display.when_text(a)


def statement(st: statements.Statement) -> Markup:
    return Markup(st.html())


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, hours=hours, date=date, stamp=stamp, local_time=local_time,
                                 when=when, session_time=display.session_time, statement=statement,
                                 days=dates.days_text)
    app.jinja_env.globals.update(credits=credits, PROFESSIONS=PROFESSIONS, DESTINATIONS=DESTINATIONS,
                                 CREDIT_TYPES=credits.CREDIT_TYPES, ReportStatus=ReportStatus,
                                 society=SOCIETY, CertificateStatus=CertificateStatus,
                                 CLAIM_ATTESTATION=statements.CLAIM_ATTESTATION)
