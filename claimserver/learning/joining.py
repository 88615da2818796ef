"""Joining what you bought: how a purchaser joins a live session, and what everyone else is told.

One answer for every place that shows it (the server's activity page, My Activities, the receipt
email with its calendar file, the reminders a day and an hour before the start):

- a live *online* session's `join:` details (link, dial-in, note) go to purchasers only, that is a
  paid order, free enrolment included; everyone else reads `display.JOIN_AFTER_PURCHASE`;
- an *in-person* session (format live or workshop at a venue) shows its room and the conference's
  registration note instead of a link: nothing there is secret, so everyone sees them;
- home study released later says "Available from <date>" (`catalog.dates.release_text`).

The calendar file is `catalog.site.feeds.personal_calendar`: the site calendar's UTC times, with
the join link (or the room) as its location and a UID stable per activity and learner, so a second
copy (a reminder, a reissued receipt) updates the same calendar entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

from catalog import dates
from catalog.model import Activity as ActivityModel
from catalog.site import display, feeds

from .. import clock
from ..mail import Attachment
from ..models import Activity, Learner, Order


@dataclass(frozen=True)
class HowToJoin:
    """What one reader may be told about getting to a session."""

    url: str = ""            # the meeting link: purchasers of an online session only
    dial_in: str = ""
    note: str = ""
    room: str = ""           # in-person sessions
    registration: str = ""   # in-person sessions: the conference's registration note
    after_purchase: str = ""  # instead of the details, for everyone but a purchaser
    available: str = ""      # home study released later: 'Available from …; it can be bought now.'

    @property
    def online(self) -> bool:
        return bool(self.url)

    @property
    def anything(self) -> bool:
        return any((self.url, self.room, self.registration, self.after_purchase, self.available))


def how_to_join(model: ActivityModel, purchaser: bool) -> HowToJoin:
    """The details `purchaser` (or not) may read for this activity."""
    available = ""
    if model.released_later(clock.now()):
        available = dates.release_text(display.local(model, model.starts).date(), model.presale,
                                       bought=purchaser)
    if model.is_in_person:
        return HowToJoin(room=model.room, registration=model.registration, available=available)
    if model.is_live and model.join is not None:
        if not purchaser:
            return HowToJoin(after_purchase=display.JOIN_AFTER_PURCHASE, available=available)
        return HowToJoin(url=model.join.url, dial_in=model.join.dial_in, note=model.join.note,
                         available=available)
    return HowToJoin(available=available)


def to_show(model: ActivityModel, order: Order | None) -> HowToJoin | None:
    """What the activity page and My Activities show the holder of `order` (None: no order, or not
    a learner): a purchaser is a paid order, free enrolment included (refunded, declined or pending
    is not). Nothing once a live session is over."""
    from .operations import session_over  # operations reads this module for My Activities

    how = how_to_join(model, purchaser=order is not None and order.is_paid)
    if not how.anything or (model.is_live and session_over(model)):
        return None
    return how


def activity_link(row: Activity) -> str:
    """The activity's page on this server under SERVER_URL, in a request or not (the cron job)."""
    server = urlsplit(current_app.config["SERVER_URL"])
    adapter = current_app.url_map.bind(server.netloc, script_name=server.path or "/", url_scheme=server.scheme)
    return adapter.build("learning.activity", {"slug": row.slug}, force_external=True)


def email_lines(model: ActivityModel, how: HowToJoin) -> str:
    """The 'When' and 'How to join' (or 'Where') part of a purchaser's emails, as plain text."""
    lines = []
    if model.is_live:
        lines.append(f"When: {display.session_time(model)}")  # as the activity page words it
    if how.available:
        lines.append(how.available)
    if how.url:
        lines += ["", "How to join", f"  Link: {how.url}"]
        if how.dial_in:
            lines.append(f"  Dial-in: {how.dial_in}")
        if how.note:
            lines.append(f"  {how.note}")
    elif model.is_in_person:
        lines += ["", "Where", f"  {feeds.where_text(model)}"]
        if how.registration:
            lines.append(f"  Registration: {how.registration}")
    return "\n".join(lines) + ("\n" if lines else "")


def uid(row: Activity, learner: Learner) -> str:
    """Stable per activity and learner: a later copy updates the same calendar entry."""
    return f"{row.slug}.learner-{learner.id}@ce-portal"


def calendar_file(learner: Learner, row: Activity, model: ActivityModel) -> Attachment | None:
    """The purchaser's .ics for a live session (None for home study)."""
    if not model.is_live:
        return None
    how = how_to_join(model, purchaser=True)
    link = activity_link(row)
    if how.url:
        location = how.url
        parts = [f"Join: {how.url}"] + ([f"Dial-in: {how.dial_in}"] if how.dial_in else []) \
            + ([how.note] if how.note else [])
    else:
        location = feeds.where_text(model)
        parts = [f"Registration: {how.registration}"] if how.registration else []
    parts.append(f"Your activity: {link}")
    ics = feeds.personal_calendar(model, uid=uid(row, learner), location=location,
                                  description="\n".join(parts), url=link, stamp=clock.now(),
                                  name=current_app.config["PROVIDER_NAME"])
    return Attachment(f"{row.slug}.ics", "text/calendar", ics.decode("utf-8"))

