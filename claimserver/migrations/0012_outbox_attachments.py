"""Outbox messages carry attachments (issue 14: the receipt of a live session carries its calendar
file, `<slug>.ics`).

One `ADD COLUMN … NOT NULL DEFAULT '[]'`, as in 0005, so SQLite keeps its table and 0002's triggers.
Each attachment is {"filename", "content_type", "text"}: text parts only (a calendar file is text).
Reminders need no table of their own: each is an outbox row whose unique `dedupe_key` names the
learner, the activity, the start and which reminder it is, so it exists once however often the
command runs.
"""
from peewee import SQL, JSONField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("outbox", "attachments", JSONField(default=list, constraints=[SQL("DEFAULT '[]'")]),
                            allow_not_null=True))
