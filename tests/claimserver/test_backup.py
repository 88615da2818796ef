"""The restore drill, on SQLite and PostgreSQL: back up a database holding a learner's whole record,
restore it into a new database, and find every row, a verifiable certificate and the record-keeping
triggers there; refuse to restore over a database that has data; prune only old backup files."""
from __future__ import annotations

import datetime as dt
import os

import psycopg2
import pytest
from peewee import IntegrityError, InternalError, OperationalError

from claimserver import create_app
from claimserver.backup import BackupError, prune, restore
from claimserver.db import database
from claimserver.models import ALL_MODELS, AuditLog, Certificate, Claim, audit
from claimserver.records import operations as ops
from tests import factories as F


def _counts() -> dict[str, int]:
    return {m._meta.table_name: m.select().count() for m in ALL_MODELS}


@pytest.fixture
def target(db_url, tmp_path):
    """A URL for the restored database: a new SQLite file, or a new, empty PostgreSQL database."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'claimserver.sqlite3'}"
        return
    name = f"{os.environ.get('CEPORTAL_TEST_DB_PREFIX', 'ceportal_test')}_restore_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    if not database.is_closed():
        database.close()
    database.obj.close_idle() if hasattr(database.obj, "close_idle") else None
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_backup_then_restore_into_a_new_database_keeps_everything(app, ctx, runner, tmp_path, target, app_config):
    who = F.create_learner(certificate_name="Rosalind Restored")
    F.create_order(who, "stewardship-webinar")
    F.create_participation(who, "stewardship-webinar")
    F.create_evaluation(who, "stewardship-webinar")
    claim = F.create_claim(who, "stewardship-webinar", "ama_pra_1", hours="1.5")
    cert = Certificate.create(claim=claim, code=ops.new_code(), name=who.certificate_name,
                              issued_at=dt.datetime(2027, 3, 13, 15))
    audit(who, "drill.marker", f"learner:{who.id}")
    before = _counts()
    assert before["certificate"] == 1 and before["audit_log"] >= 1

    out = runner.invoke(args=["db", "backup", "--to-dir", str(tmp_path / "backups")]).output
    assert "backup written and checked: " in out
    [file] = list((tmp_path / "backups").iterdir())
    assert file.name.startswith("ceportal-") and file.suffix in (".dump", ".sqlite3")
    database.close()

    out = runner.invoke(args=["db", "restore", str(file), "--into", target]).output
    assert f"restored {file} into {target}" in out

    restored = create_app({**app_config, "DATABASE_URL": target})
    with restored.app_context():
        database.connect(reuse_if_open=True)
        assert _counts() == before
        assert AuditLog.get(AuditLog.action == "drill.marker").actor_id == who.id
        with pytest.raises((IntegrityError, InternalError, OperationalError), match="records are never deleted"):
            with database.atomic():
                Claim.delete().execute()
        database.close()
    page = restored.test_client().get(f"/verify/{cert.code}").text
    assert "Valid" in page and "Rosalind Restored" in page


def test_restore_refuses_a_target_that_already_has_data(app, ctx, tmp_path, db_url):
    F.create_learner()
    database.close()
    with pytest.raises(BackupError, match="exists: restore into a new file|not empty: restore into a new"):
        from claimserver.backup import backup

        restore(backup(db_url, tmp_path / "b"), db_url)


def test_prune_removes_only_old_backup_files_and_never_the_newest(tmp_path):
    now = dt.datetime(2027, 3, 13, 3, 30, tzinfo=dt.timezone.utc)
    names = [f"ceportal-{(now - dt.timedelta(days=d)):%Y%m%dT%H%M%SZ}.dump" for d in (100, 40, 20, 0)]
    for n in names + ["notes.txt"]:
        (tmp_path / n).write_text("x")
    gone = prune(tmp_path, 35, now=now)
    assert sorted(p.name for p in gone) == sorted(names[:2])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:] + ["notes.txt"])
    assert prune(tmp_path, 35, now=now + dt.timedelta(days=400)) == [tmp_path / names[2]]
    assert (tmp_path / names[3]).exists()  # the newest stays, however old
    with pytest.raises(BackupError, match="at least 7"):
        prune(tmp_path, 1)
