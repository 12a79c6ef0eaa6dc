"""``flask ankle-intake ...``: the commands a clinic's IT runs on the server.

Erasing is here and not behind an HTTP route: the host's authorization hook
says who may see intakes, not who may destroy them, and a shell on the server
already implies the right to the database. The commands print ids and counts,
never an answer, and log the same.
"""

from __future__ import annotations

import datetime as dt
import logging

import click
from flask import Blueprint

from .state import state

log = logging.getLogger("ankle_intake")


def register(bp: Blueprint) -> None:
    bp.cli.command("init-db")(init_db)
    bp.cli.command("delete")(delete)
    bp.cli.command("purge")(purge)


def init_db() -> None:
    """Create the ankle-intake tables in the configured database (safe to repeat)."""
    storage = state().storage
    storage.create_tables()
    url = storage.engine.url.render_as_string(hide_password=True)
    storage.dispose()
    click.echo(f"ankle-intake: table ready in {url}")


@click.argument("record_id")
def delete(record_id: str) -> None:
    """Erase one stored intake (a mistaken entry, or the patient's request)."""
    storage = state().storage
    try:
        if not storage.delete(record_id):
            raise click.ClickException(
                "no intake has this id (ids look like 8d1a50b7-399a-4765-8d57-521c16b8a2c9)"
            )
    finally:
        storage.dispose()
    log.info("ankle-intake erased assessment %s", record_id)
    click.echo(f"ankle-intake: erased {record_id}")


@click.option("--older-than", "days", type=click.IntRange(min=1), required=True,
              help="Erase intakes stored more than this many days ago.")
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
@click.option("--yes", is_flag=True, help="Do not ask first (for cron).")
def purge(days: int, dry_run: bool, yes: bool) -> None:
    """Erase every intake older than the clinic's retention period."""
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(days=days)
    storage = state().storage
    try:
        due = storage.purge(before, dry_run=True)
        if dry_run or due == 0:
            click.echo(f"ankle-intake: {due} intake(s) stored before {before.isoformat()}")
            return
        if not yes:
            click.confirm(f"Erase {due} intake(s) stored before {before.isoformat()}? "
                          "This cannot be undone", abort=True)
        erased = storage.purge(before)
    finally:
        storage.dispose()
    log.info("ankle-intake purged %d assessment(s) stored before %s", erased, before.isoformat())
    click.echo(f"ankle-intake: erased {erased} intake(s) stored before {before.isoformat()}")
