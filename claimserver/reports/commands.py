"""`flask reports …`: export files, record results, list deadlines, sync the ledger, print layouts.

Registered on the blueprint's CLI group ("reports"). Each command only parses options, calls the
ledger and prints; the ledger does the writes.
"""
from __future__ import annotations

from pathlib import Path

import click

from . import bp, layouts

DESTINATIONS = tuple(layouts.LAYOUTS)


def _pars_off(destination: str) -> bool:
    from .ledger import pars_enabled

    return destination == "pars" and not pars_enabled()


@bp.cli.command("export")
@click.argument("destination", type=click.Choice(DESTINATIONS))
@click.option("--all", "include_all", is_flag=True,
              help="Also re-send items already exported and not yet accepted.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (CPE Monitor: -P/-T is added before the extension). "
                   "Default: the batch's own name in the current folder.")
def export_command(destination: str, include_all: bool, out: str | None) -> None:
    """Write DESTINATION's due items to CSV and mark them exported."""
    from . import ledger

    if _pars_off(destination):
        raise click.ClickException("PARS reporting is off (setting PARS_REPORTING)")
    synced = ledger.sync_ledger()
    if synced.created or synced.requeued:
        click.echo(f"ledger: {synced}")

    def progress(i: int, n: int) -> None:
        if i == n or i % 100 == 0:
            click.echo(f"  checked {i}/{n}")

    result = ledger.export(destination, include_all=include_all, progress=progress)
    names: dict[int, str] = {}
    for batch in result.batches:
        if out:
            path, group = Path(out), result.groups.get(batch.id)
            if group:  # CPE Monitor: pharmacists and technicians never share a file
                path = path.with_name(f"{path.stem}-{group}{path.suffix}")
        else:
            path = Path(batch.filename)
        path.write_text(batch.content, encoding="utf-8", newline="")
        names[batch.id] = str(path)
    click.echo(result.summary(names))
    for b in result.blocked:
        learner = b.item.claim.learner
        click.echo(f"  blocked item {b.item.id} ({learner.email}, {b.item.claim.activity.slug}): {b.reason}")


@bp.cli.command("record-results")
@click.argument("destination", type=click.Choice(DESTINATIONS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def record_results_command(destination: str, file: str) -> None:
    """Record accepted/rejected lines from a response FILE (CSV: Item or key columns, Status, Message).

    Exits 1 when any line was not recorded (the good lines are recorded all the same)."""
    from . import ledger

    try:
        text = Path(file).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text") from None
    try:
        summary = ledger.record_results(destination, text)
    except ledger.ResultsFileError as e:
        raise click.ClickException(f"{file}: {e}; nothing recorded") from None
    click.echo(f"{file}: {summary}")
    for p in summary.problems:
        click.echo(f"  {p}")
    if summary.problems:  # cron and scripts must notice lines that were not recorded
        raise click.exceptions.Exit(1)


@bp.cli.command("deadlines")
@click.option("--destination", type=click.Choice(DESTINATIONS), default=None)
def deadlines_command(destination: str | None) -> None:
    """List open report items by days left; warnings at day 30/50 (CPE Monitor) and 20 (CE Broker)."""
    from . import ledger

    ledger.sync_ledger()
    rows = ledger.open_items(destination)
    if not rows:
        click.echo("no open report items")
        return
    click.echo(f"{'item':>6}  {'destination':12} {'status':9} {'participated':12} {'deadline':10} "
               f"{'day':>4}  left / warning")
    for o in rows:
        it = o.item
        flag = {"warn": "WARNING", "urgent": "URGENT", "missed": "MISSED"}.get(o.state.level, "")
        note = f"{o.state.label}{'  ' + flag if flag and not o.state.missed else ''}"
        if o.blocked:
            note += f"  (blocked: {o.blocked})"
        click.echo(f"{it.id:>6}  {it.destination:12} {it.status:9} "
                   f"{layouts.us_date(it.claim.participated_on):12} "
                   f"{layouts.us_date(it.deadline) if it.deadline else '-':10} {o.state.days_since:>4}  {note}"
                   f"  {it.claim.learner.email}")


@bp.cli.command("sync")
def sync_command() -> None:
    """Create report items for claims that lack them; re-queue corrected rejections."""
    from . import ledger

    click.echo(f"ledger: {ledger.sync_ledger()}")


@bp.cli.command("layouts")
def layouts_command() -> None:
    """Print every export's columns as Markdown (the source of docs/reporting-formats.md)."""
    click.echo(layouts.layouts_markdown(), nl=False)


@bp.cli.command("remind-at-risk")
def remind_at_risk_command() -> None:
    """Email learners whose report was rejected or is blocked by missing profile data (once), and
    again a week before the last day it can be reported; then send the outbox. Cron-safe."""
    from ..mail import drain
    from .alerts import remind_at_risk

    click.echo(f"at risk: {remind_at_risk()}")
    sent, failed = drain(limit=10000)
    click.echo(f"sent {sent}, failed {failed} (failed ones are retried next run)")
