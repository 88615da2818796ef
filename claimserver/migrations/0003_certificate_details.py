"""Certificates keep the learner details they print (profession, degree, licence numbers, NABP
e-Profile ID, board ID) as they were at issue, so a later profile edit never changes an issued
certificate. Existing certificates get {} and keep reading the learner's profile.

One `ALTER TABLE … ADD COLUMN … NOT NULL DEFAULT '{}'` on both databases: on SQLite, adding the
NOT NULL separately would rebuild the table and drop the triggers of migration 0002.
"""
from peewee import SQL, JSONField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("certificate", "details",
                            JSONField(default=dict, constraints=[SQL("DEFAULT '{}'")]),
                            allow_not_null=True))
