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
from flask import Blueprint, current_app

from .auth import current_user
from .forms import InvalidAnswers
from .state import state

log = logging.getLogger("ankle_intake")


def register(bp: Blueprint) -> None:
    bp.cli.command("migrate")(migrate)
    bp.cli.command("init-db")(init_db)
    bp.cli.command("sign")(sign)
    bp.cli.command("audit")(audit)
    bp.cli.command("delete")(delete)
    bp.cli.command("purge")(purge)


def _migrate() -> None:
    storage = state().storage
    try:
        revision = storage.create_tables()
        url = storage.engine.url.render_as_string(hide_password=True)
    finally:
        storage.dispose()
    click.echo(f"ankle-intake: every table ready, at revision {revision}, in {url}")


def migrate() -> None:
    """Bring the ankle-intake tables to this release's schema (safe to repeat).

    Creates them in an empty database; upgrades a store made by an earlier
    release with the plugin's own Alembic migrations (version table
    ankle_intake_alembic_version, so a host's own Alembic is untouched).
    """
    _migrate()


def init_db() -> None:
    """Old name of migrate, kept so existing deploy scripts keep working."""
    click.echo("ankle-intake: init-db is now called migrate; running migrate.")
    _migrate()


_NO_RECORD = "no intake has this id (ids look like 8d1a50b7-399a-4765-8d57-521c16b8a2c9)"


@click.argument("record_id")
@click.option("--user-id", required=True, help="The clinician's user id, as the host names it.")
@click.option("--user-name", required=True, help="The clinician's name, printed as signed.")
def sign(record_id: str, user_id: str, user_name: str) -> None:
    """Sign a draft's plan as the clinician named (version 1; the record is then locked).

    It takes the same path as the review page and the API: the host's
    ANKLE_INTAKE_CURRENT_USER is replaced, for this command only, by the
    clinician given here, inside a request context of its own (a clinic-details
    callable may need one).
    """
    from .store import review
    from .store.decisions import Locked, Unknown

    app = current_app._get_current_object()
    key = "ANKLE_INTAKE_CURRENT_USER"
    host_hook = app.config.get(key)
    app.config[key] = lambda: {"id": user_id, "name": user_name}
    storage = state().storage
    try:
        with app.test_request_context():
            if current_user() is None:
                raise click.ClickException("--user-id must name someone (not blank).")
            record = review.sign(record_id)
    except Unknown:
        raise click.ClickException(_NO_RECORD) from None
    except Locked as exc:
        raise click.ClickException(str(exc)) from None
    except InvalidAnswers as exc:
        fields = ", ".join(sorted(exc.errors))
        raise click.ClickException(f"the saved plan is refused ({fields}); "
                                   "fix it on the review page") from None
    finally:
        app.config[key] = host_hook
        storage.dispose()
    log.info("ankle-intake signed assessment %s (version %s)", record["id"], record["version"])
    click.echo(f"ankle-intake: signed {record['id']} as version {record['version']} "
               f"by {record['signed_by']['id']}")


@click.argument("record_id")
def audit(record_id: str) -> None:
    """Print the audit trail of one record: when, which user id, what (kept after an erase)."""
    from .store import parse_id

    storage = state().storage
    try:
        canonical = parse_id(record_id)
        rows = storage.audit_trail(canonical) if canonical else []
    finally:
        storage.dispose()
    if not rows:
        raise click.ClickException("nothing is recorded for this id")
    for row in rows:
        version = "" if row["version"] is None else f"v{row['version']}"
        click.echo(f"{row['at']}  {row['action']:<7} {version:<4} {row['user'] or '-'}")


@click.argument("record_id")
@click.option("--user-id", default=None, help="Who asked for the erase, for the audit trail.")
def delete(record_id: str, user_id: str | None) -> None:
    """Erase one stored intake (a mistaken entry, or the patient's request).

    Its audit rows stay, with an "erase" row added: they hold no answers and no names.
    """
    storage = state().storage
    try:
        if not storage.delete(record_id, user_id.strip()[:128] if user_id else None):
            raise click.ClickException(_NO_RECORD)
    finally:
        storage.dispose()
    log.info("ankle-intake erased assessment %s", record_id)
    click.echo(f"ankle-intake: erased {record_id}")


#: The longest retention ``purge`` takes: 100 years. Beyond it the cut-off date
#: would fall before year 1 (an OverflowError), and no clinic keeps records longer.
MAX_RETENTION_DAYS = 36525


@click.option("--older-than", "days", type=click.IntRange(min=1, max=MAX_RETENTION_DAYS),
              required=True,
              help=f"Erase intakes stored more than this many days ago "
                   f"(1 to {MAX_RETENTION_DAYS}).")
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
