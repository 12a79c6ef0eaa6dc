"""A FHIR client's ``QuestionnaireResponse.authored``, kept with the record (issue 13 item 10).

Nullable and without a default: records stored before, and every intake from
the form or the JSON API, have none.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLE = "ankle_intake_assessments"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("authored", sa.Text, nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite >= 3.35): a batch rebuild would lose 0003's expression index.
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN authored")
