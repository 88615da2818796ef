"""Email through an outbox: `queue` writes a row in the caller's transaction; `drain` sends.

A sender claims a row (one UPDATE that only succeeds for one process) before sending it, so running
the sender twice, or on two hosts at once, sends each message once; a failed send is released and
retried on the next run, never lost and never doubled. Backends: "file" (development: one .eml file
per message in MAIL_OUTBOX_DIR, and a log line) and "smtp".
"""
from __future__ import annotations

import datetime as dt
import email.policy
import logging
import os
import smtplib
import socket
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app
from peewee import IntegrityError

from . import clock
from .db import database
from .models import Outbox

log = logging.getLogger(__name__)
#: A claimed row whose sender died is released after this long.
STALE_CLAIM = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 20


def queue(to: str, subject: str, body: str, *, html: str = "", kind: str = "",
          dedupe_key: str | None = None, headers: dict[str, str] | None = None) -> Outbox | None:
    """Add a message to the outbox (inside the caller's transaction). Same dedupe_key → once."""
    if dedupe_key and Outbox.get_or_none(Outbox.dedupe_key == dedupe_key):
        return None
    try:
        with database.atomic():
            return Outbox.create(to=to, subject=subject, body=body, html=html, kind=kind,
                                 dedupe_key=dedupe_key, headers=headers or {})
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
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=30) as smtp:
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["SMTP_USER"]:
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
        smtp.send_message(msg)


def drain(limit: int = 500) -> tuple[int, int]:
    """Send what is due. Returns (sent, failed)."""
    me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    now = clock.utcnow_naive()
    sent = failed = 0
    candidates = (Outbox.select(Outbox.id)
                  .where(Outbox.sent_at.is_null(), Outbox.attempts < MAX_ATTEMPTS,
                         (Outbox.claimed_at.is_null()) | (Outbox.claimed_at < now - STALE_CLAIM))
                  .order_by(Outbox.id).limit(limit))
    for (oid,) in list(candidates.tuples()):
        with database.atomic():
            got = (Outbox.update(claimed_by=me, claimed_at=now)
                   .where(Outbox.id == oid, Outbox.sent_at.is_null(),
                          (Outbox.claimed_at.is_null()) | (Outbox.claimed_at < now - STALE_CLAIM))
                   .execute())
        if not got:
            continue  # another sender has it
        row = Outbox.get_by_id(oid)
        try:
            _send(_build(row), row)
        except (OSError, smtplib.SMTPException) as e:
            failed += 1
            log.warning("mail %s to %s failed: %s", row.id, row.to, e)
            Outbox.update(claimed_by=None, claimed_at=None, attempts=Outbox.attempts + 1,
                          last_error=str(e)[:1000]).where(Outbox.id == oid).execute()
            continue
        Outbox.update(sent_at=clock.utcnow_naive(), attempts=Outbox.attempts + 1).where(
            Outbox.id == oid).execute()
        sent += 1
    return sent, failed


def drain_quietly() -> None:
    """Send right after a request's transaction committed; failures wait for the next drain."""
    try:
        drain(limit=20)
    except Exception:  # noqa: BLE001 - mail must never break the learner's request
        log.exception("sending queued mail failed; it stays in the outbox")
