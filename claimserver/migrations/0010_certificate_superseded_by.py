"""A certificate can be reissued (staff correct the printed name; issue 14): the old row stays,
marked `superseded_by` the new one, so its code still verifies and says "superseded by …".

A claim therefore has one *current* certificate (superseded_by NULL) and any number of superseded
ones: the unique index on certificate.claim_id becomes a plain index plus a partial unique index
over current rows. `ADD COLUMN … REFERENCES` and index changes keep SQLite's table (and the triggers
of migration 0002) in place.
"""


def up(migrator, db):
    db.execute_sql('ALTER TABLE "certificate" ADD COLUMN "superseded_by_id" INTEGER '
                   'REFERENCES "certificate" ("id") ON DELETE RESTRICT')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "certificate_superseded_by_id" ON "certificate" ("superseded_by_id")')
    db.execute_sql('DROP INDEX IF EXISTS "certificate_claim_id"')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "certificate_claim_id" ON "certificate" ("claim_id")')
    db.execute_sql('CREATE UNIQUE INDEX IF NOT EXISTS "certificate_claim_id_current" ON "certificate" '
                   '("claim_id") WHERE "superseded_by_id" IS NULL')
