"""Production operation (issue 13): server-side login sessions, a sliding-window log-in lockout,
email verification before purchase, and mail back-off.

- `login_session`: one row per login; logout and password changes end it on the server.
- `login_attempt`: each log-in attempt, recorded before the password is checked.
- `learner.email_verified_at`: accounts that existed before verification was required are taken
  as verified (their owners have received mail from us already); new sign-ups verify by link.
- `outbox.next_attempt_at`: a failed message waits (exponential back-off) before the next try.

Nullable `ADD COLUMN`s only, so SQLite keeps its tables and the triggers of migration 0002.
"""
from peewee import DateTimeField, PostgresqlDatabase

TABLES = [
    'CREATE TABLE "login_session" ("id" {serial} NOT NULL PRIMARY KEY, "learner_id" INTEGER NOT NULL, '
    '"token_hash" VARCHAR(64) NOT NULL, "remembered" {bool} NOT NULL, "issued_at" {ts} NOT NULL, '
    '"expires_at" {ts} NOT NULL, "ended_at" {ts}, "ended_why" VARCHAR(40) NOT NULL, '
    'FOREIGN KEY ("learner_id") REFERENCES "learner" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "login_session_learner_id" ON "login_session" ("learner_id")',
    'CREATE UNIQUE INDEX "login_session_token_hash" ON "login_session" ("token_hash")',
    'CREATE TABLE "login_attempt" ("id" {serial} NOT NULL PRIMARY KEY, "key" VARCHAR(120) NOT NULL, '
    '"at" {ts} NOT NULL, "failed" {bool} NOT NULL)',
    'CREATE INDEX "login_attempt_key" ON "login_attempt" ("key")',
    'CREATE INDEX "login_attempt_at" ON "login_attempt" ("at")',
]


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("learner", "email_verified_at", DateTimeField(null=True)),
        migrator.add_column("outbox", "next_attempt_at", DateTimeField(null=True)),
    )
    db.execute_sql("UPDATE learner SET email_verified_at = created_at")
    types = (dict(serial="SERIAL", bool="BOOLEAN", ts="TIMESTAMP") if isinstance(db, PostgresqlDatabase)
             else dict(serial="INTEGER", bool="INTEGER", ts="DATETIME"))
    for sql in TABLES:
        db.execute_sql(sql.format(**types))
