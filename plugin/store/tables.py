"""The plugin's tables, all named ``ankle_intake_*`` so they never meet a host's.

The shape here is the newest one; :mod:`.migrations` brings an older store to
it (``flask ankle-intake migrate``), with a version table of the plugin's own.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
)

metadata = MetaData()

#: The Alembic version table of the plugin's own: a host's ``alembic_version`` is untouched.
VERSION_TABLE = "ankle_intake_alembic_version"

assessments = Table(
    "ankle_intake_assessments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("patient_ref", String(64), nullable=True),
    Column("encounter_ref", String(64), nullable=True),
    Column("rules_version", String(64), nullable=False),
    Column("answers", JSON, nullable=False),
    Column("assessment", JSON, nullable=False),
    # The clinician's side (contract 5): a draft until signed, then changed by addenda.
    Column("status", String(8), nullable=False, server_default="draft"),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("plan", JSON, nullable=True),
    Column("triage_level", String(16), nullable=True),
    Column("created_by", String(128), nullable=True),
    Column("signed_by_id", String(128), nullable=True),
    Column("signed_by_name", String(120), nullable=True),
    Column("signed_at", DateTime(timezone=True), nullable=True),
    # Contract 6: the episode the record is a visit of, and which visit (1 = first intake).
    Column("episode_id", String(36), nullable=True),
    Column("visit", Integer, nullable=True),
    # A FHIR client's QuestionnaireResponse.authored, kept as sent (migration 0005).
    Column("authored", Text, nullable=True),
    # The worklist pages newest first by (created_at, id), under each filter.
    Index("ix_ankle_intake_assessments_created", "created_at", "id"),
    Index("ix_ankle_intake_assessments_patient", "patient_ref", "created_at", "id"),
    Index("ix_ankle_intake_assessments_status", "status", "created_at", "id"),
    Index("ix_ankle_intake_assessments_episode", "episode_id", "visit", unique=True),
)
#: Who a record belongs to on the worklist: who signed it, or for a draft who stored it.
CLINICIAN = func.coalesce(assessments.c.signed_by_id, assessments.c.created_by)
Index("ix_ankle_intake_assessments_clinician", CLINICIAN, assessments.c.created_at,
      assessments.c.id)

#: Episodes of care (contract 6): a runner's visits, from the first intake to discharge.
episodes = Table(
    "ankle_intake_episodes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_ref", String(64), nullable=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("opened_by", String(128), nullable=True),
    Column("status", String(12), nullable=False, server_default="open"),
    Column("discharged_at", DateTime(timezone=True), nullable=True),
    Column("discharged_by", String(128), nullable=True),
    Column("discharge_reason", String(32), nullable=True),
)
#: Why an episode ends.
DISCHARGE_REASONS = ("goals_met", "referred_on", "did_not_return", "patient_choice", "other")

#: ``Idempotency-Key`` values, each written in the same transaction as its record.
idempotency_keys = Table(
    "ankle_intake_idempotency_keys",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("assessment_id", String(36), ForeignKey("ankle_intake_assessments.id"),
           nullable=False),
)

#: Every signed version of a record: its plan, who signed it, and the PDF as printed.
versions = Table(
    "ankle_intake_versions",
    metadata,
    Column("assessment_id", String(36), ForeignKey("ankle_intake_assessments.id"),
           primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("plan", JSON, nullable=False),
    Column("reason", Text, nullable=True),
    Column("signed_by_id", String(128), nullable=True),
    Column("signed_by_name", String(120), nullable=True),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    Column("pdf", LargeBinary, nullable=True),
)

#: Who did what to which record, and when. Append-only; no answers and no names,
#: so it outlives an erased record; hence no foreign key.
audit = Table(
    "ankle_intake_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("assessment_id", String(36), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_id", String(128), nullable=True),
    Column("action", String(16), nullable=False),
    Column("version", Integer, nullable=True),
    Index("ix_ankle_intake_audit_record", "assessment_id", "id"),
)

#: What the audit trail records.
AUDIT_ACTIONS = ("create", "view", "plan", "sign", "amend", "print", "export", "erase",
                 "discharge")
