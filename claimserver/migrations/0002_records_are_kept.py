"""Records are never deleted, enforced by the database itself (ACCME: participation records are kept
and verifiable for 6 years; DESIGN.md: versions never deleted, the audit log append-only).

Triggers refuse DELETE on every record table, except rows that belong to clearly marked demo
learners (development only: `flask demo load --force` replaces them), and refuse any UPDATE of the
audit log. A bug, a console session or a future feature can therefore never lose a learner's credit.
"""
from peewee import PostgresqlDatabase

#: table -> SQL expression (over OLD) that is true when the row belongs to a demo learner; None:
#: never deletable.
DEMO_ONLY = {
    "learner": "OLD.is_demo",
    "orders": "(SELECT is_demo FROM learner WHERE id = OLD.learner_id)",
    "payment_attempt": "(SELECT l.is_demo FROM orders o JOIN learner l ON l.id = o.learner_id WHERE o.id = OLD.order_id)",
    "participation": "(SELECT is_demo FROM learner WHERE id = OLD.learner_id)",
    "post_test_attempt": "(SELECT l.is_demo FROM participation p JOIN learner l ON l.id = p.learner_id "
                         "WHERE p.id = OLD.participation_id)",
    "evaluation": "(SELECT is_demo FROM learner WHERE id = OLD.learner_id)",
    "claim": "(SELECT is_demo FROM learner WHERE id = OLD.learner_id)",
    "certificate": "(SELECT l.is_demo FROM claim c JOIN learner l ON l.id = c.learner_id WHERE c.id = OLD.claim_id)",
    "follow_up": "(SELECT is_demo FROM learner WHERE id = OLD.learner_id)",
    "review": "(SELECT is_demo FROM learner WHERE id = OLD.created_by_id)",
    "report_item": "(SELECT l.is_demo FROM claim c JOIN learner l ON l.id = c.learner_id WHERE c.id = OLD.claim_id)",
    "audit_log": "(SELECT is_demo FROM learner WHERE id = OLD.actor_id)",
    "activity": None,
    "activity_version": None,
}


def _sqlite(db):
    for table, demo in DEMO_ONLY.items():
        when = f"WHEN NOT COALESCE({demo}, 0) " if demo else ""
        db.execute_sql(f"CREATE TRIGGER IF NOT EXISTS keep_{table} BEFORE DELETE ON {table} {when}"
                       f"BEGIN SELECT RAISE(ABORT, '{table} rows are kept: records are never deleted'); END")
    db.execute_sql("CREATE TRIGGER IF NOT EXISTS audit_log_append_only BEFORE UPDATE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")


def _postgres(db):
    for table, demo in DEMO_ONLY.items():
        check = f"IF NOT COALESCE({demo}, false) THEN " if demo else "IF true THEN "
        db.execute_sql(f"""
            CREATE OR REPLACE FUNCTION keep_{table}() RETURNS trigger AS $$
            BEGIN
              {check}RAISE EXCEPTION '{table} rows are kept: records are never deleted'; END IF;
              RETURN OLD;
            END $$ LANGUAGE plpgsql""")
        db.execute_sql(f"DROP TRIGGER IF EXISTS keep_{table} ON {table}")
        db.execute_sql(f"CREATE TRIGGER keep_{table} BEFORE DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION keep_{table}()")
    db.execute_sql("""
        CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql""")
    db.execute_sql("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    db.execute_sql("CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")


def up(migrator, db):
    (_postgres if isinstance(db, PostgresqlDatabase) else _sqlite)(db)
