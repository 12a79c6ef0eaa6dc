"""The clinician's plan (contract 5): what the patient takes home, checked like the answers.

The plan is the clinician's decision, so it may differ from the suggestion in
everything but one rule: a level below the suggested one while a red flag
stands needs an ``override_reason``, which is kept and printed in the note.
Errors name their field, nested ones as ``exercises.<n>.<field>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from . import InvalidAnswers, flat_errors
from .schemas import (
    BAD_KEY,
    BODY_KEY,
    DATE_PATTERN,
    _IsoDate,
    _MaxLength,
    _PlainText,
    _StrictInteger,
    unencodable,
)

LEVELS = ("continue", "caution", "stop", "see_clinician")
RANK = {level: i for i, level in enumerate(LEVELS)}
#: Most exercises in one plan: adherence falls as the list grows.
MAX_EXERCISES = 5
NOTE_MAX = 2000
REASON_MAX = 500


def _int(label: str, low: int, high: int, *, nullable: bool = False) -> fields.Integer:
    msg = f"{label} must be a whole number from {low} to {high}."
    return _StrictInteger(strict=True, required=True, allow_none=nullable,
                          validate=validate.Range(low, high, error=msg),
                          error_messages={"invalid": msg, "required": f"{label} is required.",
                                          "null": msg})


def _text(label: str, maximum: int) -> _PlainText:
    msg = f"{label} must be text of at most {maximum} characters."
    return _PlainText(required=False, allow_none=True, load_default=None,
                      validate=_MaxLength(max=maximum, error=msg),
                      error_messages={"invalid": msg})


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class PlanExerciseSchema(_Strict):
    id = fields.String(required=True, error_messages={"required": "Choose an exercise."})
    sets = _int("Sets", 1, 10)
    reps = _int("Reps", 1, 100)
    hold_seconds = _int("Hold (seconds)", 1, 300, nullable=True)
    times = _int("How often", 1, 14, nullable=True)
    per = fields.String(required=True, allow_none=True,
                        validate=validate.OneOf(("day", "week"),
                                                error="How often is per day or per week."))

    @validates_schema
    def _per_with_times(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("times") is None) != (data.get("per") is None):
            raise ValidationError("Give how often and per day or week together.", "per")


#: What a follow-up's plan may decide: move on, stay, or step back (contract 6).
PROGRESSIONS = ("advance", "hold", "back_off")


class PlanSchema(_Strict):
    triage_level = fields.String(
        required=True,
        validate=validate.OneOf(LEVELS, error=f"Level must be one of: {', '.join(LEVELS)}."),
        error_messages={"required": "Level: an answer is required."})
    override_reason = _text("Reason for the lower level", REASON_MAX)
    exercises = fields.List(
        fields.Nested(PlanExerciseSchema), required=True,
        validate=validate.Length(max=MAX_EXERCISES,
                                 error=f"Choose at most {MAX_EXERCISES} exercises."))
    patient_note = _text("Note for the patient", NOTE_MAX)
    record_note = _text("Note for the record", NOTE_MAX)
    #: A follow-up's progression as the clinician decides it (contract 6); None: as suggested.
    progression = fields.String(
        required=False, allow_none=True,
        validate=validate.OneOf(PROGRESSIONS, error="Progression must be one of: "
                                f"{', '.join(PROGRESSIONS)}."))
    review_date = _IsoDate(required=False, allow_none=True, load_default=None,
                           metadata={"pattern": DATE_PATTERN},
                           error_messages={"invalid": "Review date must be a real date, "
                                                      "written as YYYY-MM-DD."})


_SCHEMA = PlanSchema()


def load_plan(data: Any, assessment: Mapping[str, Any], library: Mapping[str, Any]) -> dict:
    """A checked plan for ``assessment``, or :class:`InvalidAnswers` naming each bad field.

    ``library`` maps exercise ids to the guidance's exercises: an id outside it
    is refused, as is the same exercise twice.
    """
    if not isinstance(data, Mapping):
        raise InvalidAnswers({"_body": ["The plan must be an object."]})
    bad = _not_text(data)
    if bad:
        raise InvalidAnswers(bad)
    try:
        plan = _SCHEMA.load(data)
    except ValidationError as exc:
        raise InvalidAnswers(flat_errors(_dotted(exc.messages))) from None
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for n, ex in enumerate(plan["exercises"]):
        if ex["id"] not in library:
            errors[f"exercises.{n}.id"] = [f"{ex['id'][:40]} is not an exercise of the library."]
        elif ex["id"] in seen:
            errors[f"exercises.{n}.id"] = ["This exercise is in the plan already."]
        seen.add(ex["id"])
    suggested = assessment["triage"]["level"]
    if (assessment.get("red_flags") and RANK[plan["triage_level"]] < RANK[suggested]
            and not plan.get("override_reason")):
        errors["override_reason"] = [
            "A red flag stands: say why the level is lower than the suggested "
            f"{suggested.replace('_', ' ')}."]
    if plan.get("progression") and not (assessment.get("return_to_run") or {}).get(
            "stage_options"):
        errors["progression"] = ["Only a follow-up visit has a progression to decide."]
    if errors:
        raise InvalidAnswers(errors)
    plan["patient_note"] = plan.get("patient_note") or ""
    plan["record_note"] = plan.get("record_note") or ""
    return plan


def _not_text(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each field holding a lone surrogate, named as the form places it (``exercises.0.id``)."""
    errors: dict[str, list[str]] = {}
    for name in unencodable(data):
        parts = name.split(".")
        place = ".".join(parts[:3] if parts[0] == "exercises" else parts[:1])
        errors[place] = [BAD_KEY if place == BODY_KEY else
                         "The text holds a character that cannot be stored "
                         "(a lone UTF-16 surrogate)."]
    return errors


def _dotted(messages: Any, prefix: str = "") -> Any:
    """marshmallow's nested messages keyed ``exercises.0.sets``, so a form can place them."""
    if not isinstance(messages, dict):
        return {prefix or "_schema": messages}
    out: dict[str, Any] = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(_dotted(value, name))
        else:
            out[name] = value
    return out
