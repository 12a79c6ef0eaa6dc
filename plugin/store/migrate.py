"""Bring a store to the newest schema with the plugin's own Alembic migrations.

Run on first use and by ``flask ankle-intake migrate``. Several workers may
start at once on a new store, so the upgrade runs under a lock: PostgreSQL's
transaction-scoped advisory lock, or on SQLite the writers' flock; the second
worker finds the store already at head and does nothing.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from .tables import VERSION_TABLE

SCRIPT_LOCATION = "ankle_intake.store:migrations"
#: Any fixed 64-bit number, the same in every worker: the advisory lock's key.
PG_LOCK_KEY = 0x616E6B6C65  # "ankle"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head() -> str:
    """The newest revision this release knows."""
    return str(ScriptDirectory.from_config(_config()).get_current_head())


def current(engine: Engine) -> str | None:
    """The store's revision; None for an empty store, or one made before migrations."""
    with engine.connect() as conn:
        return MigrationContext.configure(
            conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def upgrade(engine: Engine, lock: AbstractContextManager[None]) -> str:
    """Migrate to head under ``lock`` (the SQLite writers' lock); the revision reached."""
    config = _config()
    target = head()
    with lock, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        found = MigrationContext.configure(
            conn, opts={"version_table": VERSION_TABLE}).get_current_revision()
        if found != target:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    return target
