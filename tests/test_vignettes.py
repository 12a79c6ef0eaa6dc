"""Every shared worked case, through the schema and assess().

The cases live in ``../shared/vignettes/cases.json``; each names the article
section its expectation comes from. HTTP-status cases are checked here at the
schema (the field the 422 must name); the API tests check the status itself.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ankle_intake import InvalidAnswers, assess
from ankle_intake.api.schemas import RecordSchema

from casebook import CASES_FILE, EXAMINATION_FILE, vignette_answers, vignette_cases

CASES = vignette_cases() + vignette_cases(EXAMINATION_FILE)
pytestmark = pytest.mark.skipif(not CASES, reason=f"no shared vignettes at {CASES_FILE}")


def check(expect: dict, answers: dict, result: dict) -> None:
    ids = [c["id"] for c in result["conditions"]]
    exercise_ids = [e["id"] for e in result["exercises"]]
    if "top_condition" in expect:
        assert ids and ids[0] == expect["top_condition"], ids
    for cid in expect.get("conditions_include", []):
        assert cid in ids
    for cid in expect.get("conditions_exclude", []):
        assert cid not in ids
    if "level" in expect:
        assert result["triage"]["level"] == expect["level"], result["triage"]
    if "level_in" in expect:
        assert result["triage"]["level"] in expect["level_in"], result["triage"]
    if "stop_running" in expect:
        assert result["stop_running"] is expect["stop_running"], result["triage"]
    if "ottawa" in expect:
        assert result["imaging"]["ottawa"] == expect["ottawa"]
    if "rice" in expect:
        assert (result["rice"] is not None) is expect["rice"]
    if "red_flags" in expect:
        assert bool(result["red_flags"]) is expect["red_flags"], result["red_flags"]
    for ex in expect.get("exercises_include", []):
        assert ex in exercise_ids
    for ex in expect.get("exercises_exclude", []):
        assert ex not in exercise_ids
    if expect.get("exercises_none"):
        assert exercise_ids == []
    if "referral_urgency_in" in expect:
        assert result["referral"] is not None
        assert result["referral"]["urgency"] in expect["referral_urgency_in"]
    if "ottawa_in" in expect:
        assert result["imaging"]["ottawa"] in expect["ottawa_in"]
    if "healing_days" in expect:
        healing = result["healing"]
        assert [healing["min_days"], healing["max_days"]] == expect["healing_days"]
    if "earliest_return_days" in expect:
        injury = dt.date.fromisoformat(answers["injury_date"])
        earliest = dt.date.fromisoformat(result["return_to_run"]["earliest_date"])
        assert (earliest - injury).days == expect["earliest_return_days"]
    if "week_distances" in expect:
        weeks = result["return_to_run"]["weeks"]
        for week, (lo, hi) in zip(weeks, expect["week_distances"], strict=False):
            assert lo <= week["distance"] <= hi, week
        assert len(weeks) >= len(expect["week_distances"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vignette(case: dict) -> None:
    answers = vignette_answers(case)
    expect = case["expect"]
    if "status" in expect:
        with pytest.raises(InvalidAnswers) as info:
            assess(answers)
        assert expect["error_field"] in info.value.errors
        return
    check(expect, answers, assess(answers))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vignette_through_the_json_api(client, count, case: dict) -> None:
    """The same cases over HTTP: 201 with the same assessment, or the 4xx naming the field."""
    answers = vignette_answers(case)
    expect = case["expect"]
    response = client.post("/ankle/api/assessments", json=answers)
    if "status" in expect:
        assert response.status_code == expect["status"], response.json
        assert expect["error_field"] in response.json["errors"]
        assert count() == 0
        return
    assert response.status_code == 201, response.json
    RecordSchema().load(response.json)
    check(expect, answers, response.json["assessment"])
