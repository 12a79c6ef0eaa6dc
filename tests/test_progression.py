"""Progression at a follow-up (contract 6): a casebook, one case per rule, each with its source.

The article's rules: "Pain during a run = 0-2 out of 10? Probably okay. Worse
the next morning? Not okay. Pain during running goes above a 3? Shut it down."
(2. Achilles Tendinitis > Coming Back to Running); "start at half ... If that
feels good? Bump it by 10-15% per week. If not? Back off." and "if you're
limping ... or waking up swollen the next morning? ... slow down." (Getting
Back to Running). What was not recorded holds (issue 14: not recorded is never
read as fine).
"""

from __future__ import annotations

from typing import Any

import pytest

from ankle_intake.forms import load_answers
from ankle_intake.guidance import CONTENT, evaluate
from ankle_intake.guidance.progression import moved

ACHILLES = "2. Achilles Tendinitis > Coming Back to Running"
GETTING_BACK = "Getting Back to Running (Without Screwing It Up)"
NOT_RECORDED = "ankle-intake issue 14"
RED_FLAG = "ankle-intake issue 11"

#: Running pain-free on a 30 km week: the weekly plan's week 1.
RUNNING = {
    "side": "left", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 1,
    "pain_running": 1, "injury_date": "2026-09-01", "assessment_date": "2026-11-02",
    "weekly_distance": 30, "pain_walking": False, "swelling": "none",
}
#: Running with some pain (3/10): the run-walk steps first.
RETURNING = {**RUNNING, "pain_running": 3}
GOOD = {"runs": 3, "pain_during_max": 2, "worse_next_morning": False}

CASES: list[dict[str, Any]] = [
    {"name": "pain 0-2 and not worse next morning advances a week",
     "source": ACHILLES, "first": RUNNING, "week": GOOD,
     "decision": "advance", "stage": {"kind": "weekly", "week": 2}},
    {"name": "an advance on the run-walk steps is the next step",
     "source": GETTING_BACK, "first": RETURNING, "week": GOOD,
     "decision": "advance", "stage": {"kind": "run_walk", "step": 2}},
    {"name": "pain of 3 holds", "source": ACHILLES, "first": RUNNING,
     "week": {**GOOD, "pain_during_max": 3},
     "decision": "hold", "stage": {"kind": "weekly", "week": 1}},
    {"name": "worse the next morning holds", "source": ACHILLES, "first": RUNNING,
     "week": {**GOOD, "worse_next_morning": True},
     "decision": "hold", "stage": {"kind": "weekly", "week": 1}},
    {"name": "no runs last week holds", "source": GETTING_BACK, "first": RUNNING,
     "week": {"runs": 0}, "decision": "hold", "stage": {"kind": "weekly", "week": 1}},
    {"name": "the next morning not recorded holds", "source": NOT_RECORDED, "first": RUNNING,
     "week": {"runs": 3, "pain_during_max": 1},
     "decision": "hold", "stage": {"kind": "weekly", "week": 1}},
    {"name": "no last week at all holds", "source": NOT_RECORDED, "first": RUNNING,
     "week": None, "decision": "hold", "stage": {"kind": "weekly", "week": 1}},
    {"name": "pain above 3 backs off", "source": ACHILLES, "first": RUNNING,
     "week": {**GOOD, "pain_during_max": 4},
     "decision": "back_off", "stage": {"kind": "run_walk", "step": 3}},
    {"name": "limping backs off (and the core stops running)", "source": GETTING_BACK,
     "first": RUNNING, "week": GOOD, "today": {"limping": True},
     "decision": "back_off", "stage": {"kind": "paused"}},
    {"name": "swelling getting worse backs off", "source": GETTING_BACK, "first": RUNNING,
     "week": GOOD, "today": {"swelling": "mild", "swelling_trend": "worse"},
     "decision": "back_off"},
    {"name": "swelling up since the last visit backs off", "source": GETTING_BACK,
     "first": RUNNING, "week": GOOD, "today": {"swelling": "moderate"},
     "decision": "back_off"},
    {"name": "a new red flag backs off and refers", "source": RED_FLAG, "first": RUNNING,
     "week": GOOD, "today": {"warning_signs": ["night_pain"]},
     "decision": "back_off", "stage": {"kind": "paused"}, "weeks": []},
]


def _follow_up(case: dict[str, Any]) -> dict[str, Any]:
    first = load_answers(case["first"])
    before = evaluate(first)
    answers = {**case["first"], "assessment_date": "2026-11-09", **case.get("today", {})}
    if case["week"] is not None:
        answers["last_week"] = case["week"]
    return evaluate(load_answers(answers), {"answers": first, "assessment": before})


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_progression_rule(case: dict[str, Any]) -> None:
    rtr = _follow_up(case)["return_to_run"]
    assert rtr["progression"] == case["decision"]
    if "stage" in case:
        assert rtr["stage"] == case["stage"]
    if "weeks" in case:
        assert rtr["weeks"] == case["weeks"]
    sources = [r["source"].get("article") or r["source"].get("citation")
               for r in rtr["progression_reasons"]]
    assert any(case["source"] in s for s in sources), sources
    assert all(r["patient"] and r["clinician"] for r in rtr["progression_reasons"])


def test_every_progression_item_is_used_by_a_case() -> None:
    used = {r["id"] for case in CASES
            for r in _follow_up(case)["return_to_run"]["progression_reasons"]}
    assert used == set(CONTENT.progression)


def test_back_off_wins_over_hold() -> None:
    case = {"first": RUNNING, "week": {"runs": 2, "pain_during_max": 5,
                                       "worse_next_morning": True}}
    assert _follow_up(case)["return_to_run"]["progression"] == "back_off"


def test_a_first_intake_has_no_progression() -> None:
    rtr = evaluate(load_answers(RUNNING))["return_to_run"]
    assert rtr["progression"] is None and rtr["progression_reasons"] == []
    assert rtr["stage"] == {"kind": "weekly", "week": 1}


@pytest.mark.parametrize(("stage", "decision", "after"), [
    ({"kind": "paused"}, "advance", {"kind": "run_walk", "step": 1}),
    ({"kind": "run_walk", "step": 3}, "advance", {"kind": "weekly", "week": 1}),
    ({"kind": "weekly", "week": 9}, "advance", {"kind": "weekly", "week": 9}),
    ({"kind": "run_walk", "step": 1}, "back_off", {"kind": "paused"}),
    ({"kind": "weekly", "week": 1}, "back_off", {"kind": "run_walk", "step": 3}),
    ({"kind": "weekly", "week": 4}, "hold", {"kind": "weekly", "week": 4}),
])
def test_a_stage_moves_one_step_at_most(stage: dict, decision: str, after: dict) -> None:
    assert moved(stage, decision, 9) == after


def test_the_clinicians_choice_on_review_moves_the_next_visit() -> None:
    """The last visit suggested advance; the clinician chose hold: the runner stayed at week 1."""
    first = load_answers(RUNNING)
    second_answers = load_answers({**RUNNING, "assessment_date": "2026-11-09",
                                   "last_week": GOOD})
    second = evaluate(second_answers, {"answers": first, "assessment": evaluate(first)})
    assert second["return_to_run"]["progression"] == "advance"
    third = evaluate(load_answers({**RUNNING, "assessment_date": "2026-11-16",
                                   "last_week": GOOD}),
                     {"answers": second_answers, "assessment": second,
                      "plan": {"progression": "hold"}})
    assert third["return_to_run"]["stage"] == {"kind": "weekly", "week": 2}


def test_the_note_says_last_week_the_measures_and_the_progression() -> None:
    from ankle_intake.reports.note import clinician_note

    first = load_answers({**RUNNING, "measures": {"cait": [3, 2, 2, 1, 1, 2, 1, 1, 2]}})
    before = evaluate(first)
    answers = load_answers({**RUNNING, "assessment_date": "2026-11-09",
                            "last_week": {"runs": 2, "pain_during_max": 5},
                            "measures": {"cait": [5, 4, 3, 3, 2, 3, 4, 3, 3]}})
    history = {"cait": {"scored": before["measures"]["cait"], "date": "2026-11-02"}}
    after = evaluate(answers, {"answers": first, "assessment": before,
                               "measures_history": history})
    note = clinician_note(answers, after, plan={**_plan(after), "progression": "hold"})
    assert "- Last week: 2 run(s); minutes not recorded; distance not recorded; worst pain " \
           "during a run 5/10; next morning not recorded." in note
    assert "CAIT: 30/30 points." in note
    assert after["measures"]["cait"]["change"]["text"] in note
    assert "- Progression suggested: back off." in note
    assert "- Progression chosen: hold (suggested back off)." in note


def _plan(assessment: dict[str, Any]) -> dict[str, Any]:
    from ankle_intake.guidance.plan import suggested_plan

    return suggested_plan(assessment)


def test_the_handout_prints_the_weeks_of_the_clinicians_progression() -> None:
    from ankle_intake.reports.planned import planned_assessment

    first = load_answers(RUNNING)
    answers = load_answers({**RUNNING, "assessment_date": "2026-11-09", "last_week": GOOD})
    after = evaluate(answers, {"answers": first, "assessment": evaluate(first)})
    rtr = after["return_to_run"]
    assert rtr["progression"] == "advance" and rtr["weeks"][0]["week"] == 2
    held = planned_assessment(after, {**_plan(after), "progression": "hold"})["return_to_run"]
    assert held["chosen_progression"] == "hold" and held["progression"] == "advance"
    assert held["stage"] == {"kind": "weekly", "week": 1}
    assert held["weeks"][0]["week"] == 1 and held["weeks"][0]["starts"] == "2026-11-09"
    back = planned_assessment(after, {**_plan(after), "progression": "back_off"})["return_to_run"]
    assert back["run_walk_first"] and back["weeks"][0]["starts"] is None
