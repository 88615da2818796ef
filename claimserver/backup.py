"""Backups and restores of the claim server's database (`flask db backup`, `flask db restore`).

- PostgreSQL: `pg_dump --format=custom` (schema, data, the record-keeping triggers of migration
  0002), checked straight away by listing it back with `pg_restore --list`; restored with
  `pg_restore` into an EMPTY database, never over a live one.
- SQLite: the online backup API (`sqlite3.Connection.backup`), consistent while the server keeps
  writing; checked with `PRAGMA integrity_check`; restored by copying it to a path that does not
  exist yet.

Records are kept at least 6 years (ACCME): the database never deletes them (migration 0002), so
every backup holds the whole history. `--keep-days` only prunes old backup FILES in the backup
folder of this host; keep an off-site copy of at least one backup a month for 6 years
(deploy/README.md). The restore drill in tests/claimserver/test_backup.py runs on both databases.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Backup files this module writes and prunes; nothing else in the folder is touched.
PREFIX = "ceportal-"
#: ACCME: participation records kept and verifiable for 6 years. Pruning refuses to leave the
#: folder with no backup younger than this many days (a misconfigured --keep-days cannot empty it).
MIN_KEEP_DAYS = 7


class BackupError(RuntimeError):
    """A backup or restore that did not complete; the message says why."""


def _sqlite_path(url: str) -> Path:
    return Path(url[len("sqlite:///"):])


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore connection options for a postgresql:// URL (password via the environment)."""
    u = urlsplit(url.replace("postgresql+pool://", "postgresql://", 1))
    args = ["--host", u.hostname or "127.0.0.1", "--port", str(u.port or 5432),
            "--username", unquote(u.username or "postgres"), "--dbname", u.path.lstrip("/")]
    env = {**os.environ}
    if u.password:
        env["PGPASSWORD"] = unquote(u.password)
    return args, env


def _run(cmd: list[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"{cmd[0]} is not installed (Debian: apt-get install postgresql-client)") from None
    if done.returncode:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def backup(url: str, folder: str | Path, now: dt.datetime | None = None) -> Path:
    """Write one checked backup of the database at `url` into `folder`; returns its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    if url.startswith("sqlite:///"):
        target = folder / f"{PREFIX}{stamp}.sqlite3"
        partial = target.with_suffix(".partial")
        src = sqlite3.connect(_sqlite_path(url))
        dest = sqlite3.connect(partial)
        try:
            src.backup(dest)
            ok = dest.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dest.close()
            src.close()
        if ok != "ok":
            partial.unlink(missing_ok=True)
            raise BackupError(f"the SQLite backup failed its integrity check: {ok}")
    else:
        target = folder / f"{PREFIX}{stamp}.dump"
        partial = target.with_suffix(".partial")
        args, env = _pg_args(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial), *args], env)
        listing = _run(["pg_restore", "--list", str(partial)], env)
        if "TABLE DATA" not in listing:
            partial.unlink(missing_ok=True)
            raise BackupError("the dump lists no table data; it was not kept")
    partial.replace(target)  # only a complete, checked file gets the backup's name
    return target


def restore(path: str | Path, url: str) -> None:
    """Restore a backup into an empty database (PostgreSQL) or a new file (SQLite)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    if url.startswith("sqlite:///"):
        target = _sqlite_path(url)
        if target.exists():
            raise BackupError(f"{target} exists: restore into a new file, then switch DATABASE_URL to it")
        target.parent.mkdir(parents=True, exist_ok=True)
        src, dest = sqlite3.connect(path), sqlite3.connect(target)
        try:
            src.backup(dest)
        finally:
            dest.close()
            src.close()
        return
    args, env = _pg_args(url)
    tables = _run(["psql", "--no-psqlrc", "--tuples-only", "--command",
                   "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", *args], env)
    if tables.strip() not in ("", "0"):
        raise BackupError("the target database is not empty: restore into a new, empty database "
                          "(createdb), check it, then point DATABASE_URL at it")
    _run(["pg_restore", "--no-owner", "--exit-on-error", *args, str(path)], env)


def prune(folder: str | Path, keep_days: int, now: dt.datetime | None = None) -> list[Path]:
    """Delete this module's backup files older than `keep_days` from `folder` (never the newest)."""
    if keep_days < MIN_KEEP_DAYS:
        raise BackupError(f"--keep-days must be at least {MIN_KEEP_DAYS}")
    now = now or dt.datetime.now(dt.timezone.utc)
    files = sorted(p for p in Path(folder).glob(f"{PREFIX}*") if p.suffix in (".dump", ".sqlite3"))
    gone = []
    for p in files[:-1]:
        try:
            when = dt.datetime.strptime(p.stem[len(PREFIX):], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
        except ValueError:
            continue
        if now - when > dt.timedelta(days=keep_days):
            p.unlink()
            gone.append(p)
    return gone

