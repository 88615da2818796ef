"""Meetings whose registrants get the CE free (issue 15, `free_for_registrants`): the registration
list staff import, one row per meeting and badge ID (the unique index makes a re-imported list a
no-op), with the email the registrant gave. A registrant's enrolment itself is an `orders` row of
0.00 (gateway "registration"), so the one-order-per-learner-and-activity index keeps it single.
The table is declared here, frozen, not imported from the models.
"""
from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, Model


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

    class Registration(Base):
        id = AutoField()
        activity = ForeignKeyField(Activity, on_delete="RESTRICT")
        badge_id = CharField(max_length=40)
        email = CharField(max_length=254, index=True)
        imported_by = ForeignKeyField(Learner, null=True, on_delete="RESTRICT")
        created_at = DateTimeField()

        class Meta:
            table_name = "registration"
            indexes = ((("activity", "badge_id"), True),)

    db.create_tables([Registration], safe=True)
