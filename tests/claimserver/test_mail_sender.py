"""Requests only queue mail; the sender drains the outbox through a real SMTP server (aiosmtpd), with
short timeouts, back-off and per-message claims, and a hung relay never touches a learner's request."""
from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from claimserver import mail
from claimserver.clock import Clock
from claimserver.db import database
from claimserver.models import Outbox
from tests.factories import buy, create_learner, login
from tests.mailservers import HungRelay, SMTPServer

FREE = "free-teleconference-tb"
BEFORE_TELECONFERENCE = dt.datetime(2027, 2, 1, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def relay():
    hung = HungRelay()
    yield hung
    hung.stop()


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


def _smtp_config(app_config, port, **extra):
    return {**app_config, "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
            "MAIL_SMTP_TIMEOUT_SECONDS": 1, "MAIL_SEND_DEADLINE_SECONDS": 2, "MAIL_LEASE_SECONDS": 4, **extra}


class TestHungRelay:
    @pytest.fixture
    def app_config(self, app_config, relay):
        return _smtp_config(app_config, relay.port)

    def test_a_free_purchase_and_a_reset_request_answer_at_once_and_only_queue(self, client, rows, clock):
        clock.at = BEFORE_TELECONFERENCE
        learner = create_learner()
        login(client, learner)
        started = time.monotonic()
        r = buy(client, FREE)
        assert r.status_code == 302
        client.post("/logout")
        r = client.post("/forgot", data={"email": learner.email})
        assert r.status_code == 200 and "Check your email" in r.text
        # Sending would have waited on the relay for the 1 s timeout, twice: nothing waited.
        assert time.monotonic() - started < 1.0
        assert sorted(m.kind for m in Outbox.select()) == ["password-reset", "receipt"]
        assert Outbox.select().where(Outbox.sent_at.is_null(False)).count() == 0

    def test_the_sender_gives_up_on_the_timeout_and_backs_off(self, rows, runner, clock):
        with rows.app_context():
            mail.queue("ann@example.org", "Hello", "Body", kind="test")
        started = time.monotonic()
        out = runner.invoke(args=["send-mail"]).output
        assert "sent 0, failed 1" in out
        assert time.monotonic() - started < 3.5
        row = Outbox.get()
        assert row.attempts == 1 and row.sent_at is None and row.claimed_by is None
        assert "timed out" in row.last_error
        assert row.next_attempt_at == clock.now().replace(tzinfo=None) + dt.timedelta(minutes=1)
        assert "sent 0, failed 0" in runner.invoke(args=["send-mail"]).output  # waiting its turn
        clock.advance(minutes=1)
        assert "sent 0, failed 1" in runner.invoke(args=["send-mail"]).output
        assert Outbox.get().next_attempt_at == clock.now().replace(tzinfo=None) + dt.timedelta(minutes=2)


def test_backoff_doubles_to_six_hours():
    assert [mail.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert mail.backoff(30) == dt.timedelta(hours=6)


class TestRealRelay:
    @pytest.fixture
    def app_config(self, app_config, smtp):
        return _smtp_config(app_config, smtp.port)

    def test_a_queued_receipt_arrives_once_when_the_sender_runs(self, client, rows, runner, smtp, clock):
        clock.at = BEFORE_TELECONFERENCE
        learner = create_learner()
        login(client, learner)
        buy(client, FREE)
        assert smtp.inbox.messages == []  # the request only queued it
        assert "sent 1, failed 0" in runner.invoke(args=["send-mail"]).output
        assert "sent 0, failed 0" in runner.invoke(args=["send-mail"]).output
        [msg] = smtp.inbox.to(learner.email)
        assert msg["Subject"].startswith("Receipt ")

    def test_a_claim_that_lapsed_before_sending_is_not_acted_on(self, rows, clock, smtp):
        with rows.app_context():
            row = mail.queue("bob@example.org", "Once", "Body", kind="test")
            assert mail.claim(row.id, "stalled-sender")
            clock.advance(seconds=5)  # past the 4 s lease: the stalled sender has lost it
            assert mail.drain() == (1, 0)
            assert mail.deliver(row.id, "stalled-sender") is None
        assert len(smtp.inbox.to("bob@example.org")) == 1
        assert Outbox.get_by_id(row.id).attempts == 1

    def test_the_sender_service_drains_on_its_own(self, rows, runner, smtp):
        with rows.app_context():
            mail.queue("cy@example.org", "Service", "Body", kind="test")
        runner.invoke(args=["send-mail", "--every", "0.1", "--runs", "2"])
        assert len(smtp.inbox.to("cy@example.org")) == 1


class TestDrainLongerThanItsLease:
    """Two senders on real time against a slow relay: together they run well past the 2 s lease,
    and every message still arrives exactly once."""

    @pytest.fixture
    def smtp(self):
        server = SMTPServer(delay=0.25)
        server.start()
        yield server
        server.stop()

    @pytest.fixture
    def app_config(self, app_config, smtp):
        return _smtp_config(app_config, smtp.port, MAIL_SEND_DEADLINE_SECONDS=1, MAIL_LEASE_SECONDS=2)

    def test_each_message_once(self, app, rows, smtp):
        app.extensions["clock"] = Clock()
        with app.app_context():
            for i in range(16):
                mail.queue(f"m{i}@example.org", f"Message {i}", "Body", kind="test")
        database.close()
        errors, results = [], []

        def run():
            try:
                with app.app_context():
                    database.connect(reuse_if_open=True)
                    results.append(mail.drain())
                    database.close()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        started = time.monotonic()
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.monotonic() - started
        assert errors == []
        assert elapsed > 2  # longer than the lease
        assert sum(s for s, _ in results) == 16
        assert sorted(r[0] for r, _ in smtp.inbox.messages) == sorted(f"m{i}@example.org" for i in range(16))
