"""The store as release 0.1.0 made it: intakes and their idempotency keys.

A store made before migrations existed already has both tables; they are left
as they are and only the version is recorded.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "ankle_intake_assessments" not in existing:
        op.create_table(
            "ankle_intake_assessments",
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("patient_ref", sa.String(64), nullable=True),
            sa.Column("encounter_ref", sa.String(64), nullable=True),
            sa.Column("rules_version", sa.String(64), nullable=False),
            sa.Column("answers", sa.JSON, nullable=False),
            sa.Column("assessment", sa.JSON, nullable=False),
        )
        op.create_index("ix_ankle_intake_assessments_patient_ref", "ankle_intake_assessments",
                        ["patient_ref"])
    if "ankle_intake_idempotency_keys" not in existing:
        op.create_table(
            "ankle_intake_idempotency_keys",
            sa.Column("key", sa.String(255), primary_key=True),
            sa.Column("fingerprint", sa.String(64), nullable=False),
            sa.Column("assessment_id", sa.String(36),
                      sa.ForeignKey("ankle_intake_assessments.id"), nullable=False),
        )


def downgrade() -> None:
    op.drop_table("ankle_intake_idempotency_keys")
    op.drop_table("ankle_intake_assessments")
