"""The transcript benchmark's floor: a minimal Flask + peewee page listing 20 rows from SQLite.

Served by gunicorn (`bench.minimal_app:app`); BENCH_MINIMAL_DB names the database file.
"""
from __future__ import annotations

import os

from flask import Flask, render_template_string
from peewee import CharField, IntegerField, Model, SqliteDatabase

db = SqliteDatabase(os.environ.get("BENCH_MINIMAL_DB", ":memory:"), pragmas={"journal_mode": "wal"})


class Row(Model):
    title = CharField()
    hours = IntegerField()

    class Meta:
        database = db


PAGE = """<!doctype html><html><head><title>Rows</title></head><body><table>
{% for r in rows %}<tr><td>{{ r.id }}</td><td>{{ r.title }}</td><td>{{ r.hours }}</td></tr>{% endfor %}
</table></body></html>"""

app = Flask(__name__)


@app.before_request
def _connect():
    db.connect(reuse_if_open=True)


@app.teardown_request
def _close(exc):
    if not db.is_closed():
        db.close()


@app.get("/")
def index():
    return render_template_string(PAGE, rows=list(Row.select().order_by(Row.id).limit(20)))


def create(path: str) -> None:
    db.init(path)
    with db:
        db.create_tables([Row])
        Row.insert_many([{"title": f"Activity {i}", "hours": i % 4 + 1} for i in range(20)]).execute()
