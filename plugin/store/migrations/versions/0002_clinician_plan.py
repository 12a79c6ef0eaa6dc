"""The clinician decides: status, plan, signature and versions; the audit trail; worklist indexes.

Records stored before this release were handed out as the engine suggested
them, so each becomes signed version 1 with the engine's plan (signed by
nobody, at the time it was stored); its handout still reprints from the
stored assessment, as it did.

Revision ID: 0002
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 500


def _engine_plan(assessment: dict[str, Any]) -> dict[str, Any]:
    """The plan a record stored before 0002 was given: the engine's suggestion, as it was.

    Frozen here (not imported) so this migration means the same whatever the
    code later becomes.
    """
    exercises = []
    for ex in assessment.get("exercises") or []:
        dose = ex.get("default_dose") or {}
        exercises.append({
            "id": ex["id"], "sets": dose.get("sets"), "reps": dose.get("reps"),
            "hold_seconds": dose.get("hold_seconds"), "times": dose.get("times"),
            "per": dose.get("per"),
        })
    return {
        "triage_level": (assessment.get("triage") or {}).get("level"),
        "override_reason": None,
        "exercises": exercises,
        "patient_note": "",
        "record_note": "",
        "review_date": None,
    }


def upgrade() -> None:
    with op.batch_alter_table("ankle_intake_assessments") as batch:
        batch.add_column(sa.Column("status", sa.String(8), nullable=False,
                                   server_default="draft"))
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("plan", sa.JSON, nullable=True))
        batch.add_column(sa.Column("triage_level", sa.String(16), nullable=True))
        batch.add_column(sa.Column("created_by", sa.String(128), nullable=True))
        batch.add_column(sa.Column("signed_by_id", sa.String(128), nullable=True))
        batch.add_column(sa.Column("signed_by_name", sa.String(120), nullable=True))
        batch.add_column(sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True))
    table = "ankle_intake_assessments"
    op.drop_index("ix_ankle_intake_assessments_patient_ref", table_name=table)
    op.create_index("ix_ankle_intake_assessments_created", table, ["created_at", "id"])
    op.create_index("ix_ankle_intake_assessments_patient", table,
                    ["patient_ref", "created_at", "id"])
    op.create_index("ix_ankle_intake_assessments_status", table, ["status", "created_at", "id"])
    op.create_index("ix_ankle_intake_assessments_clinician", table,
                    ["signed_by_id", "created_at", "id"])
    op.create_index("ix_ankle_intake_assessments_creator", table,
                    ["created_by", "created_at", "id"])
    versions = op.create_table(
        "ankle_intake_versions",
        sa.Column("assessment_id", sa.String(36), sa.ForeignKey("ankle_intake_assessments.id"),
                  primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("plan", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("signed_by_id", sa.String(128), nullable=True),
        sa.Column("signed_by_name", sa.String(120), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=True),
    )
    op.create_table(
        "ankle_intake_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("assessment_id", sa.String(36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
    )
    op.create_index("ix_ankle_intake_audit_record", "ankle_intake_audit", ["assessment_id", "id"])
    _sign_existing(versions)


def _sign_existing(versions: sa.Table) -> None:
    """Every record already stored becomes signed version 1 with the engine's plan."""
    bind = op.get_bind()
    records = sa.table(
        "ankle_intake_assessments", sa.column("id", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("assessment", sa.JSON), sa.column("status", sa.String),
        sa.column("plan", sa.JSON), sa.column("triage_level", sa.String),
        sa.column("signed_at", sa.DateTime(timezone=True)),
    )
    last = ""
    while True:
        rows = bind.execute(
            sa.select(records.c.id, records.c.created_at, records.c.assessment)
            .where(records.c.id > last).order_by(records.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            plan = _engine_plan(row.assessment or {})
            bind.execute(records.update().where(records.c.id == row.id).values(
                status="signed", plan=plan, triage_level=plan["triage_level"],
                signed_at=row.created_at))
            bind.execute(versions.insert().values(
                assessment_id=row.id, version=1, plan=plan, reason=None,
                signed_at=row.created_at, pdf=None))
        last = rows[-1].id


def downgrade() -> None:
    op.drop_table("ankle_intake_audit")
    op.drop_table("ankle_intake_versions")
    table = "ankle_intake_assessments"
    for name in ("created", "patient", "status", "clinician", "creator"):
        op.drop_index(f"ix_ankle_intake_assessments_{name}", table_name=table)
    op.create_index("ix_ankle_intake_assessments_patient_ref", table, ["patient_ref"])
    with op.batch_alter_table(table) as batch:
        for column in ("status", "version", "plan", "triage_level", "created_by",
                       "signed_by_id", "signed_by_name", "signed_at"):
            batch.drop_column(column)
