"""follow_up.implemented holds "not-applicable" (14 characters); 0001 made it VARCHAR(12), which
PostgreSQL enforces. Widen it to 20. SQLite does not enforce VARCHAR lengths, and rebuilding its table
would drop the triggers of migration 0002, so nothing is done there.
"""
from peewee import PostgresqlDatabase


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('ALTER TABLE "follow_up" ALTER COLUMN "implemented" TYPE VARCHAR(20)')
