"""Learners consent (or not) to their AMA PRA completions being reported to ACCME PARS for MOC and
state boards (catalog.destinations.PARS.consent_field). Existing learners have not consented: no
PARS item is made for them until they tick the box on their profile.

One `ADD COLUMN … NOT NULL DEFAULT FALSE`, as in 0003, so SQLite keeps its table and 0002's triggers.
"""
from peewee import SQL, BooleanField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("learner", "pars_consent",
                            BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")]),
                            allow_not_null=True))
