"""Meetings (issue 15): attendance and a short evaluation per session of a meeting, and the
learner's badge ID for rosters of badge scans.

Two new tables (one row per learner, meeting and session: the unique index makes a repeated code or
scan a no-op); `ADD COLUMN … NOT NULL DEFAULT ''` on `learner` (badge) and `claim` (session), as in
0006, so SQLite keeps the tables and 0002's triggers; the claim's unique index gains the session
(a meeting's ACPE credit is one claim per session UAN, one CPE Monitor record each). The tables are declared here, frozen, not imported from the models.
"""
from peewee import (SQL, AutoField, BooleanField, CharField, Check, DateTimeField, ForeignKeyField,
                    IntegerField, Model, TextField)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db

    class Learner(Base):
        class Meta:
            table_name = "learner"

    class Activity(Base):
        class Meta:
            table_name = "activity"

    class SessionAttendance(Base):
        id = AutoField()
        learner = ForeignKeyField(Learner, on_delete="RESTRICT")
        activity = ForeignKeyField(Activity, on_delete="RESTRICT")
        session = CharField(max_length=40)
        method = CharField(max_length=12)
        scanned_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            table_name = "session_attendance"
            indexes = ((("learner", "activity", "session"), True),)

    class SessionEvaluation(Base):
        id = AutoField()
        learner = ForeignKeyField(Learner, on_delete="RESTRICT")
        activity = ForeignKeyField(Activity, on_delete="RESTRICT")
        session = CharField(max_length=40)
        objectives_met = CharField(max_length=8)
        bias_free = BooleanField()
        quality = IntegerField(constraints=[Check("quality BETWEEN 1 AND 5")])
        comment = TextField()
        submitted_at = DateTimeField()

        class Meta:
            table_name = "session_evaluation"
            indexes = ((("learner", "activity", "session"), True),)

    db.create_tables([SessionAttendance, SessionEvaluation], safe=True)
    migrator.migrate(
        migrator.add_column("learner", "badge_id",
                            CharField(max_length=40, default="", constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
        migrator.add_index("learner", ("badge_id",), False),
        # ACPE on a meeting: one claim per session UAN, so the claim's uniqueness includes the session
        migrator.add_column("claim", "session",
                            CharField(max_length=40, default="", constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
        migrator.drop_index("claim", "claim_learner_id_activity_id_credit_type"),
        migrator.add_index("claim", ("learner_id", "activity_id", "credit_type", "session"), True))
