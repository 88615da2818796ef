"""Fail soft, recover by itself: the database cut for a while, a SQLite lock held, a full disk →
a 503 page with Retry-After that needs no database, one log line, and normal pages again as soon as
the database is back; /healthz and /readyz; NUL characters refused with 400."""
from __future__ import annotations

import logging
import sqlite3
from urllib.parse import urlsplit, urlunsplit

import pytest

from catalog.society import SOCIETY
from claimserver.db import database
from claimserver.models import Outbox
from tests.conftest import _reset_pg
from tests.factories import PASSWORD, create_learner, login
from tests.tcpproxy import TCPProxy

UNAVAILABLE = f"{SOCIETY.portal_name} is briefly unavailable. Nothing you entered was lost"


def assert_503(r):
    assert r.status_code == 503, r.text[:300]
    assert r.headers["Retry-After"] == "30"
    assert UNAVAILABLE in r.text
    assert "Traceback" not in r.text


def failsoft_lines(caplog):
    return [r for r in caplog.records if r.name == "claimserver.failsoft"]


class TestPostgreSQLGoesAway:
    @pytest.fixture
    def db_url(self, pg_url):
        _reset_pg(pg_url)
        return pg_url

    @pytest.fixture
    def proxy(self, db_url):
        u = urlsplit(db_url)
        p = TCPProxy(u.hostname, u.port or 5432)
        yield p
        p.stop()

    @pytest.fixture
    def app_config(self, app_config, proxy):
        u = urlsplit(app_config["DATABASE_URL"])
        via = urlunsplit(u._replace(netloc=f"{u.username}@127.0.0.1:{proxy.port}"))
        return {**app_config, "DATABASE_URL": via, "DB_CONNECT_TIMEOUT_SECONDS": 2}

    def test_503_while_it_is_gone_then_the_same_session_carries_on(self, app, client, proxy, caplog):
        with app.app_context():
            learner = create_learner()
            database.close()
        assert login(client, learner).status_code == 302
        assert client.get("/my-activities").status_code == 200
        assert client.get("/readyz").json == {"ready": True}

        proxy.cut()
        caplog.set_level(logging.WARNING)
        for _ in range(3):
            assert_503(client.get("/my-activities"))
        assert_503(client.post("/login", data={"email": learner.email, "password": PASSWORD}))
        assert_503(client.get("/readyz"))
        assert client.get("/healthz").json == {"ok": True}
        [line] = failsoft_lines(caplog)
        assert line.getMessage().startswith("database unavailable, answering 503 to GET /my-activities: ")
        assert line.exc_info is None
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]

        proxy.restore()
        assert client.get("/readyz").json == {"ready": True}
        r = client.get("/my-activities")
        assert r.status_code == 200 and "My Activities" in r.text


class TestSQLite:
    @pytest.fixture
    def db_url(self, tmp_path):
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"

    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "DB_BUSY_TIMEOUT_SECONDS": 0.3}

    def test_a_lock_held_past_the_busy_timeout_is_a_503_then_it_works(self, app, client, db_url):
        with app.app_context():
            learner = create_learner()
            database.close()
        holder = sqlite3.connect(db_url[len("sqlite:///"):], isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        assert_503(client.post("/login", data={"email": learner.email, "password": PASSWORD}))
        holder.execute("ROLLBACK")
        holder.close()
        assert login(client, learner).status_code == 302

    def test_a_full_disk_is_a_503_and_nothing_half_written(self, app, client):
        with app.app_context():
            learner = create_learner()
            pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
            database.close()
            database.obj._pragmas.append(("max_page_count", pages + 2))
            database.connect()
            for size in (2000, 400, 50, 1):  # fill every page to the brim
                with pytest.raises(Exception, match="database or disk is full"):
                    for i in range(10_000):
                        Outbox.create(to="x@example.org", subject="filler", body="x" * size)
            queued = Outbox.select().count()
            database.close()
        r = client.post("/forgot", data={"email": learner.email})
        assert_503(r)
        with app.app_context():
            database.obj._pragmas.pop()
            assert Outbox.select().where(Outbox.kind == "password-reset").count() == 0
            assert Outbox.select().count() == queued
            database.close()


@pytest.mark.parametrize("path, data", [
    ("/login", {"email": "ann\x00@example.org", "password": PASSWORD}),
    ("/signup", {"email": "ann@example.org", "password": "purple\x00otter-lamp-42"}),
    ("/forgot", {"email": "\x00"}),
])
def test_a_nul_character_in_a_form_is_refused_with_400(client, rows, path, data):
    r = client.post(path, data=data)
    assert r.status_code == 400 and "contains a character (NUL)" in r.text


def test_a_nul_character_in_the_url_is_refused_with_400(client, rows):
    assert client.get("/verify?code=AB%00CD").status_code == 400
    assert client.get("/activities/x%00y").status_code == 400


def test_a_nul_character_in_a_verification_code_is_refused_with_400(client, rows):
    r = client.get("/verify/%00")
    assert r.status_code == 400 and "contains a character (NUL)" in r.text


class TestLoadShedding:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "TRUSTED_PROXIES": 1, "QUEUE_TIMEOUT_SECONDS": 5}

    def test_a_request_that_queued_past_the_limit_gets_503_at_once(self, client, rows):
        import time

        assert_503(client.get("/login", headers={"X-Request-Start": f"t={time.time() - 6:.3f}"}))
        assert client.get("/login", headers={"X-Request-Start": f"t={time.time() - 1:.3f}"}).status_code == 200
        assert client.get("/login").status_code == 200  # unstamped: nothing to judge by
