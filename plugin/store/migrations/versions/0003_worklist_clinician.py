"""The worklist's clinician filter as one index: who signed, or for a draft who stored it.

The filter was an OR across two columns, which neither database could answer
from one index (measured at 1,000,000 records: SQLite 1 s, PostgreSQL 3 s for a
deep page). One expression index on ``coalesce(signed_by_id, created_by)``
answers it in under a millisecond, and the creator index it replaces goes.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLE = "ankle_intake_assessments"


def upgrade() -> None:
    op.drop_index("ix_ankle_intake_assessments_clinician", table_name=TABLE)
    op.drop_index("ix_ankle_intake_assessments_creator", table_name=TABLE)
    op.create_index("ix_ankle_intake_assessments_clinician", TABLE,
                    [sa.text("coalesce(signed_by_id, created_by)"), "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_ankle_intake_assessments_clinician", table_name=TABLE)
    op.create_index("ix_ankle_intake_assessments_clinician", TABLE,
                    ["signed_by_id", "created_at", "id"])
    op.create_index("ix_ankle_intake_assessments_creator", TABLE,
                    ["created_by", "created_at", "id"])
