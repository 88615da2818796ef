"""Migration 0014 on a database that has data: claims corrected under the first design (migration
0009's `superseded_certificate`: the live row took the new code) and a staff reissue under the
second (0010's `superseded_by`). After it, every old code still verifies as superseded, with the
hours and issue date it stated, pointing at the code that replaced it; each claim's current code
verifies as valid; nothing is lost (the old table is kept under a new name); and the server then
works on the migrated rows (a further correction, the transcript, the staff learner page)."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from playhouse.migrations import Runner

from claimserver.cli import MIGRATIONS
from claimserver.clock import FixedClock
from tests import factories as F
from tests.conftest import ACTIVITIES, DEFAULT_NOW, PG_HOST, PG_PORT, _pg_reachable

BEFORE = "0011_meeting_sessions"  # the last migration before 0014 on this branch's main


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    """An EMPTY database (no migrations applied), unlike the suite's shared migrated ones."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    if not _pg_reachable():
        pytest.skip(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}")
    import psycopg2

    name = (f"{os.environ.get('CEPORTAL_TEST_DB_PREFIX', 'ceportal_test')}_mig_"
            f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{name}"


@pytest.fixture
def old_app(fresh_url, tmp_path):
    """The app on a database migrated up to BEFORE only (catalogue synced), no app context held."""
    from claimserver import create_app
    from claimserver.catalog_sync import sync
    from claimserver.db import database

    app = create_app({"CE_ENV": "testing", "TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE_URL": fresh_url, "CATALOG_PATH": str(ACTIVITIES), "MAIL_BACKEND": "file",
                      "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), "WTF_CSRF_ENABLED": False,
                      "SERVER_URL": "http://ce.test", "SITE_URL": "http://catalogue.test",
                      "SESSION_HOURS": 24 * 365 * 10})
    app.extensions["clock"] = FixedClock(DEFAULT_NOW)
    with app.app_context():
        database.connect(reuse_if_open=True)
        Runner(database.obj, directory=str(MIGRATIONS)).up(target=BEFORE)
        sync(app.config["CATALOG_PATH"])
        database.close()
    yield app
    if not database.is_closed():
        database.close()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()  # the PostgreSQL pool: the next run drops this database


T0, T1, T2, T3 = (dt.datetime(2027, 3, 13, 15), dt.datetime(2027, 3, 14, 9), dt.datetime(2027, 3, 16, 10),
                  dt.datetime(2027, 3, 18, 11))


def _certificate(db, claim_id, code, name, issued_at):
    """A certificate row as the code before 0014 wrote it (no quarter_hours column yet)."""
    db.execute_sql('INSERT INTO "certificate" ("claim_id", "code", "name", "issued_at", "revoked_reason", '
                   '"details") VALUES (%s, %s, %s, %s, %s, %s)'
                   .replace("%s", db.param), (claim_id, code, name, issued_at, "",
                                              '{"profession": "physician", "degree": "MD"}'))
    return db.execute_sql('SELECT "id" FROM "certificate" WHERE "code" = ' + db.param, (code,)).fetchone()[0]


def _old_correction(db, cert_id, claim_id, old_code, new_code, name, from_q, to_q, issued_at, at):
    """What records.corrections.correct_hours did under 0009: the live row takes the new code and
    issue time, the old code and hours move to superseded_certificate, the claim takes the hours."""
    p = db.param
    db.execute_sql(f'UPDATE "certificate" SET "code" = {p}, "issued_at" = {p} WHERE "id" = {p}', (new_code, at, cert_id))
    db.execute_sql(f'INSERT INTO "superseded_certificate" ("certificate_id", "code", "name", "quarter_hours", '
                   f'"issued_at", "superseded_at", "superseded_by", "reason") VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})',
                   (cert_id, old_code, name, from_q, issued_at, at, new_code, "hours corrected"))
    db.execute_sql(f'UPDATE "claim" SET "quarter_hours" = {p} WHERE "id" = {p}', (to_q, claim_id))


def test_old_codes_verify_as_superseded_and_current_ones_as_valid_after_0014(old_app):
    from claimserver.db import database as db
    from claimserver.models import Certificate, Claim
    from claimserver.records import operations as ops

    ctx = old_app.app_context()
    ctx.push()
    db.connect(reuse_if_open=True)
    ada = F.create_learner(first_name="Ada", last_name="Lovelace", certificate_name="Ada Lovelace",
                           profession="physician", degree="MD")
    F.create_order(ada, "stewardship-webinar")
    F.create_participation(ada, "stewardship-webinar")
    F.create_evaluation(ada, "stewardship-webinar")
    codes = {k: ops.new_code() for k in ("a1", "a2", "a3", "b1", "b2", "b3")}
    # Claim A (AMA, up to 1.5): 0.75 at T0, corrected to 1 at T1, then to 1.5 at T2 (first design).
    a = F.create_claim(ada, "stewardship-webinar", "ama_pra_1", hours="0.75")
    a_cert = _certificate(db.obj, a.id, codes["a1"], "Ada Lovelace", T0)
    _old_correction(db.obj, a_cert, a.id, codes["a1"], codes["a2"], "Ada Lovelace", 3, 4, T0, T1)
    _old_correction(db.obj, a_cert, a.id, codes["a2"], codes["a3"], "Ada Lovelace", 4, 6, T1, T2)
    # Claim B: staff reissued B1 (name misspelt) as B2 at T1 (second design: B1 keeps its row), then
    # the learner corrected 1.5 -> 1 at T3 (first design: B2's row took the code B3).
    bea = F.create_learner(certificate_name="Bea Smith", profession="physician")
    b = F.create_claim(bea, "stewardship-webinar", "ama_pra_1", hours="1.5")
    b1_row = _certificate(db.obj, b.id, codes["b1"], "Bea Smyth", T0)
    p = db.obj.param  # reissue's order: the old row steps aside, the new row, the pointer
    db.execute_sql(f'UPDATE "certificate" SET "superseded_by_id" = "id" WHERE "id" = {p}', (b1_row,))
    b2_row = _certificate(db.obj, b.id, codes["b2"], "Bea Smith", T1)
    db.execute_sql(f'UPDATE "certificate" SET "superseded_by_id" = {p} WHERE "id" = {p}', (b2_row, b1_row))
    _old_correction(db.obj, b2_row, b.id, codes["b2"], codes["b3"], "Bea Smith", 6, 4, T1, T3)

    # the migrations after BEFORE (other features' ones too), 0014 among them
    assert "0014_one_reissue_design" in Runner(db.obj, directory=str(MIGRATIONS)).up()
    assert Runner(db.obj, directory=str(MIGRATIONS)).up() == []  # applied once

    def row(code):
        return Certificate.get(Certificate.code == code)

    # every code is a certificate row of its claim, with the hours and issue time it stated
    got = {k: (row(c).claim_id, row(c).quarter_hours, row(c).issued_at) for k, c in codes.items()}
    assert got == {"a1": (a.id, 3, T0), "a2": (a.id, 4, T1), "a3": (a.id, 6, T2),
                   "b1": (b.id, 6, T0), "b2": (b.id, 6, T1), "b3": (b.id, 4, T3)}
    # each old code points at the one that replaced it; one current certificate per claim
    assert ([row(codes[k]).superseded_by_id for k in ("a1", "a2", "a3")]
            == [row(codes["a2"]).id, row(codes["a3"]).id, None])
    assert ([row(codes[k]).superseded_by_id for k in ("b1", "b2", "b3")]
            == [row(codes["b2"]).id, row(codes["b3"]).id, None])
    assert ops.certificate_for(a).code == codes["a3"] and ops.certificate_for(b).code == codes["b3"]
    assert row(codes["a1"]).name == "Ada Lovelace" and row(codes["a1"]).details["degree"] == "MD"
    # nothing is lost: the first design's table is kept, renamed, with its rows
    tables = set(db.get_tables())
    assert "superseded_certificate" not in tables and "superseded_certificate_0009" in tables
    assert db.execute_sql('SELECT COUNT(*) FROM "superseded_certificate_0009"').fetchone()[0] == 3
    # the migrated schema is the models' schema
    assert ({c.name for c in db.get_columns("certificate")}
            == {f.column_name for f in Certificate._meta.sorted_fields})
    db.close()
    ctx.pop()

    client = old_app.test_client()

    def verify(code):
        return " ".join(client.get(f"/verify/{code}").get_data(as_text=True).split())

    for old, new, hours, when in [("a1", "a2", "0.75", "March 14, 2027"), ("a2", "a3", "1", "March 16, 2027"),
                                  ("b1", "b2", "1.5", "March 14, 2027"), ("b2", "b3", "1.5", "March 18, 2027")]:
        text = verify(codes[old])
        assert (f'<span class="status warn">Superseded</span> This certificate was superseded by certificate '
                f'<a href="/verify/{codes[new]}">{codes[new]}</a>, issued on {when}.') in text, old
        assert f"<td>{hours}</td>" in text and "Valid" not in text, old
    for current, hours in (("a3", "1.5"), ("b3", "1")):
        text = verify(codes[current])
        assert '<span class="status done">Valid</span>' in text and f"<td>{hours}</td>" in text
    assert "Bea Smyth" in verify(codes["b1"]) and "Bea Smyth" not in verify(codes["b3"])

    # the server goes on from the migrated rows: Ada corrects claim A again and sees only the new code
    with old_app.app_context():
        db.connect(reuse_if_open=True)
        F.login(client, ada)
        db.close()
    done = client.post(f"/certificates/{a.id}/hours", data={"hours": "1.25"}, follow_redirects=True)
    assert f"the old code {codes['a3']} now shows it was superseded" in done.get_data(as_text=True)
    transcript = client.get("/transcript").get_data(as_text=True)
    with old_app.app_context():
        db.connect(reuse_if_open=True)
        now = ops.certificate_for(Claim.get_by_id(a.id))
        assert now.code not in codes.values() and now.quarter_hours == 5
        assert Certificate.get(Certificate.code == codes["a3"]).superseded_by_id == now.id
        assert Certificate.select().where(Certificate.claim == a.id, Certificate.current()).count() == 1
        chain = Certificate.get(Certificate.code == codes["a1"])
        while chain.superseded_by_id is not None:  # every old code leads to the current certificate
            chain = chain.superseded_by
        assert chain.id == now.id
        db.close()
    assert now.code in transcript and [k for k in ("a1", "a2", "a3") if codes[k] in transcript] == []
    assert '<td data-label="Hours" class="num">1.25</td>' in transcript
    text = verify(codes["a3"])
    assert "Superseded" in text and "<td>1.5</td>" in text and now.code in text
