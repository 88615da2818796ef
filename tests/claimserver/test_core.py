"""The app factory, configuration, migrations, catalogue sync and web hygiene, on both databases."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from claimserver import create_app
from claimserver.catalog_sync import sync
from claimserver.config import ConfigError
from claimserver.models import Activity, ActivityVersion
from tests.conftest import ACTIVITIES


STRONG_KEY = "k3Y-" + "abcdefghijklmnopqrstuvwxyz0123456789"
#: What production needs besides a database: a strong key and a real payment gateway.
PRODUCTION = {"CE_ENV": "production", "SECRET_KEY": STRONG_KEY, "PAYMENT_GATEWAY": "stripe",
              "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_PUBLISHABLE_KEY": "pk_live_x",
              "STRIPE_WEBHOOK_SECRET": "whsec_x"}


@pytest.mark.parametrize("key, message", [
    ("dev-only-not-secret", "SECRET_KEY must be set"),
    ("short", "SECRET_KEY must be set"),
    ("a" * 40, "SECRET_KEY must be set"),
])
def test_production_refuses_weak_secret_key(key, message, tmp_path):
    with pytest.raises(ConfigError, match=message):
        create_app({"CE_ENV": "production", "SECRET_KEY": key,
                    "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_production_starts_with_strong_key_and_debug_off(tmp_path):
    app = create_app({**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.debug is False
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_needs_a_database_url(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="DATABASE_URL must be set in production"):
        create_app(PRODUCTION)
    assert create_app({"CE_ENV": "testing"}).config["DATABASE_URL"].startswith("sqlite:///")


def test_production_refuses_the_test_payment_gateway(tmp_path):
    with pytest.raises(ConfigError, match="PAYMENT_GATEWAY cannot be the test gateway"):
        create_app({**PRODUCTION, "PAYMENT_GATEWAY": "test", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert create_app({"CE_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
                      ).config["PAYMENT_GATEWAY"] == "test"
    staging = create_app({**PRODUCTION, "PAYMENT_GATEWAY": "test", "TEST_PAYMENTS_IN_PRODUCTION": True,
                          "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert staging.config["CE_ENV"] == "production"


def test_catalogue_site_variables_are_not_unknown_settings(caplog):
    from claimserver.config import from_environment

    with caplog.at_level("WARNING", logger="claimserver.config"):
        out = from_environment({"CE_CATALOG_TODAY": "2027-03-01", "CE_CLAIM_URL": "https://ce.example.org",
                                "CE_SITE_URL": "https://site.example.org"})
        assert caplog.records == []
        from_environment({"CE_SITE_URLL": "typo"})
    assert out == {"SITE_URL": "https://site.example.org"}
    assert [r.getMessage() for r in caplog.records] == ["unknown setting CE_SITE_URLL ignored"]


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("CE_PROVIDER_NAME", "Society for Testing")
    monkeypatch.setenv("CE_REMEMBER_DAYS", "7")
    app = create_app({"CE_ENV": "testing"})
    assert app.config["DATABASE_URL"].endswith("env.db")
    assert app.config["PROVIDER_NAME"] == "Society for Testing"
    assert app.config["REMEMBER_DAYS"] == 7


def test_migrations_are_idempotent(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    assert "up to date" in result.output
    status = runner.invoke(args=["db", "status"])
    assert "applied  0001_initial" in status.output


def test_sync_is_idempotent_and_skips_drafts(ctx):
    slugs = {a.slug for a in Activity.select()}
    assert "stewardship-webinar" in slugs and "draft-activity" not in slugs
    result = sync(ctx.config["CATALOG_PATH"])
    assert result.created == [] and result.updated == [] and len(result.unchanged) == len(slugs)
    assert ActivityVersion.select().count() == len(slugs)


def test_edit_makes_new_version_and_removal_hides(ctx, tmp_path):
    folder = tmp_path / "acts"
    shutil.copytree(ACTIVITIES, folder)
    path = folder / "stewardship-webinar.md"
    path.write_text(path.read_text().replace("price: 25.00", "price: 30.00"))
    (folder / "past-workshop-2025.md").unlink()
    result = sync(folder)
    assert result.updated == ["stewardship-webinar"]
    assert result.hidden == ["past-workshop-2025"]
    row = Activity.get(Activity.slug == "stewardship-webinar")
    assert [v.version for v in row.versions.order_by(ActivityVersion.version)] == [1, 2]
    assert row.current.price_cents == 3000
    old = Activity.get(Activity.slug == "past-workshop-2025")
    assert old.hidden and old.versions.count() == 1  # kept, not deleted
    shutil.copy(ACTIVITIES / "past-workshop-2025.md", folder)
    assert sync(folder).restored == ["past-workshop-2025"]


def test_sync_command_refuses_a_broken_catalogue(runner, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.md").write_text("---\ntitle: x\n---\n")
    result = runner.invoke(args=["catalog", "sync", "--path", str(bad)])
    assert result.exit_code == 1
    assert "broken.md:2: error: missing required key `format`" in result.output
    assert "nothing was synced" in result.output
    assert "Traceback" not in result.output


def test_sync_command_reports_summary(runner):
    result = runner.invoke(args=["catalog", "sync"])
    assert result.exit_code == 0, result.output
    assert "catalogue synced: 0 new, 0 updated, 4 unchanged, 0 hidden" in result.output


@pytest.mark.parametrize("path", [
    "/certificates/99999999999999999999999",
    "/certificates/9223372036854775808.pdf",
    "/staff/reports/batches/99999999999999999999999.csv",
])
def test_integers_too_large_for_the_database_are_404(client, rows, path):
    from tests.factories import create_learner, login

    login(client, create_learner(roles="staff"))
    assert client.get(path).status_code == 404
    assert client.get("/certificates/9223372036854775807").status_code == 404  # the largest still routes


def test_no_password_hash_is_computed_at_import():
    import subprocess
    import sys

    code = ("import claimserver.auth as a; calls = []; real = a.hash_password\n"
            "a.hash_password = lambda p: calls.append(p) or real(p)\n"
            "import claimserver.accounts.operations as ops\n"
            "assert calls == [], calls\n"
            "assert ops.check_password(ops._dummy(), 'x') is False and len(calls) == 1")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_security_headers_and_plain_404(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert b"Page not found" in r.data
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]


def test_errors_show_a_reference_not_a_traceback(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    r = app.test_client().get("/boom")
    assert r.status_code == 500
    body = r.get_data(as_text=True)
    assert "reference" in body and "secret internals" not in body and "Traceback" not in body


def test_grant_director_role(runner, ctx):
    from tests.factories import create_learner

    learner = create_learner(email="dir@example.org")
    result = runner.invoke(args=["users", "grant-director", "DIR@example.org "])
    assert result.exit_code == 0, result.output
    learner = type(learner).get_by_id(learner.id)
    assert learner.has_role("director")
    missing = runner.invoke(args=["users", "grant-staff", "nobody@example.org"])
    assert missing.exit_code == 1 and "no learner with email" in missing.output


def test_clock_setting_moves_time_outside_production(tmp_path):
    import datetime as dt

    from claimserver.clock import now

    app = create_app({"CE_ENV": "testing", "CLOCK": "2027-06-15T09:30",
                      "DATABASE_URL": f"sqlite:///{tmp_path}/c.db"})
    with app.app_context():
        assert now() == dt.datetime(2027, 6, 15, 9, 30, tzinfo=dt.timezone.utc)
    with pytest.raises(ConfigError, match="CE_CLOCK must be a date"):
        create_app({"CE_ENV": "testing", "CLOCK": "next tuesday", "DATABASE_URL": f"sqlite:///{tmp_path}/c.db"})
    with pytest.raises(ConfigError, match="cannot be set in production"):
        create_app({**PRODUCTION, "CLOCK": "2027-06-15", "DATABASE_URL": f"sqlite:///{tmp_path}/c.db"})


@pytest.mark.parametrize("delete", [
    lambda m, F: m.Claim.delete().execute(),
    lambda m, F: m.Certificate.delete().execute(),
    lambda m, F: m.Order.delete().execute(),
    lambda m, F: m.Learner.delete().execute(),
    lambda m, F: m.ActivityVersion.delete().execute(),
    lambda m, F: m.AuditLog.delete().execute(),
    lambda m, F: m.AuditLog.update(action="tampered").execute(),
], ids=["claim", "certificate", "order", "learner", "activity-version", "audit-delete", "audit-update"])
def test_the_database_refuses_to_lose_records(ctx, delete):
    from peewee import DatabaseError

    from claimserver import models as m
    from claimserver.db import database
    from tests import factories as F

    learner = F.create_learner()
    claim = F.create_claim(learner, "stewardship-webinar", "ama_pra_1", hours="1.5")
    m.Certificate.create(claim=claim, code="TEST-CODE-0000-0001", name="Ada")
    F.create_order(learner, "stewardship-webinar")
    m.audit(learner, "test.action")
    with pytest.raises(DatabaseError, match="never deleted|append-only"):
        with database.atomic():
            delete(m, F)
    assert m.Claim.select().count() == 1 and m.AuditLog.select().count() >= 1


def test_demo_rows_may_still_be_replaced(ctx):
    from claimserver import models as m
    from tests import factories as F

    demo = F.create_learner(is_demo=True)
    claim = F.create_claim(demo, "stewardship-webinar", "ama_pra_1", hours="1.5")
    m.Certificate.create(claim=claim, code="TEST-CODE-0000-0002", name="Demo")
    m.Certificate.delete().execute()
    m.Claim.delete().execute()
    m.Learner.delete().where(m.Learner.id == demo.id).execute()
    assert m.Claim.select().count() == 0


def test_migrations_build_exactly_the_models_schema(ctx):
    """A model changed without a numbered migration fails here, on both databases."""
    from claimserver.db import database
    from claimserver.models import ALL_MODELS

    for model in ALL_MODELS:
        table = model._meta.table_name
        in_db = {c.name for c in database.get_columns(table)}
        in_model = {f.column_name for f in model._meta.sorted_fields}
        assert in_db == in_model, f"{table}: add a migration for {in_model ^ in_db}"
        unique_db = {tuple(i.columns) for i in database.get_indexes(table) if i.unique}
        for fields, unique in model._meta.indexes:
            if unique:
                cols = tuple(model._meta.fields[f].column_name for f in fields)
                assert cols in unique_db, f"{table}: unique index on {cols} is missing"


def test_current_versions_are_the_newest_of_each_activity_in_one_query(ctx, tmp_path):
    from claimserver.models import ActivityVersion

    folder = tmp_path / "activities"
    shutil.copytree(ACTIVITIES, folder)
    path = folder / "stewardship-webinar.md"
    path.write_text(path.read_text().replace("price: 25.00", "price: 30.00"))
    sync(folder)
    rows = list(Activity.select())
    got = ActivityVersion.current_for(r.id for r in rows)
    assert {a: v.id for a, v in got.items()} == {r.id: r.current.id for r in rows}
    assert got[Activity.get(Activity.slug == "stewardship-webinar").id].version == 2
    assert ActivityVersion.current_for([]) == {}


@pytest.mark.parametrize("missing", ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"])
def test_stripe_gateway_needs_its_keys(tmp_path, missing):
    with pytest.raises(ConfigError, match=f"PAYMENT_GATEWAY=stripe needs CE_{missing}"):
        create_app({**PRODUCTION, missing: "", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    with pytest.raises(ConfigError, match="PAYMENT_GATEWAY must be test or stripe, not 'paypal'"):
        create_app({**PRODUCTION, "PAYMENT_GATEWAY": "paypal", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
