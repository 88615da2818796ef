"""The database handle: a peewee `DatabaseProxy` opened from `DATABASE_URL` (SQLite or PostgreSQL).

PostgreSQL goes through a connection pool (`playhouse.pool`): each worker thread borrows a
connection per request and gives it back; a connection older than DB_POOL_RECYCLE_SECONDS is
closed instead of reused (servers and firewalls drop idle ones), and one that broke is thrown away
(claimserver.failsoft), so the server recovers by itself when the database comes back.
"""
from __future__ import annotations

from peewee import DatabaseProxy, Model
from playhouse.db_url import connect

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10000,
    "foreign_keys": 1,
    "synchronous": "normal",
}


def open_database(url: str, *, pool_size: int = 10, recycle_seconds: int = 300,
                  connect_timeout: int = 5, busy_timeout: float = 10):
    """Open (not connect) the database named by a URL and bind the proxy to it."""
    old = database.obj
    if old is not None and hasattr(old, "close_idle"):
        old.close_idle()  # an app made again (tests, CLI) must not leave idle connections open
    if url.startswith("sqlite"):
        pragmas = {**SQLITE_PRAGMAS, "busy_timeout": int(busy_timeout * 1000)}
        db = connect(url, pragmas=pragmas, check_same_thread=False, timeout=busy_timeout,
                     lock_type="IMMEDIATE")  # writers queue instead of failing to upgrade a lock
    elif url.startswith(("postgres://", "postgresql://")):
        pooled = url.replace("postgres://", "postgresql://", 1).replace("postgresql://", "postgresql+pool://", 1)
        db = connect(pooled, max_connections=pool_size, stale_timeout=recycle_seconds,
                     timeout=connect_timeout, connect_timeout=connect_timeout)
    else:
        db = connect(url)
    database.initialize(db)
    return db


class BaseModel(Model):
    """Every table's base: its only job is to name the database."""

    class Meta:
        database = database
        legacy_table_names = False


def for_update(query):
    """`query` locking the rows it reads until the transaction ends, as an UPDATE of them would:
    SELECT … FOR NO KEY UPDATE on PostgreSQL (FOR UPDATE without blocking the key-share locks that
    inserts referencing the rows take, so a new certificate or report item for a locked claim is not
    held up). SQLite needs none: every transaction here begins IMMEDIATE (`open_database`), so it
    already holds the database's one write lock and no other writer can change a row it read."""
    from peewee import PostgresqlDatabase

    return query.for_update("FOR NO KEY UPDATE") if isinstance(database.obj, PostgresqlDatabase) else query
