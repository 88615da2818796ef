"""Email through an outbox: `queue` writes a row in the caller's transaction; `drain` sends.

Requests only queue: nothing a learner does waits for a mail relay. The sender (`flask send-mail`,
run every minute by a timer, or `flask send-mail --every 15` as a service) drains the outbox:

- Each message is claimed just before it is sent, by one UPDATE that only one process can win,
  with a lease of MAIL_LEASE_SECONDS. Before sending, the sender checks the claim is still its own
  and still inside the lease; a send is cut off after MAIL_SEND_DEADLINE_SECONDS (the relay's
  socket is shut down), which validation keeps well inside the lease. So a drain that runs longer
  than any one lease (thousands of messages, a slow relay) still sends each message once: an
  expired claim is never acted on, and a taken-over one never sent by its first holder.
- SMTP operations time out after MAIL_SMTP_TIMEOUT_SECONDS; a failed message is released with
  `next_attempt_at` pushed back exponentially (1, 2, 4 … minutes, at most 6 hours) and given up
  after MAX_ATTEMPTS tries (its row and error stay for staff to see).

Backends: "file" (development: one .eml file per message in MAIL_OUTBOX_DIR, and a log line) and
"smtp".
"""
from __future__ import annotations

import datetime as dt
import email.policy
import logging
import os
import smtplib
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app
from peewee import IntegrityError

from . import clock
from .db import database
from .models import Outbox

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 20
#: The longest wait between two tries of one message.
MAX_BACKOFF = dt.timedelta(hours=6)


def backoff(attempts: int) -> dt.timedelta:
    """How long a message that has failed `attempts` times waits before the next try."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(current_app.config["MAIL_LEASE_SECONDS"]))


@dataclass(frozen=True)
class Attachment:
    """A text file sent with a message, e.g. a calendar file (text/calendar)."""

    filename: str
    content_type: str  # "text/calendar"
    text: str

    def as_dict(self) -> dict:
        return {"filename": self.filename, "content_type": self.content_type, "text": self.text}


def queue(to: str, subject: str, body: str, *, html: str = "", kind: str = "",
          dedupe_key: str | None = None, headers: dict[str, str] | None = None,
          attachments: list[Attachment] | None = None) -> Outbox | None:
    """Add a message to the outbox (inside the caller's transaction). Same dedupe_key → once."""
    if dedupe_key and Outbox.get_or_none(Outbox.dedupe_key == dedupe_key):
        return None
    try:
        with database.atomic():
            return Outbox.create(to=to, subject=subject, body=body, html=html, kind=kind,
                                 dedupe_key=dedupe_key, headers=headers or {},
                                 attachments=[a.as_dict() for a in attachments or ()])
    except IntegrityError:
        return None  # a concurrent request queued the same message


#: Long signed links stay whole in headers (RFC 5322 allows 998 characters a line); the default
#: 78 would turn a List-Unsubscribe URL into encoded words that mail clients cannot follow.
_POLICY = email.policy.default.clone(max_line_length=998)


def _build(row: Outbox) -> EmailMessage:
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = row.to
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}")
    for name, value in (row.headers or {}).items():
        msg[name] = value
    msg.set_content(row.body)
    if row.html:
        msg.add_alternative(row.html, subtype="html")
    for a in row.attachments or ():
        maintype, _, subtype = a["content_type"].partition("/")
        params = {"method": "PUBLISH"} if a["content_type"] == "text/calendar" else {}
        msg.add_attachment(a["text"], subtype=subtype or "plain", filename=a["filename"], params=params)
    return msg


def _outbox_dir() -> Path:
    d = current_app.config.get("MAIL_OUTBOX_DIR") or os.path.join(current_app.instance_path, "outbox")
    Path(d).mkdir(parents=True, exist_ok=True)
    return Path(d)


def _send(msg: EmailMessage, row: Outbox) -> None:
    cfg = current_app.config
    if cfg["MAIL_BACKEND"] == "file":
        path = _outbox_dir() / f"{row.id:06d}-{row.kind or 'mail'}.eml"
        path.write_bytes(bytes(msg))
        log.info("mail to %s: %s (written to %s)", row.to, row.subject, path)
        return
    smtp = smtplib.SMTP(timeout=float(cfg["MAIL_SMTP_TIMEOUT_SECONDS"]))
    # A relay that drips one byte per timeout could hold a send forever: cut it at the deadline.
    cutoff = threading.Timer(float(cfg["MAIL_SEND_DEADLINE_SECONDS"]), _cut, args=(smtp,))
    cutoff.daemon = True
    cutoff.start()
    try:
        smtp.connect(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]))
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["SMTP_USER"]:
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
        smtp.send_message(msg)
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass  # the relay has accepted the message; a lost goodbye must not send it again
    finally:
        cutoff.cancel()
        smtp.close()


def _cut(smtp: smtplib.SMTP) -> None:
    sock = getattr(smtp, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _due(now: dt.datetime):
    """Unsent messages that may be tried now and that nobody holds a live claim on."""
    return ((Outbox.sent_at.is_null()) & (Outbox.attempts < MAX_ATTEMPTS)
            & ((Outbox.next_attempt_at.is_null()) | (Outbox.next_attempt_at <= now))
            & ((Outbox.claimed_at.is_null()) | (Outbox.claimed_at < now - _lease())))


def claim(oid: int, me: str) -> bool:
    """Take one message for `me` (one UPDATE: of two senders, exactly one wins)."""
    now = clock.utcnow_naive()
    with database.atomic():
        return bool(Outbox.update(claimed_by=me, claimed_at=now)
                    .where(Outbox.id == oid, _due(now)).execute())


def deliver(oid: int, me: str) -> bool | None:
    """Send a message `me` has claimed. True: sent; False: failed (released for a later try);
    None: the claim is no longer `me`'s to act on (lease expired or taken over), nothing sent."""
    now = clock.utcnow_naive()
    margin = dt.timedelta(seconds=float(current_app.config["MAIL_SEND_DEADLINE_SECONDS"]))
    row = Outbox.get_or_none(Outbox.id == oid, Outbox.claimed_by == me, Outbox.sent_at.is_null(),
                             Outbox.claimed_at >= now - _lease() + margin)
    if row is None:
        log.warning("mail %s: claim by %s lapsed before sending; left to its new holder", oid, me)
        return None
    try:
        _send(_build(row), row)
    except (OSError, smtplib.SMTPException) as e:
        log.warning("mail %s to %s failed (attempt %d): %s", row.id, row.to, row.attempts + 1, e)
        Outbox.update(claimed_by=None, claimed_at=None, attempts=Outbox.attempts + 1,
                      next_attempt_at=clock.utcnow_naive() + backoff(row.attempts + 1),
                      last_error=str(e)[:1000] or type(e).__name__).where(
            Outbox.id == oid, Outbox.claimed_by == me).execute()
        return False
    done = (Outbox.update(sent_at=clock.utcnow_naive(), attempts=Outbox.attempts + 1, last_error="")
            .where(Outbox.id == oid, Outbox.claimed_by == me).execute())
    if not done:  # only if this process stalled longer than the lease in mid-send
        log.error("mail %s was sent but its claim had been taken over; it may arrive twice", oid)
    return True


def sender_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def drain(limit: int = 500) -> tuple[int, int]:
    """Send what is due, claiming one message at a time. Returns (sent, failed)."""
    me = sender_id()
    sent = failed = 0
    candidates = (Outbox.select(Outbox.id).where(_due(clock.utcnow_naive()))
                  .order_by(Outbox.id).limit(limit))
    for (oid,) in list(candidates.tuples()):
        if not claim(oid, me):
            continue  # another sender has it
        result = deliver(oid, me)
        sent += result is True
        failed += result is False
    return sent, failed


def serve(every: float, runs: int | None = None) -> None:
    """Drain every `every` seconds until stopped (or `runs` times): the mail sender service.
    A database or relay outage is logged in one line per pass and retried on the next."""
    n = 0
    while runs is None or n < runs:
        n += 1
        started = time.monotonic()
        try:
            database.connect(reuse_if_open=True)
            sent, failed = drain()
            if sent or failed:
                log.info("mail sender: sent %d, failed %d", sent, failed)
        except Exception as e:  # noqa: BLE001 - the service outlives an outage
            log.warning("mail sender pass failed, retrying in %ss: %s", every, e)
        finally:
            if not database.is_closed():
                database.close()
        if runs is None or n < runs:
            time.sleep(max(0.0, every - (time.monotonic() - started)))
