"""Core `flask` commands: db upgrade/status, catalog sync/codes, users grant/revoke, demo load.

Feature commands live with their feature (`flask outcomes send-due`, `flask reports export`) as
blueprint CLI groups. Heavy imports happen inside each command so `--help` always works.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

db_cli = AppGroup("db", help="Database schema: numbered migrations, never drop-and-recreate.")
catalog_cli = AppGroup("catalog", help="Bring the activity files into the database.")
users_cli = AppGroup("users", help="Grant and revoke roles.")
demo_cli = AppGroup("demo", help="Clearly marked demonstration data (never in production).")

MIGRATIONS = Path(__file__).parent / "migrations"
ROLES = ("director", "staff")


def upgrade() -> list[str]:
    from playhouse.migrations import Runner

    from .db import database

    database.connect(reuse_if_open=True)
    return Runner(database.obj, directory=str(MIGRATIONS)).up()


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    applied = upgrade()
    click.echo(f"applied {len(applied)} migration(s): {', '.join(applied)}" if applied
               else "database is up to date")


@db_cli.command("status")
def db_status() -> None:
    """List migrations and whether each is applied."""
    from playhouse.migrations import Runner

    from .db import database

    database.connect(reuse_if_open=True)
    for m in Runner(database.obj, directory=str(MIGRATIONS)).status():
        click.echo(f"{'applied' if m.applied else 'pending':8} {m.name}")


@db_cli.command("backup")
@click.option("--to-dir", "folder", required=True, type=click.Path(file_okay=False),
              help="Folder for the backup file (created if missing).")
@click.option("--keep-days", type=int, default=None,
              help="Also delete this folder's backup files older than this many days (never the newest).")
def db_backup(folder: str, keep_days: int | None) -> None:
    """Back up the database (pg_dump, or SQLite's online backup) and check the file."""
    from . import backup

    try:
        path = backup.backup(current_app.config["DATABASE_URL"], folder)
        gone = backup.prune(folder, keep_days) if keep_days is not None else []
    except backup.BackupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"backup written and checked: {path} ({path.stat().st_size} bytes)"
               + (f"; {len(gone)} old backup file(s) removed" if gone else ""))


@db_cli.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, exists=True))
@click.option("--into", "url", required=True,
              help="An EMPTY PostgreSQL database URL, or a sqlite:/// path that does not exist yet.")
def db_restore(backup_file: str, url: str) -> None:
    """Restore a backup into a new database (never over the live one)."""
    from . import backup

    try:
        backup.restore(backup_file, url)
    except backup.BackupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"restored {backup_file} into {url}; check it, then point DATABASE_URL at it")


@catalog_cli.command("sync")
@click.option("--path", default=None, help="Catalogue folder (default: CATALOG_PATH).")
def catalog_sync(path: str | None) -> None:
    """Store every published activity as a versioned row; hide removed ones."""
    from .catalog_sync import run

    def progress(i: int, n: int, slug: str) -> None:
        if i == n or i % 25 == 0:
            click.echo(f"  {i}/{n} {slug}")

    done = run(path or current_app.config["CATALOG_PATH"], progress=progress)
    if not done.ok:
        for p in done.problems:
            click.echo(p, err=True)
        raise click.ClickException("the catalogue has errors; nothing was synced") from None
    click.echo(f"catalogue synced: {done.result.summary()}")


@catalog_cli.command("codes")
@click.argument("slug", required=False)
def catalog_codes(slug: str | None) -> None:
    """Show live activities' attendance codes (staff only: never publish them)."""
    from .models import Activity

    q = Activity.select().order_by(Activity.slug)
    if slug:
        q = q.where(Activity.slug == slug)
    for a in q:
        click.echo(f"{a.attendance_code}  {a.slug}{'  (hidden)' if a.hidden else ''}")


def _grant(email: str, role: str, grant: bool) -> None:
    """The staff page's operation (claimserver.learners.operations.set_role): same rules, same audit."""
    from .learners.operations import set_role
    from .models import Learner
    from .refusals import Refused

    learner = Learner.by_email(email)
    if learner is None:
        raise click.ClickException(f"no learner with email {email}")
    try:
        set_role(learner, role, grant, None)
    except Refused as e:
        raise click.ClickException(e.message) from None
    click.echo(f"{email}: roles now {learner.roles or '(none)'}")


@users_cli.command("grant-director")
@click.argument("email")
def grant_director(email: str) -> None:
    """Let EMAIL open the course directors' outcome pages."""
    _grant(email, "director", True)


@users_cli.command("grant-staff")
@click.argument("email")
def grant_staff(email: str) -> None:
    """Let EMAIL open staff pages (reporting, rosters, attendance codes)."""
    _grant(email, "staff", True)


@users_cli.command("revoke")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def revoke(email: str, role: str) -> None:
    """Take ROLE away from EMAIL."""
    _grant(email, role, False)


@demo_cli.command("load")
@click.option("--force", is_flag=True, help="Load even if demo data is already present.")
def demo_load(force: bool) -> None:
    """Load demonstration learners, purchases, evaluations, claims and follow-ups."""
    if current_app.config["CE_ENV"] == "production":
        raise click.ClickException("demo data is never loaded in production")
    from .demo import load_demo

    summary = load_demo(force=force, echo=click.echo)
    click.echo(summary)


@demo_cli.command("remove")
def demo_remove() -> None:
    """Delete every demonstration learner and their rows (needed before serving in production)."""
    from .demo import remove_demo

    click.echo(f"removed {remove_demo()} demonstration learner(s)")


def init_app(app: Flask) -> None:
    from .records.commands import certificates_cli

    for group in (db_cli, catalog_cli, users_cli, demo_cli, certificates_cli):
        app.cli.add_command(group)

    @app.cli.command("send-mail")
    @click.option("--every", type=float, default=None,
                  help="Keep running: drain the outbox every SECONDS (the mail sender service).")
    @click.option("--runs", type=int, default=None, help="With --every: stop after this many passes.")
    def send_mail(every: float | None, runs: int | None) -> None:
        """Send every queued email in the outbox (requests only queue mail)."""
        from .mail import drain, serve

        if every:
            serve(every, runs)
            return
        sent, failed = drain(limit=10000)
        click.echo(f"sent {sent}, failed {failed} (failed ones are retried later, with back-off)")


def run_email_job(run) -> None:
    """What every cron job that emails learners does around its work (`flask outcomes send-due`,
    `flask learning send-reminders`): warn when the links would point at the default SERVER_URL,
    run `run(echo=...)` with a database connection, and print its summary."""
    from .config import DEFAULTS
    from .db import database

    cfg = current_app.config
    if cfg["CE_ENV"] != "testing" and cfg["SERVER_URL"].rstrip("/") == DEFAULTS["SERVER_URL"].rstrip("/"):
        click.echo(f"warning: SERVER_URL is the default {DEFAULTS['SERVER_URL']}: links in the emails point "
                   "there. Set CE_SERVER_URL to this server's public address.", err=True)
    opened = database.connect(reuse_if_open=True)
    try:
        result = run(echo=click.echo)
    finally:
        if opened:
            database.close()
    click.echo(result.summary())
