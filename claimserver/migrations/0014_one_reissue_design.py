"""One way to reissue a certificate (issue 14): a superseded certificate keeps its own row.

Migration 0009 kept a corrected claim's old codes in `superseded_certificate` (the live certificate
row took the new code); migration 0010 kept a reissued certificate's row and pointed it at its
replacement (`certificate.superseded_by_id`). From here on only the second holds, for both:

1. `certificate.quarter_hours`: the hours a certificate prints, frozen at issue (a correction
   reissues, so a superseded certificate keeps the hours it stated). Current certificates take their
   claim's hours; one superseded by a staff reissue takes the hours the claim had then (the "from"
   hours of the first later correction, else the claim's).
2. Each `superseded_certificate` row becomes a `certificate` row of the same claim with its code,
   name, hours and issue time and the live row's frozen details, `superseded_by_id` the row whose
   code replaced it (a chain of corrections stays a chain, ending at the live row); a certificate a
   staff reissue superseded points at the code that replaced it then.
3. The old table is renamed `superseded_certificate_0009` and kept (records are never deleted;
   migration 0009's trigger still refuses DELETE); nothing reads it. Only demo learners' rows go
   (their certificates must stay deletable by `flask demo load --force`, and the old rows point at
   them).

Plain SQL over both databases (INSERT … SELECT, correlated UPDATE), in the migration's one
transaction; a row whose code is already in `certificate` is not copied twice.
"""

ARCHIVE = "superseded_certificate_0009"


def _tables(db) -> set[str]:
    return set(db.get_tables())


def up(migrator, db):
    if "quarter_hours" not in {c.name for c in db.get_columns("certificate")}:
        db.execute_sql('ALTER TABLE "certificate" ADD COLUMN "quarter_hours" INTEGER')
    old = "superseded_certificate" if "superseded_certificate" in _tables(db) else ARCHIVE
    # 2. the old design's codes as certificate rows, pointing (for now) at the live row they came from
    db.execute_sql(
        f'INSERT INTO "certificate" ("claim_id", "code", "name", "issued_at", "revoked_at", "revoked_reason", '
        f'"details", "superseded_by_id", "quarter_hours") '
        f'SELECT c."claim_id", s."code", s."name", s."issued_at", NULL, \'\', c."details", c."id", s."quarter_hours" '
        f'FROM "{old}" s JOIN "certificate" c ON c."id" = s."certificate_id" '
        f'WHERE NOT EXISTS (SELECT 1 FROM "certificate" x WHERE x."code" = s."code") '
        f'ORDER BY s."superseded_at", s."id"')
    # ... then at the certificate whose code replaced each one
    db.execute_sql(
        f'UPDATE "certificate" SET "superseded_by_id" = (SELECT t."id" FROM "{old}" s JOIN "certificate" t '
        f'ON t."code" = s."superseded_by" WHERE s."code" = "certificate"."code") '
        f'WHERE EXISTS (SELECT 1 FROM "{old}" s JOIN "certificate" t ON t."code" = s."superseded_by" '
        f'WHERE s."code" = "certificate"."code")')
    # ... and a certificate a staff reissue superseded points at the code that replaced it then (the
    # first old code of its replacement's row, when that row was corrected since), not at a later one
    db.execute_sql(
        f'UPDATE "certificate" SET "superseded_by_id" = (SELECT m."id" FROM "{old}" s JOIN "certificate" m '
        f'ON m."code" = s."code" WHERE s."certificate_id" = "certificate"."superseded_by_id" '
        f'ORDER BY s."superseded_at", s."id" LIMIT 1) '
        f'WHERE "superseded_by_id" IS NOT NULL AND "code" NOT IN (SELECT "code" FROM "{old}") '
        f'AND EXISTS (SELECT 1 FROM "{old}" s WHERE s."certificate_id" = "certificate"."superseded_by_id")')
    # 1. hours of the rows that had none: current ones print their claim's hours ...
    db.execute_sql('UPDATE "certificate" SET "quarter_hours" = (SELECT cl."quarter_hours" FROM "claim" cl '
                   'WHERE cl."id" = "certificate"."claim_id") '
                   'WHERE "quarter_hours" IS NULL AND "superseded_by_id" IS NULL')
    # ... one a staff reissue superseded printed the hours the claim had then: the "from" hours of the
    # first correction made after it (those point at a later certificate of the claim), else today's.
    db.execute_sql(
        f'UPDATE "certificate" SET "quarter_hours" = COALESCE('
        f'(SELECT s."quarter_hours" FROM "{old}" s JOIN "certificate" later ON later."id" = s."certificate_id" '
        f'WHERE later."claim_id" = "certificate"."claim_id" AND later."id" > "certificate"."id" '
        f'ORDER BY s."superseded_at", s."id" LIMIT 1), '
        f'(SELECT cl."quarter_hours" FROM "claim" cl WHERE cl."id" = "certificate"."claim_id")) '
        f'WHERE "quarter_hours" IS NULL')
    # 3. kept under a name that says what it was; nothing reads it from here on. Demo learners' rows
    # (copied above) go, as 0009's trigger allows, so `flask demo load --force` can still replace them.
    db.execute_sql(f'DELETE FROM "{old}" WHERE "certificate_id" IN (SELECT ce."id" FROM "certificate" ce '
                   f'JOIN "claim" c ON c."id" = ce."claim_id" JOIN "learner" l ON l."id" = c."learner_id" '
                   f'WHERE l."is_demo")')
    if old != ARCHIVE:
        db.execute_sql(f'ALTER TABLE "superseded_certificate" RENAME TO "{ARCHIVE}"')
