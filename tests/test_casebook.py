"""The project's casebook: every red flag, condition, special test and rule, case by case.

``casebook_cases.json`` holds the cases in the format of the shared vignettes
(``../shared/vignettes/README.md``): ``name``, ``why`` (the article section or
the published citation the rule carries), ``answers`` (``injury_days_ago``
becomes ``injury_date`` before the fixed assessment date) and ``expect``. Each
case runs twice: through :func:`ankle_intake.assess` and through
``POST /ankle/api/assessments``, and both must meet the same expectations.

Expectation keys are the README's (``top_condition``, ``conditions_include``,
``conditions_exclude``, ``level``, ``level_in``, ``stop_running``, ``ottawa``,
``ottawa_in``, ``rice``, ``red_flags``, ``exercises_include``,
``exercises_exclude``, ``exercises_none``, ``referral_urgency_in``,
``healing_days``, ``earliest_return_days``, ``week_distances``, ``status`` with
``error_field``), plus these:

- ``exercises_none``: also ``false``: ``exercises`` is not empty (there is a plan).
- ``red_flags_include`` / ``red_flags_exclude``: every / none of the listed flag
  ids is in ``red_flags``.
- ``exercise_loads_exclude``: no exercise has one of these ``load`` kinds
  (``loading``, ``impact``; the kinds of ``exercises.json``).
- ``exercises_held_include``: every listed load kind is in ``exercises_held``.
- ``exercises_unique``: ``true``: no exercise id appears twice.
- ``earliest_return_none`` / ``earliest_return_not_none``: ``true``:
  ``return_to_run.earliest_date`` is null / is a date.
- ``healing_min_at_least``: ``healing.min_days`` is at least this.
- ``checks``: ``{check id: met | not_met | not_examined}`` in ``return_to_run.checks``.
- ``test_results``: ``{test key: positive | negative | not_examined}`` in
  ``examination.special_tests``.
- ``triage_rules_include``: each listed rule of ``triage.json`` gave its reason in
  ``triage.reasons`` (only rules at the level reached give one).
- ``clinician_summary_contains``: each listed text is in ``triage.clinician_summary``.
- ``no_text_contains``: none of the listed texts (any case) is in the clinician's
  voice: the clinician label and summary, the referral's reasons, each flag's
  action and clinician text, each condition's clinician summary, the imaging
  advice for the clinician.
- ``no_patient_text_contains``: the same for the patient's voice: the label and
  summary, each flag's and the referral's patient text, each condition's
  summary, the healing note, the imaging advice, RICE and the advice items.
- ``ottawa_scope_reason``: ``true``: ``imaging.scope_reason`` says why the rules
  were not applied.
- ``week_unit``: every week is in this unit.
- ``half_unit_distances``: ``true``: every week's ``distance`` and
  ``distance_max`` is a multiple of 0.5.
- ``last_week_distance``: the last week is back at this (pre-injury) distance.
- ``week_starts_none``: ``true``: no week has a start date (the weeks wait for
  the run-walk steps).

A case the engine gets clinically wrong stays as written and is listed in
``XFAIL`` with the rule it breaks, so the engine is fixed, not the case.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

import pytest

from ankle_intake import InvalidAnswers, assess

from casebook import casebook_cases, vignette_answers

URL = "/ankle/api/assessments"
CASES = casebook_cases()
TRIAGE_REASONS = {
    rule["id"]: rule["reason"]
    for rule in json.loads(
        resources.files("ankle_intake.guidance").joinpath("data/triage.json").read_text("utf-8")
    )["items"]
}

#: Cases the engine gets clinically wrong today, with the rule that is wrong.
XFAIL: dict[str, str] = {}


def _params() -> list[Any]:
    return [
        pytest.param(
            case,
            id=case["name"],
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[case["name"]])]
            if case["name"] in XFAIL
            else [],
        )
        for case in CASES
    ]


def _clinician_texts(result: dict) -> list[str]:
    triage = result["triage"]
    out = [triage["clinician_label"], triage["clinician_summary"],
           result["imaging"]["clinician_advice"]]
    if result.get("referral"):
        out += result["referral"]["reasons"]
    for flag in result["red_flags"]:
        out += [flag["action"], flag["clinician_text"]]
    out += [c["clinician_summary"] for c in result["conditions"]]
    return [t for t in out if t]


def _patient_texts(result: dict) -> list[str]:
    triage = result["triage"]
    out = [triage["label"], triage["summary"], result["imaging"]["advice"]]
    if result.get("referral"):
        out += result["referral"]["patient_text"]
    out += [flag["text"] for flag in result["red_flags"]]
    out += [c["summary"] for c in result["conditions"]]
    if result.get("healing"):
        out.append(result["healing"]["note"])
    if result.get("rice"):
        out += [result["rice"]["when"], *result["rice"]["steps"]]
    out += [item["text"] for item in result["advice"]]
    return [t for t in out if t]


def _check_conditions(expect: dict, result: dict) -> None:
    ids = [c["id"] for c in result["conditions"]]
    if "top_condition" in expect:
        assert ids and ids[0] == expect["top_condition"], ids
    for cid in expect.get("conditions_include", []):
        assert cid in ids, ids
    for cid in expect.get("conditions_exclude", []):
        assert cid not in ids, ids
    if "healing_days" in expect:
        healing = result["healing"]
        assert [healing["min_days"], healing["max_days"]] == expect["healing_days"], healing
    if "healing_min_at_least" in expect:
        assert (result["healing"]["min_days"] or 0) >= expect["healing_min_at_least"]


def _check_triage(expect: dict, result: dict) -> None:
    triage = result["triage"]
    if "level" in expect:
        assert triage["level"] == expect["level"], triage
    if "level_in" in expect:
        assert triage["level"] in expect["level_in"], triage
    if "stop_running" in expect:
        assert result["stop_running"] is expect["stop_running"], triage
    for rule in expect.get("triage_rules_include", []):
        assert TRIAGE_REASONS[rule] in triage["reasons"], (rule, triage)
    for text in expect.get("clinician_summary_contains", []):
        assert text in triage["clinician_summary"], triage["clinician_summary"]
    for text in expect.get("no_text_contains", []):
        for said in _clinician_texts(result):
            assert text.lower() not in said.lower(), said
    for text in expect.get("no_patient_text_contains", []):
        for said in _patient_texts(result):
            assert text.lower() not in said.lower(), said


def _check_flags(expect: dict, result: dict) -> None:
    flag_ids = [f["id"] for f in result["red_flags"]]
    if "red_flags" in expect:
        assert bool(flag_ids) is expect["red_flags"], flag_ids
    for fid in expect.get("red_flags_include", []):
        assert fid in flag_ids, flag_ids
    for fid in expect.get("red_flags_exclude", []):
        assert fid not in flag_ids, flag_ids
    if "referral_urgency_in" in expect:
        referral = result["referral"]
        assert referral and referral["urgency"] in expect["referral_urgency_in"], referral


def _check_imaging(expect: dict, result: dict) -> None:
    imaging = result["imaging"]
    if "ottawa" in expect:
        assert imaging["ottawa"] == expect["ottawa"], imaging
    if "ottawa_in" in expect:
        assert imaging["ottawa"] in expect["ottawa_in"], imaging
    if expect.get("ottawa_scope_reason"):
        assert imaging["scope_reason"], imaging
    tests = {t["id"]: t["result"] for t in result["examination"]["special_tests"]}
    for key, status in expect.get("test_results", {}).items():
        assert tests[key] == status, tests


def _check_exercises(expect: dict, result: dict) -> None:
    exercises = result["exercises"]
    ids = [e["id"] for e in exercises]
    if "rice" in expect:
        assert (result["rice"] is not None) is expect["rice"]
    for ex in expect.get("exercises_include", []):
        assert ex in ids, ids
    for ex in expect.get("exercises_exclude", []):
        assert ex not in ids, ids
    if "exercises_none" in expect:
        assert (not exercises) is expect["exercises_none"], ids
    loads = expect.get("exercise_loads_exclude", [])
    assert not [e["id"] for e in exercises if e["load"] in loads], exercises
    for load in expect.get("exercises_held_include", []):
        assert load in result["exercises_held"], result["exercises_held"]
    if expect.get("exercises_unique"):
        assert len(ids) == len(set(ids)), ids


def _check_return(expect: dict, answers: dict, result: dict) -> None:
    back = result["return_to_run"]
    earliest = back["earliest_date"]
    if expect.get("earliest_return_none"):
        assert earliest is None, earliest
    if expect.get("earliest_return_not_none"):
        assert earliest is not None
    if "earliest_return_days" in expect:
        injury = dt.date.fromisoformat(answers["injury_date"])
        assert earliest is not None
        assert (dt.date.fromisoformat(earliest) - injury).days == expect["earliest_return_days"]
    statuses = {c["id"]: c["status"] for c in back["checks"]}
    for cid, status in expect.get("checks", {}).items():
        assert statuses[cid] == status, statuses
    weeks = back["weeks"]
    if "week_distances" in expect:
        assert len(weeks) >= len(expect["week_distances"]), weeks
        for week, (lo, hi) in zip(weeks, expect["week_distances"], strict=False):
            assert lo <= week["distance"] <= hi, week
    if "week_unit" in expect:
        assert weeks and all(w["unit"] == expect["week_unit"] for w in weeks), weeks
    if expect.get("half_unit_distances"):
        assert weeks
        for week in weeks:
            for key in ("distance", "distance_max"):
                assert (week[key] * 2).is_integer(), week
    if "last_week_distance" in expect:
        assert weeks and weeks[-1]["distance"] == expect["last_week_distance"], weeks
    if expect.get("week_starts_none"):
        assert weeks and all(w["starts"] is None for w in weeks), weeks


def check(expect: dict, answers: dict, result: dict) -> None:
    """Every expectation of one case against one assessment."""
    _check_conditions(expect, result)
    _check_triage(expect, result)
    _check_flags(expect, result)
    _check_imaging(expect, result)
    _check_exercises(expect, result)
    _check_return(expect, answers, result)


def test_casebook_covers_every_red_flag_condition_test_and_rule() -> None:
    data = resources.files("ankle_intake.guidance").joinpath("data")
    flags = {f["id"] for f in
             json.loads(data.joinpath("red_flags.json").read_text("utf-8"))["items"]}
    expects = [c["expect"] for c in CASES]
    flagged = {f for e in expects for f in e.get("red_flags_include", [])}
    assert flags <= flagged, flags - flagged
    assert all("referral_urgency_in" in e for e in expects if e.get("red_flags_include"))
    named = {c for e in expects for key in ("top_condition", "conditions_include")
             for c in ([e[key]] if isinstance(e.get(key), str) else e.get(key, []))}
    conditions = {c["id"] for c in json.loads(
        data.joinpath("conditions.json").read_text("utf-8"))["items"]}
    assert conditions <= named, conditions - named
    ruled = {r for e in expects for r in e.get("triage_rules_include", [])}
    rules_in_why = {r for r in TRIAGE_REASONS for c in CASES if r in c["why"]}
    assert set(TRIAGE_REASONS) <= ruled | rules_in_why, set(TRIAGE_REASONS) - ruled - rules_in_why
    test_keys = [t["id"] for t in json.loads(
        data.joinpath("special_tests.json").read_text("utf-8"))["items"]]
    seen = {key: {e.get("test_results", {}).get(key) for e in expects} for key in test_keys}
    assert all({"positive", "negative", "not_examined"} <= seen[key] for key in test_keys), seen
    assert all(c["why"].strip() for c in CASES)
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", _params())
def test_case_through_assess(case: dict) -> None:
    answers = vignette_answers(case)
    expect = case["expect"]
    if "status" in expect:
        with pytest.raises(InvalidAnswers) as info:
            assess(answers)
        assert expect["error_field"] in info.value.errors, info.value.errors
        return
    check(expect, answers, assess(answers))


@pytest.mark.parametrize("case", _params())
def test_case_through_the_json_api(client, case: dict) -> None:
    answers = vignette_answers(case)
    expect = case["expect"]
    response = client.post(URL, json=answers)
    if "status" in expect:
        assert response.status_code == expect["status"], response.get_data(as_text=True)
        errors = response.json["errors"]
        assert expect["error_field"] in errors, errors
        assert all(isinstance(m, str) and m for m in errors[expect["error_field"]])
        return
    assert response.status_code == 201, response.get_data(as_text=True)
    check(expect, answers, response.json["assessment"])
