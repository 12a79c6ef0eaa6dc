"""RICE, exercises, advice and the return-to-run plan.

One test per rule; each docstring names the article section it comes from.
"""

from __future__ import annotations

import inspect
import math

from ankle_intake import assess
from ankle_intake.guidance import engine, plan

from casebook import days_ago, intake


def test_rice_applies_in_the_first_72_hours_after_a_sudden_injury() -> None:
    """1. Ankle Sprain > How to Fix It: first 48-72 hours, R.I.C.E."""
    assert assess(intake(onset="sudden", injury_date=days_ago(2)))["rice"] is not None
    assert assess(intake(onset="sudden", injury_date=days_ago(10)))["rice"] is None


def test_rice_applies_while_the_ankle_is_swollen() -> None:
    """Step 1: Immediate First Aid - R.I.C.E.: especially useful while swelling is at its worst."""
    assert assess(intake(swelling="mild"))["rice"] is not None
    assert assess(intake(swelling="none"))["rice"] is None


def test_no_rice_for_plain_soreness() -> None:
    """Is It Just Soreness...: a dull ache after a long run is probably okay."""
    assert assess(intake(pain_pattern=["ache_after_long_run"]))["rice"] is None


def test_rice_steps_carry_their_timings() -> None:
    """Step 1: Immediate First Aid - R.I.C.E. and Extra Notes: ice 15-20 minutes, 3-4 times a
    day; compression snug; elevation above the heart; no heat until the swelling is gone."""
    steps = " ".join(assess(intake(swelling="moderate"))["rice"]["steps"])
    for words in ("15 to 20 minutes", "3 to 4 times a day", "Snug, not tight",
                  "above the level of your heart", "No heat until the swelling has gone"):
        assert words in steps


def test_return_criteria_are_the_three_checks() -> None:
    """1. Ankle Sprain > Don't return to running until: walk, swelling, hop."""
    criteria = assess(intake())["return_to_run"]["criteria"]
    assert len(criteria) == 3
    assert "walk" in criteria[0] and "swelling" in criteria[1] and "hop" in criteria[2]


def test_run_walk_steps_build_one_thing_at_a_time() -> None:
    """Getting Back to Running: 1/2 for 10-15 min, then 2/2 for 20 min, then 5/1."""
    steps = assess(intake())["return_to_run"]["run_walk"]
    assert "jog 1 minute, walk 2 minutes" in steps[0] and "10 to 15 minutes" in steps[0]
    assert "run 2 minutes, walk 2 minutes, for 20 minutes" in steps[1]
    assert "run 5 minutes, walk 1 minute" in steps[2]
    assert any("one thing at a time" in s for s in steps)


def test_pain_rule_is_0_to_2_okay_above_3_stop() -> None:
    """2. Achilles Tendinitis > Coming Back to Running: the pain scale rule."""
    rule = " ".join(assess(intake())["return_to_run"]["pain_rule"])
    assert "0 to 2 out of 10" in rule and "above 3 out of 10" in rule and "next morning" in rule


def _half(value: float) -> float:
    """Nearest half unit, halves rounding up (17.25 -> 17.5)."""
    return math.floor(value * 2 + 0.5) / 2


def test_the_weekly_table_starts_at_half_and_grows_10_to_15_percent() -> None:
    """Getting Back to Running: the 50% rule, then 10-15% per week, in half miles."""
    weeks = assess(intake(weekly_distance=30, distance_unit="mi"))["return_to_run"]["weeks"]
    assert weeks[0]["distance"] == 15.0 and weeks[0]["unit"] == "mi"
    for n, week in enumerate(weeks[:-1]):
        assert week["distance"] == _half(15 * 1.10 ** n)
        assert week["distance_max"] == min(30, _half(15 * 1.15 ** n))
        assert week["distance"] * 2 == int(week["distance"] * 2)
    assert weeks[-1]["distance"] == 30.0
    assert [w["week"] for w in weeks] == list(range(1, len(weeks) + 1))


def test_small_distances_round_to_a_measurable_half() -> None:
    """Issue 11: distances a runner can measure (0.5 km or 0.5 mi)."""
    weeks = assess(intake(weekly_distance=7))["return_to_run"]["weeks"]
    assert [w["distance"] for w in weeks[:3]] == [3.5, 4.0, 4.0]
    assert all(w["distance_max"] * 2 == int(w["distance_max"] * 2) for w in weeks)


def test_the_weekly_table_only_with_a_weekly_distance() -> None:
    """Getting Back to Running: the 50% rule needs the pre-injury weekly distance."""
    assert assess(intake())["return_to_run"]["weeks"] == []
    assert assess(intake(weekly_distance=0))["return_to_run"]["weeks"] == []


def test_the_weekly_table_waits_for_the_run_walk_steps() -> None:
    """Getting Back to Running: run-walk first, per run; weekly distance once running
    is continuous, so those weeks carry no date."""
    result = assess(intake(onset="sudden", sprain_grade="I", injury_date=days_ago(2),
                           weekly_distance=20))
    rtr = result["return_to_run"]
    assert rtr["run_walk_first"] is True
    assert [w["starts"] for w in rtr["weeks"]] == [None] * len(rtr["weeks"])
    assert "jog 1 minute, walk 2 minutes" in rtr["run_walk"][0]


def test_weekly_sessions_are_continuous_runs_not_run_walk() -> None:
    """Getting Back to Running: the weeks are the 50% rule; run-walk is per run."""
    weeks = assess(intake(weekly_distance=40))["return_to_run"]["weeks"]
    assert "Half your usual weekly distance" in weeks[0]["sessions"]
    assert all("walk" not in w["sessions"] for w in weeks)


def test_achilles_gets_eccentric_heel_drops_at_3_x_15() -> None:
    """2. Achilles Tendinitis > Step 3: eccentric heel drops, 3x15, once or twice a day;
    start with both feet, build to single-leg."""
    result = assess(intake(pain_locations=["back_of_ankle"], pain_running=5))
    drops = next(e for e in result["exercises"] if e["id"] == "eccentric_heel_drops")
    assert drops["dose"] == "3 sets of 15, once or twice a day"
    assert "both feet" in drops["how"] and "one" in drops["how"]
    assert drops["stop_if"].startswith("Stop if")


def test_the_first_phase_has_at_most_four_exercises() -> None:
    """Adherence falls as the list grows: at most four in the first phase."""
    for answers in (intake(onset="sudden", injury_date=days_ago(1), swelling="severe"),
                    intake(pain_locations=["arch", "back_of_ankle"], swelling="mild",
                           nerve_symptoms=["tingling"])):
        result = assess(answers)
        assert result["phase"] == "acute"
        assert 1 <= len(result["exercises"]) <= 4


def test_sprain_rehab_uses_balance_and_band_work() -> None:
    """1. Ankle Sprain > The Rehab Most Runners Skip: balance, band, calf raises, short foot."""
    result = assess(intake(onset="sudden", sprain_grade="II", injury_date=days_ago(14)))
    assert result["phase"] == "rehab"
    ids = [e["id"] for e in result["exercises"]]
    assert {"single_leg_balance", "band_ankle_movements"} <= set(ids)


def test_every_exercise_has_dose_steps_and_a_stop_line() -> None:
    """Exercises come with a dose, a short how-to and a "stop if" line."""
    result = assess(intake(pain_pattern=["ache_after_long_run"]))
    assert result["exercises"]
    for ex in result["exercises"]:
        assert ex["dose"] and 2 <= len(ex["steps"]) <= 3 and ex["stop_if"].startswith("Stop if")


def test_stress_fracture_advice_covers_nutrition_and_cross_training() -> None:
    """3. Stress Fractures: fuel up (protein, calcium, vitamin D); cross-train pain-free."""
    result = assess(intake(pain_locations=["lower_shin"], pain_pattern=["worse_with_impact"],
                           training=["mileage_increase"], risk_factors=["under_fueling"]))
    advice_ids = {a["id"] for a in result["advice"]}
    assert {"fracture_nutrition", "cross_training_fracture"} <= advice_ids


def test_tarsal_tunnel_advice_supports_the_arch() -> None:
    """4. Tarsal Tunnel Syndrome > Treatment: Relieve the Pressure: support your arch."""
    result = assess(intake(pain_locations=["arch"], nerve_symptoms=["tingling"]))
    assert "tts_arch_support" in {a["id"] for a in result["advice"]}


def test_shoe_advice_follows_the_foot() -> None:
    """How to Not End Up Injured Again > Don't Sleep on Your Shoes: arches decide."""
    flat = {a["id"] for a in assess(intake(risk_factors=["flat_feet_or_overpronation"]))["advice"]}
    high = {a["id"] for a in assess(intake(risk_factors=["high_arches"]))["advice"]}
    assert "shoes_flat_feet" in flat and "shoes_high_arches" not in flat
    assert "shoes_high_arches" in high


def test_assess_is_deterministic_and_never_reads_the_clock() -> None:
    """The date comes from assessment_date: the same answers give the same assessment."""
    answers = intake(onset="sudden", sprain_grade="I", injury_date=days_ago(1), weekly_distance=25)
    assert assess(answers) == assess(answers)
    for module in (engine, plan):
        source = inspect.getsource(module)
        assert "today(" not in source and "now(" not in source


def test_the_weekly_table_never_starts_in_the_past() -> None:
    """Getting Back to Running: a runner already running pain-free (0-2/10) starts the
    weekly plan today at the earliest; 1. Ankle Sprain healing time when still ahead."""
    healed = assess(intake(onset="sudden", sprain_grade="I", injury_date=days_ago(30),
                           weekly_distance=20, pain_running=1))
    assert healed["return_to_run"]["weeks"][0]["starts"] == intake()["assessment_date"]
    running = assess(intake(weekly_distance=20, pain_running=0))
    assert running["return_to_run"]["weeks"][0]["starts"] == intake()["assessment_date"]
    resting = assess(intake(limping=True, weekly_distance=20))
    assert resting["return_to_run"]["weeks"][0]["starts"] is None
