"""The first schema: every table of claimserver.models as of release 0.1.

Later schema changes are new numbered scripts using `migrator` (playhouse.migrate); never edit this
one once a database exists, and never drop and recreate.
"""


def up(migrator, db):
    from claimserver.models import ALL_MODELS

    db.create_tables(ALL_MODELS)
