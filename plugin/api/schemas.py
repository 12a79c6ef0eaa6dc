"""marshmallow schemas of what the plugin sends out: the assessment and the stored record.

They document the API (OpenAPI) and let the tests check real responses against
the documented shape. Loading is lenient about extra keys (``INCLUDE``) because
the clinical core may add output keys; it must not rename or drop these.
"""

from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, fields, validate

from ..forms import AnswersSchema
from ..forms.plan import PlanSchema
from ..store.tables import AUDIT_ACTIONS

TRIAGE_LEVELS = ("continue", "caution", "stop", "see_clinician")
CONFIDENCE = ("likely", "possible")
OTTAWA_RESULTS = ("positive", "negative", "not_assessed", "not_applicable")
URGENCIES = ("emergency", "same_day", "within_1_working_day", "routine")
CHECK_STATUS = ("met", "not_met", "not_examined")
TEST_RESULTS = ("positive", "negative", "not_examined")


class _Out(Schema):
    class Meta:
        unknown = INCLUDE


def _text(**kwargs: object) -> fields.String:
    return fields.String(required=True, **kwargs)


def _texts() -> fields.List:
    return fields.List(fields.String(), required=True)


class TriageSchema(_Out):
    level = _text(validate=validate.OneOf(TRIAGE_LEVELS),
                  metadata={"description": "Ordered continue < caution < stop < see_clinician."})
    label = _text(metadata={"description": "The level in the patient's words."})
    summary = _text(metadata={"description": "The patient's sentence."})
    clinician_label = _text(metadata={"description": "The level in clinical words."})
    clinician_summary = _text(metadata={"description": "The clinician's next step."})
    reasons = _texts()


class ConditionSchema(_Out):
    id = _text()
    name = _text()
    confidence = _text(validate=validate.OneOf(CONFIDENCE))
    summary = _text(metadata={"description": "Plain words, for the patient."})
    clinician_summary = _text(metadata={"description": "Clinical words."})
    reasons = _texts()


class RedFlagSchema(_Out):
    id = _text()
    name = _text()
    text = _text(metadata={"description": "The patient's sentence: what was arranged."})
    urgency = _text(validate=validate.OneOf(URGENCIES))
    action = _text(metadata={"description": "The clinician's next step."})
    refer_to = _text()
    findings = _texts()
    clinician_text = _text()
    holds = _texts()
    blocks_exercise = fields.Boolean(required=True)
    keeps_rice = fields.Boolean(required=True, metadata={
        "description": "False for a medical flag (infection, thrombosis, Charcot): no RICE."})
    source = fields.Dict(required=True)


class ReferralSchema(_Out):
    urgency = _text(validate=validate.OneOf(URGENCIES),
                    metadata={"description": "Set by the most urgent red flag."})
    urgency_label = _text()
    to = _text()
    reasons = _texts()
    patient_text = _texts()


class SpecialTestResultSchema(_Out):
    id = _text()
    name = _text()
    result = _text(validate=validate.OneOf(TEST_RESULTS))
    accuracy = _text(metadata={"description": "Published accuracy, with its source."})
    source = fields.Dict(required=True)


class ExaminationSchema(_Out):
    special_tests = fields.List(fields.Nested(SpecialTestResultSchema), required=True)


class CheckSchema(_Out):
    id = _text()
    text = _text()
    clinician_text = _text()
    status = _text(validate=validate.OneOf(CHECK_STATUS))


class ItemSchema(_Out):
    id = _text()
    text = _text()


class ImagingSchema(_Out):
    ottawa = _text(validate=validate.OneOf(OTTAWA_RESULTS))
    advice = _text()
    clinician_advice = _text()
    scope_reason = fields.String(required=True, allow_none=True,
                                 metadata={"description": "Why the rules were (not) applied."})


class HealingSchema(_Out):
    min_days = fields.Integer(required=True, allow_none=True)
    max_days = fields.Integer(required=True, allow_none=True)
    note = _text()


class WeekSchema(_Out):
    week = fields.Integer(required=True)
    distance = fields.Float(required=True, allow_none=True)
    distance_max = fields.Float(allow_none=True)
    unit = _text(validate=validate.OneOf(("km", "mi")))
    sessions = _text(metadata={"description": "Runs that week."})
    starts = fields.Date(
        allow_none=True,
        metadata={"description": "The week's first day (YYYY-MM-DD); null when the weeks "
                                 "begin after the run-walk steps."},
    )


class ProgressionReasonSchema(_Out):
    id = _text()
    patient = _text(metadata={"description": "The reason in the patient's words."})
    clinician = _text(metadata={"description": "The reason in the clinician's words."})
    source = fields.Dict(required=True)


class ReturnToRunSchema(_Out):
    earliest_date = fields.String(required=True, allow_none=True,
                                  metadata={"description": "YYYY-MM-DD, or null."})
    criteria = _texts()
    checks = fields.List(fields.Nested(CheckSchema), required=True)
    run_walk_first = fields.Boolean(required=True)
    run_walk = _texts()
    pain_rule = _texts()
    weeks = fields.List(fields.Nested(WeekSchema), required=True)
    stage = fields.Dict(required=True, metadata={
        "description": "Where the runner is on the way back (contract 6): "
                       "{kind: paused | run_walk (step 1-3) | weekly (week n)}."})
    stage_options = fields.Dict(required=True, allow_none=True, metadata={
        "description": "A follow-up's stage for each progression (advance, hold, back_off), "
                       "so the clinician's choice on review moves the next visit; null at a "
                       "first intake."})
    progression = fields.String(
        required=True, allow_none=True,
        validate=validate.OneOf(("advance", "hold", "back_off")),
        metadata={"description": "A follow-up's suggested progression; null at a first intake."})
    progression_reasons = fields.List(fields.Nested(ProgressionReasonSchema), required=True)


class RiceSchema(_Out):
    steps = _texts()


class ExerciseSchema(_Out):
    id = _text()
    name = _text()
    dose = _text()
    how = _text()
    steps = _texts()
    stop_if = _text()
    load = _text(validate=validate.OneOf(("off_load", "mobility", "loading", "impact")))


class AssessmentSchema(_Out):
    rules_version = _text()
    phase = _text()
    triage = fields.Nested(TriageSchema, required=True)
    stop_running = fields.Boolean(
        required=True,
        metadata={"description": "True exactly when triage is stop or see_clinician."},
    )
    conditions = fields.List(fields.Nested(ConditionSchema), required=True)
    red_flags = fields.List(fields.Nested(RedFlagSchema), required=True)
    referral = fields.Nested(ReferralSchema, required=True, allow_none=True)
    imaging = fields.Nested(ImagingSchema, required=True)
    examination = fields.Nested(ExaminationSchema, required=True)
    healing = fields.Nested(HealingSchema, required=True, allow_none=True)
    return_to_run = fields.Nested(ReturnToRunSchema, required=True)
    rice = fields.Nested(RiceSchema, required=True, allow_none=True)
    exercises = fields.List(fields.Nested(ExerciseSchema), required=True)
    exercises_on_hold = fields.Boolean(required=True)
    exercises_held = fields.List(fields.String(), required=True,
                                 metadata={"uniqueItems": True,
                                           "description": "The exercise kinds held back."})
    advice = fields.List(fields.Nested(ItemSchema), required=True)
    measures = fields.Dict(
        required=True,
        metadata={"description": "Each outcome measure answered (contract 6): its score, "
                                 "interpretation and change since the episode last scored it."})
    measures_offered = fields.List(
        fields.String(), required=True,
        metadata={"description": "The measures to offer for the likely conditions."})


RECORD_STATUSES = ("draft", "signed")


class SignerSchema(_Out):
    id = fields.String(required=True, allow_none=True,
                       metadata={"description": "The host's user id (ANKLE_INTAKE_CURRENT_USER)."})
    name = fields.String(required=True, allow_none=True)


class AddendumSchema(_Out):
    """One addendum as the record lists it: the version it made, why, who and when."""

    version = fields.Integer(required=True, validate=validate.Range(min=2))
    reason = _text()
    signed_by = fields.Nested(SignerSchema, required=True, allow_none=True)
    signed_at = fields.AwareDateTime(required=True)


class NewAddendumSchema(Schema):
    """The body of ``POST .../addenda``: why the plan changes, and the new plan."""

    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.Length(min=1, max=500),
                           metadata={"description": "Why the signed plan changes."})
    plan = fields.Nested(PlanSchema, required=True)


class RecordSchema(_Out):
    id = fields.UUID(required=True, metadata={"description": "Random (uuid4)."})
    created_at = fields.AwareDateTime(required=True)
    patient_ref = fields.String(required=True, allow_none=True)
    encounter_ref = fields.String(required=True, allow_none=True)
    rules_version = _text()
    status = _text(validate=validate.OneOf(RECORD_STATUSES),
                   metadata={"description": "draft until signed; then changed by addenda."})
    version = fields.Integer(required=True, validate=validate.Range(min=1),
                             metadata={"description": "1, then one more per addendum."})
    created_by = fields.String(required=True, allow_none=True,
                               metadata={"description": "Who stored it (a user id), if known."})
    plan = fields.Nested(PlanSchema, required=True, allow_none=True,
                         metadata={"description": "The clinician's plan; null until reviewed."})
    signed_by = fields.Nested(SignerSchema, required=True, allow_none=True,
                              metadata={"description": "Who signed version 1."})
    signed_at = fields.AwareDateTime(required=True, allow_none=True)
    addenda = fields.List(fields.Nested(AddendumSchema), required=True)
    answers = fields.Dict(
        required=True,
        metadata={"description": "The validated answers, as the Answers schema describes."},
    )
    assessment = fields.Nested(AssessmentSchema, required=True)
    episode_id = fields.UUID(required=True, allow_none=True, metadata={
        "description": "The episode of care this record is a visit of (contract 6); null "
                       "only for a record not yet migrated."})
    visit = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=1),
                           metadata={"description": "Which visit of the episode: 1 is the "
                                                    "first intake."})
    authored = fields.String(required=True, allow_none=True, metadata={
        "description": "The QuestionnaireResponse.authored a FHIR client sent, as sent (a FHIR "
                       "dateTime); null for an intake from the form or the JSON API."})


class WorklistItemSchema(_Out):
    id = fields.UUID(required=True)
    created_at = fields.AwareDateTime(required=True)
    patient_ref = fields.String(required=True, allow_none=True)
    patient_name = fields.String(required=True, allow_none=True)
    status = _text(validate=validate.OneOf(RECORD_STATUSES))
    version = fields.Integer(required=True)
    suggested_level = fields.String(required=True, allow_none=True,
                                    validate=validate.OneOf(TRIAGE_LEVELS))
    level = fields.String(required=True, allow_none=True, validate=validate.OneOf(TRIAGE_LEVELS),
                          metadata={"description": "The plan's level, else the suggestion's."})
    clinician = fields.String(required=True, allow_none=True,
                              metadata={"description": "Who signed it, or (a draft) stored it."})
    signed_by_name = fields.String(required=True, allow_none=True)
    signed_at = fields.AwareDateTime(required=True, allow_none=True)
    episode_id = fields.UUID(required=True, allow_none=True)
    visit = fields.Integer(required=True, allow_none=True,
                           metadata={"description": "Which visit of its episode (1: the intake)."})


class WorklistPageSchema(_Out):
    items = fields.List(fields.Nested(WorklistItemSchema), required=True,
                        metadata={"description": "Newest first."})
    next = fields.String(required=True, allow_none=True,
                         metadata={"description": "Send as cursor for the next page; "
                                                  "null on the last."})


class AuditEntrySchema(_Out):
    at = fields.AwareDateTime(required=True)
    user = fields.String(required=True, allow_none=True,
                         metadata={"description": "The user id; null when nobody was named."})
    action = _text(validate=validate.OneOf(AUDIT_ACTIONS))
    version = fields.Integer(required=True, allow_none=True)


class ErrorSchema(_Out):
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Answer key (or _body, _schema) -> plain sentences."},
    )
    message = fields.String()
    status = fields.Integer()


__all__ = [
    "AddendumSchema",
    "AnswersSchema",
    "AssessmentSchema",
    "AuditEntrySchema",
    "ErrorSchema",
    "NewAddendumSchema",
    "PlanSchema",
    "RecordSchema",
    "WorklistPageSchema",
]
