"""Episodes of care (contract 6): a runner's visits linked, a follow-up continuing one.

Every record gets an ``episode_id`` and its ``visit`` number in the episode.
Records stored before episodes existed each open an episode of their own (the
episode takes the record's id, patient and date): nothing links them, because
nothing said they belonged together.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLE = "ankle_intake_assessments"
EPISODES = "ankle_intake_episodes"


def upgrade() -> None:
    op.create_table(
        EPISODES,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("patient_ref", sa.String(64), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(128), nullable=True),
        sa.Column("status", sa.String(12), nullable=False, server_default="open"),
        sa.Column("discharged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discharged_by", sa.String(128), nullable=True),
        sa.Column("discharge_reason", sa.String(32), nullable=True),
    )
    op.add_column(TABLE, sa.Column("episode_id", sa.String(36), nullable=True))
    op.add_column(TABLE, sa.Column("visit", sa.Integer, nullable=True))
    op.execute(
        f"INSERT INTO {EPISODES} (id, patient_ref, opened_at, opened_by, status) "
        f"SELECT id, patient_ref, created_at, created_by, 'open' FROM {TABLE}"
    )
    op.execute(f"UPDATE {TABLE} SET episode_id = id, visit = 1")
    op.create_index("ix_ankle_intake_assessments_episode", TABLE, ["episode_id", "visit"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("ix_ankle_intake_assessments_episode", table_name=TABLE)
    # Plain ALTER TABLE (SQLite >= 3.35): a batch rebuild would lose 0003's expression index.
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN visit")
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN episode_id")
    op.drop_table(EPISODES)
