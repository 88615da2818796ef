"""Shared fixtures: the app on SQLite and on PostgreSQL, a client, a CLI runner, a movable clock.

Every test that uses `app` runs twice, once per database. PostgreSQL is the machine's server at
127.0.0.1:5432 (trust auth, user postgres); when it is unreachable those runs are skipped with a
message saying so. Each test starts from an empty, migrated database.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ACTIVITIES = FIXTURES / "activities"
PG_HOST, PG_PORT = os.environ.get("CE_TEST_PG_HOST", "127.0.0.1"), int(os.environ.get("CE_TEST_PG_PORT", "5432"))
#: The moment tests start at unless they move the clock: the day after the fixture webinar.
DEFAULT_NOW = dt.datetime(2027, 3, 13, 15, 0, tzinfo=dt.timezone.utc)


def _pg_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A per-worker PostgreSQL database, created if needed."""
    if not _pg_reachable():
        pytest.skip(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: PostgreSQL half of the suite skipped")
    import psycopg2

    # CEPORTAL_TEST_DB_PREFIX keeps test runs in one checkout (several people at once) out of each other's way
    name = f"{os.environ.get('CEPORTAL_TEST_DB_PREFIX', 'ceportal_test')}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    url = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{name}"
    _reset_pg(url, drop=True)
    return url


def _reset_pg(url: str, drop: bool = False) -> None:
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        if drop:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'schema_migration'")
            tables = [r[0] for r in cur.fetchall()]
            if tables:
                cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url = request.getfixturevalue("pg_url")
    _reset_pg(url)
    return url


@pytest.fixture
def app_config(db_url, tmp_path) -> dict:
    """Override in a test module to change settings (e.g. enable CSRF)."""
    return {
        "CE_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": db_url,
        "CATALOG_PATH": str(ACTIVITIES),
        "MAIL_BACKEND": "file",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "WTF_CSRF_ENABLED": False,
        "SERVER_URL": "http://ce.test",
        "SITE_URL": "http://catalogue.test",
        # Tests move the clock by months while a client stays logged in; test_sessions checks expiry.
        "SESSION_HOURS": 24 * 365 * 10,
    }


@pytest.fixture
def app(app_config):
    from claimserver import create_app
    from claimserver.catalog_sync import sync
    from claimserver.cli import upgrade
    from claimserver.clock import FixedClock
    from claimserver.db import database

    app = create_app(app_config)
    app.extensions["clock"] = FixedClock(DEFAULT_NOW)
    with app.app_context():
        upgrade()
        sync(app.config["CATALOG_PATH"])
    database.close()
    yield app
    if not database.is_closed():
        database.close()


@pytest.fixture(scope="session")
def localstripe():
    """A localstripe server (fake, stateful Stripe API) for this test worker, on a port of 5100-5199."""
    from tests.localstripe_server import LocalStripe

    server = LocalStripe.start()
    yield server
    server.stop()


@pytest.fixture
def clock(app):
    """The app's FixedClock: `clock.advance(days=90)` moves time for the server."""
    return app.extensions["clock"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def rows(app):
    """Direct model access WITHOUT an app context, for tests that also drive the test client.

    With `ctx` active, every client request reuses the test's app context, so `g` (and the
    user flask-login cached there) leaks from one request, or one client, into the next.
    """
    from claimserver.db import database

    database.connect(reuse_if_open=True)
    yield app
    if not database.is_closed():
        database.close()


@pytest.fixture
def ctx(app):
    """An app context with an open connection, for tests that use models directly."""
    from claimserver.db import database

    with app.app_context():
        database.connect(reuse_if_open=True)
        yield app
        database.close()


# axe-core's counts per page (tests/e2e/test_accessibility.py records them with record_property):
# gathered here, on the controller when the suite runs on several workers, and summed up at the end.
_AXE_COUNTS: list[tuple[str, int, int]] = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        _AXE_COUNTS.extend(value for key, value in report.user_properties if key == "axe")


def pytest_terminal_summary(terminalreporter, config):
    if not _AXE_COUNTS:
        return
    lines = [f"{name}: {passed} rules passed, {violations} violations"
             for name, passed, violations in sorted(_AXE_COUNTS)]
    total = sum(v for _, _, v in _AXE_COUNTS)
    lines.append(f"{len(_AXE_COUNTS)} pages checked (WCAG 2.0/2.1 A and AA), {total} violations in all")
    cache = getattr(config, "cache", None)  # absent under -p no:cacheprovider
    path = cache.mkdir("axe") / "summary.txt" if cache else None
    terminalreporter.section("accessibility: axe-core page by page")
    for line in lines:
        terminalreporter.write_line(line)
    if path is not None:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        terminalreporter.write_line(f"written to {path}")
