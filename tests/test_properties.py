"""Properties of assess() over answers generated from the vocabulary (hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ankle_intake import assess
from ankle_intake.forms import FIELDS, OTTAWA_KEYS, load_answers
from ankle_intake.forms.vocabulary import AnswerField
from ankle_intake.guidance.content import LEVELS

RANK = {level: i for i, level in enumerate(LEVELS)}
ASSESSED = dt.date(2026, 3, 2)


def value_strategy(spec: AnswerField) -> st.SearchStrategy[Any]:
    if spec.kind == "choice":
        return st.sampled_from(spec.values)
    if spec.kind == "choices":
        return st.lists(st.sampled_from(spec.values), min_size=1 if spec.required else 0,
                        max_size=4)
    if spec.kind == "integer":
        values = st.integers(int(spec.minimum), int(spec.maximum))
        return values if spec.required else st.none() | values
    if spec.kind == "number":
        return st.floats(spec.minimum, spec.maximum, allow_nan=False)
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind == "date":
        return st.integers(0, 400).map(lambda d: (ASSESSED - dt.timedelta(days=d)).isoformat())
    if spec.kind == "text":
        return st.text(max_size=spec.max_length)
    if spec.kind == "ottawa":
        return st.dictionaries(st.sampled_from(OTTAWA_KEYS), st.none() | st.booleans())
    raise AssertionError(spec.kind)


answers_strategy = st.fixed_dictionaries(
    {f.key: value_strategy(f) for f in FIELDS if f.required},
    optional={f.key: value_strategy(f) for f in FIELDS
              if not f.required and f.key != "assessment_date"},
).map(lambda a: {**a, "assessment_date": ASSESSED.isoformat()})

RED_FLAG_FINDINGS = [
    {"nerve_symptoms": ["tingling"]},
    {"pain_walking": True},
    {"point_tenderness": True, "pain_pattern": ["worse_with_impact"]},
    {"ottawa": {"unable_to_bear_weight": True}},
    {"sprain_grade": "III"},
    {"risk_factors": ["diabetes"], "nerve_symptoms": ["numbness"]},
    {"injury_date": (ASSESSED - dt.timedelta(days=20)).isoformat(), "symptom_trend": "worse"},
]

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(answers_strategy)
def test_assess_never_raises_on_accepted_answers(answers: dict) -> None:
    loaded = load_answers(answers)
    result = assess(loaded)
    assert result["triage"]["level"] in LEVELS
    assert all(c["confidence"] in ("likely", "possible") for c in result["conditions"])
    if result["phase"] == "acute":
        assert len(result["exercises"]) <= 4


@SETTINGS
@given(answers_strategy)
def test_stop_running_always_agrees_with_the_level(answers: dict) -> None:
    result = assess(answers)
    assert result["stop_running"] is (result["triage"]["level"] in ("stop", "see_clinician"))
    assert bool(result["red_flags"]) is (result["triage"]["level"] == "see_clinician")


@SETTINGS
@given(answers_strategy, st.sampled_from(RED_FLAG_FINDINGS))
def test_adding_a_red_flag_finding_never_lowers_the_level(answers: dict, finding: dict) -> None:
    before = assess(answers)["triage"]["level"]
    merged = dict(answers)
    for key, value in finding.items():
        if isinstance(value, list):
            merged[key] = list(dict.fromkeys([*answers.get(key, []), *value]))
        elif isinstance(value, dict):
            merged[key] = {**answers.get(key, {}), **value}
        else:
            merged[key] = value
    after = assess(merged)["triage"]["level"]
    assert RANK[after] >= RANK[before]
    assert after == "see_clinician"
