"""Alembic's environment for the plugin's own migrations, run in-process by :mod:`..migrate`.

The connection comes from the caller (``config.attributes["connection"]``), so
a migration runs inside the lock the caller holds; the version table is the
plugin's own (``ankle_intake_alembic_version``), never the host's.
"""

from __future__ import annotations

from alembic import context

from ankle_intake.store.tables import VERSION_TABLE, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
