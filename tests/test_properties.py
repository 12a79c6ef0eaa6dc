"""Properties of assess() over answers generated from the vocabulary (hypothesis).

Two families beyond "never raises": adding any red-flag finding (one per red
flag in ``red_flags.json``) makes things only safer, and "not examined" never
behaves as "negative" (issue 11; contract 3b).
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ankle_intake import assess
from ankle_intake.forms import FIELDS, OTTAWA_KEYS, load_answers
from ankle_intake.forms.vocabulary import EXAMINED_FINDINGS, TEST_KEYS, TEST_RESULTS, AnswerField
from ankle_intake.guidance.content import LEVELS

RANK = {level: i for i, level in enumerate(LEVELS)}
ASSESSED = dt.date(2026, 3, 2)
HELD_BY_EVERY_FLAG = ("loading", "impact")


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
    if spec.kind == "tests":
        # A test left out, or sent as null, was not examined.
        results = st.sampled_from([c.value for c in TEST_RESULTS])
        return st.dictionaries(st.sampled_from(TEST_KEYS), st.none() | results)
    raise AssertionError(spec.kind)


answers_strategy = st.fixed_dictionaries(
    {f.key: value_strategy(f) for f in FIELDS if f.required},
    optional={f.key: value_strategy(f) for f in FIELDS
              if not f.required and f.key != "assessment_date"},
).map(lambda a: {**a, "assessment_date": ASSESSED.isoformat()})

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
PER_PARAM = settings(max_examples=100, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


def _flag_ids() -> list[str]:
    data = resources.files("ankle_intake.guidance").joinpath("data/red_flags.json")
    return [item["id"] for item in json.loads(data.read_text("utf-8"))["items"]]


def _without(key: str, *values: str) -> Any:
    """A context step: drop ``values`` from the list answer ``key`` (or the key itself)."""
    def step(answers: dict) -> None:
        if not values:
            answers.pop(key, None)
        elif key in answers:
            answers[key] = [v for v in answers[key] if v not in values]
    return step


def _set(key: str, value: Any) -> Any:
    def step(answers: dict) -> None:
        answers[key] = value
    return step


_WITHIN_OTTAWA_SCOPE = (_set("onset", "sudden"),
                        _set("injury_date", (ASSESSED - dt.timedelta(days=2)).isoformat()))

#: For each red flag: a finding that raises it, and the context (applied before
#: and after alike) in which that finding alone is enough. The finding is what is
#: added; the context only makes sure the flag is the one raised.
RED_FLAG_FINDINGS: dict[str, tuple[dict[str, Any], tuple[Any, ...]]] = {
    "septic_joint": ({"warning_signs": ["hot_red_swollen_joint"]}, ()),
    "suspected_achilles_rupture": ({"special_tests": {"thompson_test": "positive"}}, ()),
    "deep_vein_thrombosis": (
        {"warning_signs": ["calf_pain_or_swelling", "recent_immobilisation_or_surgery"]}, ()),
    "ottawa_ankle_positive": ({"ottawa": {"tender_lateral_malleolus": True}}, _WITHIN_OTTAWA_SCOPE),
    "ottawa_foot_positive": ({"ottawa": {"tender_navicular": True}}, _WITHIN_OTTAWA_SCOPE),
    "cannot_bear_weight": ({"weight_bearing": "none"}, (_without("ottawa"),)),
    "charcot_foot": ({"warning_signs": ["warm_swollen_foot"], "risk_factors": ["diabetes"]}, ()),
    "hot_swollen_foot": ({"warning_signs": ["warm_swollen_foot"]},
                         (_without("risk_factors", "diabetes"),)),
    "fever_or_unwell": ({"warning_signs": ["fever_or_unwell"]},
                        (_without("warning_signs", "hot_red_swollen_joint"),)),
    "suspected_syndesmosis": ({"special_tests": {"squeeze_test": "positive"}},
                              (_set("onset", "sudden"),)),
    "suspected_stress_fracture": ({"point_tenderness": True}, ()),
    "grade_iii_sprain": ({"sprain_grade": "III"}, (_without("injury_date"),)),
    "night_pain": ({"warning_signs": ["night_pain"]}, ()),
    "weight_loss": ({"warning_signs": ["unexplained_weight_loss"]}, ()),
    "nerve_signs": ({"nerve_symptoms": ["tingling"]}, ()),
    "diabetes_nerve_symptoms": ({"risk_factors": ["diabetes"], "nerve_symptoms": ["numbness"]}, ()),
}


def _merge(answers: dict, finding: dict) -> dict:
    merged = dict(answers)
    for key, value in finding.items():
        if isinstance(value, list):
            merged[key] = list(dict.fromkeys([*(answers.get(key) or []), *value]))
        elif isinstance(value, dict):
            merged[key] = {**(answers.get(key) or {}), **value}
        else:
            merged[key] = value
    return merged


def _loaded_exercises(result: dict) -> set[str]:
    return {e["id"] for e in result["exercises"] if e["load"] in HELD_BY_EVERY_FLAG}


def test_every_red_flag_has_a_finding() -> None:
    assert set(RED_FLAG_FINDINGS) == set(_flag_ids())


@SETTINGS
@given(answers_strategy)
def test_assess_never_raises_on_accepted_answers(answers: dict) -> None:
    loaded = load_answers(answers)
    result = assess(loaded)
    assert result["triage"]["level"] in LEVELS
    assert all(c["confidence"] in ("likely", "possible") for c in result["conditions"])
    if result["phase"] == "acute":
        assert len(result["exercises"]) <= 4
        assert not [e for e in result["exercises"] if e["load"] == "impact"]


@SETTINGS
@given(answers_strategy)
def test_stop_running_always_agrees_with_the_level(answers: dict) -> None:
    result = assess(answers)
    assert result["stop_running"] is (result["triage"]["level"] in ("stop", "see_clinician"))
    assert bool(result["red_flags"]) is (result["triage"]["level"] == "see_clinician")
    assert (result["referral"] is not None) is (result["triage"]["level"] == "see_clinician")


@SETTINGS
@given(answers_strategy)
def test_an_exercise_appears_once(answers: dict) -> None:
    ids = [e["id"] for e in assess(answers)["exercises"]]
    assert len(ids) == len(set(ids))


@SETTINGS
@given(answers_strategy)
def test_week_distances_are_whole_half_units(answers: dict) -> None:
    for week in assess(answers)["return_to_run"]["weeks"]:
        assert (week["distance"] * 2).is_integer() and (week["distance_max"] * 2).is_integer()


@pytest.mark.parametrize("flag_id", list(RED_FLAG_FINDINGS))
@PER_PARAM
@given(answers=answers_strategy)
def test_adding_a_red_flag_finding_only_makes_things_safer(flag_id: str, answers: dict) -> None:
    """Never a lower level, no loading or impact exercise added, no date to run added.

    Every red flag holds back loading and impact exercises and any date to try
    running (issue 11 item 2), so the assessment with the flag has none at all.
    """
    finding, context = RED_FLAG_FINDINGS[flag_id]
    base = dict(answers)
    for step in context:
        step(base)
    before = assess(base)
    after = assess(_merge(base, finding))
    assert flag_id in [f["id"] for f in after["red_flags"]]
    assert RANK[after["triage"]["level"]] >= RANK[before["triage"]["level"]]
    assert after["triage"]["level"] == "see_clinician"
    assert not _loaded_exercises(after) - _loaded_exercises(before)
    assert not _loaded_exercises(after), after["exercises"]
    if before["return_to_run"]["earliest_date"] is None:
        assert after["return_to_run"]["earliest_date"] is None
    assert after["return_to_run"]["earliest_date"] is None


#: Each examined finding as (name, how to record it as negative, how to leave it out).
def _boolean(key: str) -> tuple[Any, Any]:
    return _set(key, False), _without(key)


def _test(key: str) -> tuple[Any, Any]:
    def negative(answers: dict) -> None:
        answers["special_tests"] = {**(answers.get("special_tests") or {}), key: "negative"}

    def absent(answers: dict) -> None:
        tests = {k: v for k, v in (answers.get("special_tests") or {}).items() if k != key}
        answers["special_tests"] = tests

    return negative, absent


EXAMINED: dict[str, tuple[Any, Any]] = {
    **{key: _boolean(key) for key in EXAMINED_FINDINGS},
    **{key: _test(key) for key in TEST_KEYS},
    "swelling": (_set("swelling", "none"), _without("swelling")),
}


@pytest.mark.parametrize("finding", list(EXAMINED))
@PER_PARAM
@given(answers=answers_strategy)
def test_not_examined_never_behaves_as_negative(finding: str, answers: dict) -> None:
    """Going from "negative" to "not examined" is never reassuring.

    The level never falls, no exercise is added and no date to try running
    appears (contract 3b: absent means not examined, never negative).
    """
    negative, absent = EXAMINED[finding]
    examined = dict(answers)
    negative(examined)
    unexamined = dict(examined)
    absent(unexamined)
    before = assess(examined)
    after = assess(unexamined)
    assert RANK[after["triage"]["level"]] >= RANK[before["triage"]["level"]]
    added = {e["id"] for e in after["exercises"]} - {e["id"] for e in before["exercises"]}
    assert not added, (added, before["exercises"], after["exercises"])
    if before["return_to_run"]["earliest_date"] is None:
        assert after["return_to_run"]["earliest_date"] is None
