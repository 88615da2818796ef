"""Outbox messages carry extra headers (List-Unsubscribe for the follow-up questionnaires).

One `ADD COLUMN … NOT NULL DEFAULT '{}'`, as in 0003, so SQLite keeps its table and 0002's triggers.
"""
from peewee import SQL, JSONField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("outbox", "headers", JSONField(default=dict, constraints=[SQL("DEFAULT '{}'")]),
                            allow_not_null=True))
