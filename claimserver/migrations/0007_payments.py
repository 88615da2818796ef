"""Real payments (issue 12): the provider's events processed once, refund lines, and what a receipt
prints about the payment method.

- `payment_event`: one row per provider event id (unique), written with its effect; never deleted.
- `refund`: a refund line of an order; deletable only with a demo learner's order, as in 0002.
- `orders.method_brand`, `orders.method_last4`, `orders.refunded_at`; `payment_attempt.idempotency_key`,
  `payment_attempt.updated_at`: each an `ADD COLUMN … DEFAULT`, so SQLite keeps its tables and
  0002's triggers.
- Attempt statuses move to catalog.status.PaymentStatus: approved → succeeded, declined → failed.
"""
from peewee import SQL, CharField, DateTimeField, PostgresqlDatabase

TABLES = {
    "sqlite": [
        'CREATE TABLE IF NOT EXISTS "payment_event" ("id" INTEGER NOT NULL PRIMARY KEY, "gateway" VARCHAR(20) NOT NULL, "event_id" VARCHAR(100) NOT NULL, "type" VARCHAR(60) NOT NULL, "reference" VARCHAR(100) NOT NULL, "order_id" INTEGER, "outcome" VARCHAR(20) NOT NULL, "message" VARCHAR(300) NOT NULL, "received_at" DATETIME NOT NULL, "resolved_at" DATETIME, "resolved_by_id" INTEGER, FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE RESTRICT, FOREIGN KEY ("resolved_by_id") REFERENCES "learner" ("id") ON DELETE RESTRICT)',
        'CREATE TABLE IF NOT EXISTS "refund" ("id" INTEGER NOT NULL PRIMARY KEY, "order_id" INTEGER NOT NULL, "amount_cents" INTEGER NOT NULL CHECK (amount_cents > 0), "reference" VARCHAR(100) NOT NULL, "reason" VARCHAR(300) NOT NULL, "certificates" VARCHAR(10) NOT NULL, "created_by_id" INTEGER, "created_at" DATETIME NOT NULL, FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE RESTRICT, FOREIGN KEY ("created_by_id") REFERENCES "learner" ("id") ON DELETE RESTRICT)',
    ],
    "postgresql": [
        'CREATE TABLE IF NOT EXISTS "payment_event" ("id" SERIAL NOT NULL PRIMARY KEY, "gateway" VARCHAR(20) NOT NULL, "event_id" VARCHAR(100) NOT NULL, "type" VARCHAR(60) NOT NULL, "reference" VARCHAR(100) NOT NULL, "order_id" INTEGER, "outcome" VARCHAR(20) NOT NULL, "message" VARCHAR(300) NOT NULL, "received_at" TIMESTAMP NOT NULL, "resolved_at" TIMESTAMP, "resolved_by_id" INTEGER, FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE RESTRICT, FOREIGN KEY ("resolved_by_id") REFERENCES "learner" ("id") ON DELETE RESTRICT)',
        'CREATE TABLE IF NOT EXISTS "refund" ("id" SERIAL NOT NULL PRIMARY KEY, "order_id" INTEGER NOT NULL, "amount_cents" INTEGER NOT NULL CHECK (amount_cents > 0), "reference" VARCHAR(100) NOT NULL, "reason" VARCHAR(300) NOT NULL, "certificates" VARCHAR(10) NOT NULL, "created_by_id" INTEGER, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE RESTRICT, FOREIGN KEY ("created_by_id") REFERENCES "learner" ("id") ON DELETE RESTRICT)',
    ],
}
INDEXES = [
    'CREATE UNIQUE INDEX IF NOT EXISTS "payment_event_event_id" ON "payment_event" ("event_id")',
    'CREATE INDEX IF NOT EXISTS "payment_event_order_id" ON "payment_event" ("order_id")',
    'CREATE INDEX IF NOT EXISTS "payment_event_resolved_by_id" ON "payment_event" ("resolved_by_id")',
    'CREATE INDEX IF NOT EXISTS "refund_order_id" ON "refund" ("order_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "refund_reference" ON "refund" ("reference")',
    'CREATE INDEX IF NOT EXISTS "refund_created_by_id" ON "refund" ("created_by_id")',
    'CREATE INDEX IF NOT EXISTS "payment_attempt_reference" ON "payment_attempt" ("reference")',
]
#: table -> SQL over OLD, true for a demo learner's row; None: never deletable (as in 0002)
KEPT = {
    "refund": "(SELECT l.is_demo FROM orders o JOIN learner l ON l.id = o.learner_id WHERE o.id = OLD.order_id)",
    "payment_event": None,
}


def _keep(db, postgres: bool) -> None:
    for table, demo in KEPT.items():
        message = f"{table} rows are kept: records are never deleted"
        if postgres:
            check = f"IF NOT COALESCE({demo}, false) THEN " if demo else "IF true THEN "
            db.execute_sql(f"""
                CREATE OR REPLACE FUNCTION keep_{table}() RETURNS trigger AS $$
                BEGIN
                  {check}RAISE EXCEPTION '{message}'; END IF;
                  RETURN OLD;
                END $$ LANGUAGE plpgsql""")
            db.execute_sql(f"DROP TRIGGER IF EXISTS keep_{table} ON {table}")
            db.execute_sql(f"CREATE TRIGGER keep_{table} BEFORE DELETE ON {table} "
                           f"FOR EACH ROW EXECUTE FUNCTION keep_{table}()")
        else:
            when = f"WHEN NOT COALESCE({demo}, 0) " if demo else ""
            db.execute_sql(f"CREATE TRIGGER IF NOT EXISTS keep_{table} BEFORE DELETE ON {table} {when}"
                           f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for statement in TABLES["postgresql" if postgres else "sqlite"] + INDEXES:
        db.execute_sql(statement)
    text = lambda n: CharField(max_length=n, default="", constraints=[SQL("DEFAULT ''")])  # noqa: E731
    migrator.migrate(
        migrator.add_column("orders", "method_brand", text(30), allow_not_null=True),
        migrator.add_column("orders", "method_last4", text(4), allow_not_null=True),
        migrator.add_column("orders", "refunded_at", DateTimeField(null=True)),
        migrator.add_column("payment_attempt", "idempotency_key", text(80), allow_not_null=True),
        migrator.add_column("payment_attempt", "updated_at", DateTimeField(null=True)),
    )
    db.execute_sql("UPDATE payment_attempt SET status = 'succeeded' WHERE status = 'approved'")
    db.execute_sql("UPDATE payment_attempt SET status = 'failed' WHERE status = 'declined'")
    _keep(db, postgres)
