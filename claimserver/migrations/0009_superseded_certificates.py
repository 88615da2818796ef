"""Claim corrections (issue 14): a certificate reissued with a new code keeps its old code, hours
and issue time in `superseded_certificate`, so the old code's verify page says "superseded by …".

The live `certificate` row (one per claim, as before) takes the new code; this table only grows.
Like every record table it refuses DELETE (migration 0002's rule: demo learners' rows excepted).
"""
from peewee import PostgresqlDatabase

COLUMNS = ('"certificate_id" INTEGER NOT NULL, "code" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, '
           '"quarter_hours" INTEGER NOT NULL, "issued_at" {ts} NOT NULL, "superseded_at" {ts} NOT NULL, '
           '"superseded_by" VARCHAR(40) NOT NULL, "reason" VARCHAR(300) NOT NULL, '
           'FOREIGN KEY ("certificate_id") REFERENCES "certificate" ("id") ON DELETE RESTRICT')
INDEXES = [
    'CREATE INDEX IF NOT EXISTS "superseded_certificate_certificate_id" ON "superseded_certificate" ("certificate_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "superseded_certificate_code" ON "superseded_certificate" ("code")',
]
DEMO = ("(SELECT l.is_demo FROM certificate ce JOIN claim c ON c.id = ce.claim_id "
        "JOIN learner l ON l.id = c.learner_id WHERE ce.id = OLD.certificate_id)")
MESSAGE = "superseded_certificate rows are kept: records are never deleted"


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('CREATE TABLE IF NOT EXISTS "superseded_certificate" ("id" SERIAL NOT NULL PRIMARY KEY, '
                       + COLUMNS.format(ts="TIMESTAMP") + ")")
        for sql in INDEXES:
            db.execute_sql(sql)
        db.execute_sql(f"""
            CREATE OR REPLACE FUNCTION keep_superseded_certificate() RETURNS trigger AS $$
            BEGIN
              IF NOT COALESCE({DEMO}, false) THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
              RETURN OLD;
            END $$ LANGUAGE plpgsql""")
        db.execute_sql("DROP TRIGGER IF EXISTS keep_superseded_certificate ON superseded_certificate")
        db.execute_sql("CREATE TRIGGER keep_superseded_certificate BEFORE DELETE ON superseded_certificate "
                       "FOR EACH ROW EXECUTE FUNCTION keep_superseded_certificate()")
    else:
        db.execute_sql('CREATE TABLE IF NOT EXISTS "superseded_certificate" ("id" INTEGER NOT NULL PRIMARY KEY, '
                       + COLUMNS.format(ts="DATETIME") + ")")
        for sql in INDEXES:
            db.execute_sql(sql)
        db.execute_sql(f"CREATE TRIGGER IF NOT EXISTS keep_superseded_certificate BEFORE DELETE ON "
                       f"superseded_certificate WHEN NOT COALESCE({DEMO}, 0) "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
