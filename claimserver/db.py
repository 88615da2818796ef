"""The database handle: a peewee `DatabaseProxy` opened from `DATABASE_URL` (SQLite or PostgreSQL)."""
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


def open_database(url: str):
    """Open (not connect) the database named by a URL and bind the proxy to it."""
    if url.startswith("sqlite"):
        db = connect(url, pragmas=SQLITE_PRAGMAS, check_same_thread=False, timeout=10,
                     lock_type="IMMEDIATE")  # writers queue instead of failing to upgrade a lock
    else:
        db = connect(url)
    database.initialize(db)
    return db



class BaseModel(Model):
    """Every table's base: its only job is to name the database."""

    class Meta:
        database = database
        legacy_table_names = False
