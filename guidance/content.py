"""Loads the guidance content from ``data/*.json`` once and checks it.

Every sentence the product shows lives in those files, each item with a
stable id and its source: a section of the article (``{"article": "Heading >
Sub-heading"}``) or, for what goes beyond it, a published citation
(``{"citation": "..."}``). The checks run at import, so a broken item stops
the application from starting with the item's id in the message; it never
fails in the middle of a request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from ..forms.vocabulary import TEST_KEYS
from .predicates import CONDITION_IDS, ContentError, compile_predicate

PHASES = ("acute", "rehab", "return")
LEVELS = ("continue", "caution", "stop", "see_clinician")
#: Most urgent first: the first urgency among the flags sets the referral's.
URGENCIES = ("emergency", "same_day", "within_1_working_day", "routine")
#: What an exercise asks of the ankle; a red flag holds some of these kinds.
LOADS = ("off_load", "mobility", "loading", "impact")
OTTAWA_RESULTS = ("positive", "negative", "not_assessed", "not_applicable")
EXERCISE_TAGS = (*CONDITION_IDS, "general")


def _id_field() -> fields.String:
    return fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class SourceSchema(_Strict):
    article = fields.String(validate=validate.Length(min=3))
    citation = fields.String(validate=validate.Length(min=20))

    @validates_schema
    def _exactly_one(self, data: dict, **kwargs: Any) -> None:
        if len(data) != 1:
            raise ValidationError("give exactly one of 'article' or 'citation'")


def _source(required: bool = True) -> fields.Nested:
    return fields.Nested(SourceSchema, required=required)


class _When(fields.Field):
    """A ``when`` clause, compiled to a callable as it loads."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return compile_predicate(value)
        except ContentError as exc:
            raise ValidationError(str(exc)) from exc


class TextItemSchema(_Strict):
    id = _id_field()
    text = fields.String(required=True, validate=validate.Length(min=3))
    source = _source()


class _Serves:
    """Which conditions (empty: any) and phases an item of advice serves."""

    conditions = fields.List(fields.String(validate=validate.OneOf(CONDITION_IDS)),
                             required=True)
    phases = fields.List(fields.String(validate=validate.OneOf(PHASES)), required=True,
                         validate=validate.Length(min=1))


class ServedTextSchema(TextItemSchema, _Serves):
    pass


class SignSchema(_Strict):
    when = _When(required=True)
    weight = fields.Integer(required=True, validate=validate.Range(1, 5))
    reason = fields.String(required=True)
    source = _source(required=False)


class HealingSchema(_Strict):
    when = _When(required=True)
    source = _source(required=False)
    min_days = fields.Integer(required=True, allow_none=True, validate=validate.Range(0, 365))
    max_days = fields.Integer(required=True, allow_none=True, validate=validate.Range(0, 365))
    note = fields.String(required=True)


class ConditionSchema(_Strict):
    id = fields.String(required=True, validate=validate.OneOf(CONDITION_IDS))
    name = fields.String(required=True)
    summary = fields.String(required=True)
    clinician_summary = fields.String(required=True)
    source = _source()
    requires = _When(required=True)
    likely_at = fields.Integer(required=True)
    possible_at = fields.Integer(required=True)
    signs = fields.List(fields.Nested(SignSchema), required=True, validate=validate.Length(min=1))
    healing = fields.List(fields.Nested(HealingSchema), required=True,
                          validate=validate.Length(min=1))


class FindingSchema(_Strict):
    """One finding a red flag names when it is present, e.g. "Thompson test positive"."""

    when = _When(required=True)
    text = fields.String(required=True)


class RedFlagSchema(_Strict, _Serves):
    """A red flag always refers on: ``text`` is the patient's, ``action`` the clinician's."""

    id = _id_field()
    name = fields.String(required=True)
    when = _When(required=True)
    text = fields.String(required=True)
    action = fields.String(required=True)
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))
    refer_to = fields.String(required=True)
    holds = fields.List(fields.String(validate=validate.OneOf(LOADS)), required=True,
                        validate=validate.ContainsOnly(LOADS))
    blocks_exercise = fields.Boolean(required=True)
    keeps_rice = fields.Boolean(required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True)
    source = _source()

    @validates_schema
    def _holds_loading(self, data: dict, **kwargs: Any) -> None:
        # Every red flag holds loading and impact; holding everything is what blocks.
        if not {"loading", "impact"} <= set(data["holds"]):
            raise ValidationError("a red flag must hold loading and impact", "holds")
        if data["blocks_exercise"] != (set(data["holds"]) == set(LOADS)):
            raise ValidationError("blocks_exercise is true exactly when it holds every load",
                                  "blocks_exercise")


class LevelSchema(_Strict):
    id = fields.String(required=True, validate=validate.OneOf(LEVELS))
    label = fields.String(required=True)
    summary = fields.String(required=True)
    clinician_label = fields.String(required=True)
    clinician_summary = fields.String(required=True)
    source = _source()


class TriageRuleSchema(_Strict):
    id = _id_field()
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    when = _When(required=True)
    reason = fields.String(required=True)
    source = _source()


class OttawaAdviceSchema(_Strict, _Serves):
    id = _id_field()
    result = fields.String(required=True, validate=validate.OneOf(OTTAWA_RESULTS))
    advice = fields.String(required=True)
    clinician_advice = fields.String(required=True)
    source = _source()


class WeeklySchema(_Strict, _Serves):
    id = _id_field()
    start_fraction = fields.Float(required=True, validate=validate.Range(0.1, 1))
    growth_low = fields.Float(required=True, validate=validate.Range(0.01, 0.5))
    growth_high = fields.Float(required=True, validate=validate.Range(0.01, 0.5))
    text = fields.String(required=True)
    source = _source()


class CriterionSchema(ServedTextSchema):
    """A return-to-run check: met, not met, or (neither clause true) not examined."""

    clinician_text = fields.String(required=True)
    met_when = _When(required=True)
    not_met_when = _When(required=True)


class ProgressionSchema(TextItemSchema):
    """A reason to advance, hold or back off at a follow-up, in both voices."""

    decision = fields.String(required=True,
                             validate=validate.OneOf(("advance", "hold", "back_off")))
    clinician_text = fields.String(required=True)


class SpecialTestSchema(_Strict):
    """A special test's published accuracy, shown beside a positive result."""

    id = fields.String(required=True, validate=validate.OneOf(TEST_KEYS))
    name = fields.String(required=True)
    accuracy = fields.String(required=True, validate=validate.Length(min=10))
    sensitivity = fields.Float(required=True, allow_none=True, validate=validate.Range(0, 1))
    specificity = fields.Float(required=True, allow_none=True, validate=validate.Range(0, 1))
    source = _source()


class WeekSessionSchema(ServedTextSchema):
    week = fields.Integer(required=True, validate=validate.Range(1, 52))


class AdviceSchema(ServedTextSchema):
    topic = fields.String(required=True)
    risk_factors = fields.List(fields.String())


class DoseSchema(_Strict):
    """An exercise's dose as numbers: what the clinician's plan starts from and edits."""

    sets = fields.Integer(required=True, validate=validate.Range(1, 10))
    reps = fields.Integer(required=True, validate=validate.Range(1, 100))
    hold_seconds = fields.Integer(required=True, allow_none=True, validate=validate.Range(1, 300))
    times = fields.Integer(required=True, allow_none=True, validate=validate.Range(1, 14))
    per = fields.String(required=True, allow_none=True, validate=validate.OneOf(("day", "week")))


class ExerciseSchema(_Strict):
    id = _id_field()
    name = fields.String(required=True)
    dose = fields.String(required=True, validate=validate.Length(min=3))
    steps = fields.List(fields.String(), required=True, validate=validate.Length(2, 3))
    stop_if = fields.String(required=True, validate=validate.Regexp(r"^Stop if "))
    conditions = fields.List(fields.String(validate=validate.OneOf(EXERCISE_TAGS)),
                             required=True, validate=validate.Length(min=1))
    phases = fields.List(fields.String(validate=validate.OneOf(PHASES)), required=True,
                         validate=validate.Length(min=1))
    priority = fields.Integer(required=True)
    load = fields.String(required=True, validate=validate.OneOf(LOADS))
    default_dose = fields.Nested(DoseSchema, required=True)
    source = _source()
    dose_source = _source()

    @post_load
    def _how(self, data: dict, **kwargs: Any) -> dict:
        data["how"] = " ".join(data["steps"])
        return data


@dataclass(frozen=True)
class Content:
    """All guidance, validated; lists keep the order the data gives."""

    version: str
    conditions: dict[str, dict]
    red_flags: list[dict]
    levels: dict[str, dict]
    triage_rules: list[dict]
    red_flag_reason: dict
    default_reason: dict
    urgencies: dict[str, dict]
    ottawa: dict[str, dict]
    ottawa_scope: dict[str, dict]
    rice: list[dict]
    rice_when: dict
    criteria: list[dict]
    run_walk: list[dict]
    pain_rule: list[dict]
    weekly: dict
    week_sessions: list[dict]
    advice: list[dict]
    exercises: list[dict]
    special_tests: dict[str, dict]
    progression: dict[str, dict]

    def items(self) -> list[dict]:
        """Every item that carries an id and a source, for audits and tests."""
        out: list[dict] = []
        for cond in self.conditions.values():
            out.append(cond)
        out += self.red_flags + list(self.levels.values()) + self.triage_rules
        out += [self.red_flag_reason, self.default_reason, self.rice_when, self.weekly]
        out += [{**u, "id": f"urgency_{u['id']}"} for u in self.urgencies.values()]
        out += list(self.ottawa.values()) + list(self.ottawa_scope.values())
        out += self.rice + self.criteria + self.run_walk
        out += self.pain_rule + self.week_sessions + self.advice + self.exercises
        out += list(self.special_tests.values()) + list(self.progression.values())
        return out


def _read(name: str) -> dict:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


def _one(schema: type[Schema], raw: Any, where: str) -> dict:
    try:
        return schema().load(raw)
    except ValidationError as exc:
        ident = raw.get("id", "?") if isinstance(raw, dict) else "?"
        raise ContentError(
            f"guidance/data/{where}: item {ident!r} is invalid: {exc.messages}"
        ) from None


def _many(schema: type[Schema], raws: list, where: str) -> list[dict]:
    return [_one(schema, raw, where) for raw in raws]


@cache
def load_content() -> Content:
    """The guidance content, read and checked once per process."""
    meta = _read("meta.json")
    triage = _read("triage.json")
    rtr = _read("return_to_run.json")
    rice = _read("rice.json")
    content = Content(
        version=meta["version"],
        conditions={c["id"]: c for c in _many(ConditionSchema, _read("conditions.json")["items"],
                                              "conditions.json")},
        red_flags=_many(RedFlagSchema, _read("red_flags.json")["items"], "red_flags.json"),
        levels={lv["id"]: lv for lv in _many(LevelSchema, triage["levels"], "triage.json")},
        triage_rules=_many(TriageRuleSchema, triage["items"], "triage.json"),
        red_flag_reason=_one(TextItemSchema, triage["red_flag_reason"], "triage.json"),
        default_reason=_one(TextItemSchema, triage["default_reason"], "triage.json"),
        urgencies={u["id"]: u for u in _many(TextItemSchema, triage["urgencies"], "triage.json")},
        ottawa={o["result"]: o for o in _many(OttawaAdviceSchema, _read("ottawa.json")["items"],
                                              "ottawa.json")},
        ottawa_scope={o["id"]: o for o in _many(TextItemSchema,
                                                _read("ottawa.json")["scope_reasons"],
                                                "ottawa.json")},
        rice=_many(ServedTextSchema, rice["items"], "rice.json"),
        rice_when=_one(ServedTextSchema, rice["when_text"], "rice.json"),
        criteria=_many(CriterionSchema, rtr["criteria"], "return_to_run.json"),
        run_walk=_many(ServedTextSchema, rtr["run_walk"], "return_to_run.json"),
        pain_rule=_many(ServedTextSchema, rtr["pain_rule"], "return_to_run.json"),
        weekly=_one(WeeklySchema, rtr["weekly"], "return_to_run.json"),
        week_sessions=_many(WeekSessionSchema, rtr["week_sessions"], "return_to_run.json"),
        advice=_many(AdviceSchema, _read("advice.json")["items"], "advice.json"),
        exercises=_many(ExerciseSchema, _read("exercises.json")["items"], "exercises.json"),
        special_tests={t["id"]: t for t in _many(SpecialTestSchema,
                                                 _read("special_tests.json")["items"],
                                                 "special_tests.json")},
        progression={p["id"]: p for p in _many(ProgressionSchema, rtr["progression"],
                                               "return_to_run.json")},
    )
    _check_whole(content)
    return content


def _check_whole(content: Content) -> None:
    """Checks that span items: unique ids, every condition and level present."""
    seen: set[str] = set()
    for item in content.items():
        if item["id"] in seen:
            raise ContentError(f"guidance/data: id {item['id']!r} is used twice")
        seen.add(item["id"])
    missing = set(CONDITION_IDS) - set(content.conditions)
    if missing:
        raise ContentError(f"guidance/data/conditions.json: missing {sorted(missing)}")
    if set(content.levels) != set(LEVELS):
        raise ContentError(f"guidance/data/triage.json: levels must be exactly {LEVELS}")
    if set(content.ottawa) != set(OTTAWA_RESULTS):
        raise ContentError("guidance/data/ottawa.json: needs advice for every result")
    if set(content.urgencies) != set(URGENCIES):
        raise ContentError(f"guidance/data/triage.json: urgencies must be exactly {URGENCIES}")
    if set(content.special_tests) != set(TEST_KEYS):
        raise ContentError(f"guidance/data/special_tests.json: needs exactly {TEST_KEYS}")
    if "{name}" not in content.red_flag_reason["text"]:
        raise ContentError("guidance/data/triage.json: red_flag_reason needs {name}")
