"""Triage level, red flags and the Ottawa rules.

One test per rule; each docstring names its source: an article section, or
for the Ottawa rules and the diabetes red flag, the published source.
"""

from __future__ import annotations

import pytest

from ankle_intake import assess

from casebook import days_ago, intake

CLEAR_OTTAWA = {
    "tender_lateral_malleolus": False,
    "tender_medial_malleolus": False,
    "tender_fifth_metatarsal_base": False,
    "tender_navicular": False,
    "unable_to_bear_weight": False,
}


def level(**answers: object) -> str:
    return assess(intake(**answers))["triage"]["level"]


def flag_ids(**answers: object) -> list[str]:
    return [f["id"] for f in assess(intake(**answers))["red_flags"]]


# --- stop: "You should not run if" and the soreness table -------------------


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"pain_pattern": ["sharpens_during_run"]}, id="sharpens during run"),
        pytest.param({"limping": True}, id="limping or avoiding load"),
        pytest.param({"swelling_trend": "worse"}, id="swelling increasing"),
        pytest.param({"instability": True}, id="instability"),
    ],
)
def test_you_should_not_run_if(answers: dict) -> None:
    """Sore vs. Injured: Read the Signs > You should not run if (each item)."""
    result = assess(intake(**answers))
    assert result["triage"]["level"] == "stop"
    assert result["stop_running"] is True


@pytest.mark.parametrize("answers", [{"swelling": "moderate"}, {"bruising": True}])
def test_pain_with_swelling_or_bruising_means_stop(answers: dict) -> None:
    """Is It Just Soreness...: pain with swelling, bruising = likely a sprain or worse = stop."""
    assert level(pain_now=2, **answers) == "stop"


def test_running_pain_above_3_shuts_it_down() -> None:
    """2. Achilles Tendinitis > Coming Back to Running: above a 3? Shut it down."""
    assert level(pain_running=4) == "stop"
    assert level(pain_running=3) == "caution"
    assert level(pain_running=2) == "continue"


def test_could_not_run_means_stop() -> None:
    """Sore vs. Injured: pain that stops the run is not low-grade."""
    assert level(pain_running=None) == "stop"


def test_worse_the_next_morning_is_not_okay() -> None:
    """2. Achilles Tendinitis > Coming Back to Running: worse the next morning? Not okay."""
    assert level(pain_pattern=["worse_next_morning"]) == "stop"


@pytest.mark.parametrize("answers", [{"pain_now": 4}, {"pain_pattern": ["at_rest_or_night"]}])
def test_pain_at_rest_is_not_low_grade(answers: dict) -> None:
    """Sore vs. Injured: you can run with a sore ankle only if the pain is low-grade."""
    assert level(**answers) == "stop"


def test_the_first_72_hours_after_a_sudden_injury_mean_no_running() -> None:
    """1. Ankle Sprain > How to Fix It: first 48-72 hours, Rest: no running. Period."""
    assert level(onset="sudden", injury_date=days_ago(3), pain_now=1) == "stop"
    assert level(onset="sudden", injury_date=days_ago(30), pain_now=1) != "stop"


def test_no_return_before_the_healing_time() -> None:
    """1. Ankle Sprain > Here's the healing time to expect: grade II 4-6 weeks."""
    early = assess(intake(onset="sudden", sprain_grade="II", injury_date=days_ago(20)))
    later = assess(intake(onset="sudden", sprain_grade="II", injury_date=days_ago(30)))
    assert early["stop_running"] is True
    assert later["stop_running"] is False


def test_a_likely_stress_fracture_means_stop_running_now() -> None:
    """3. Stress Fractures > What to Do if You Suspect One: stop running. Immediately."""
    result = assess(intake(pain_locations=["lower_shin"], pain_pattern=["worse_with_impact"],
                           training=["mileage_increase", "hard_surfaces"],
                           risk_factors=["under_fueling"]))
    assert result["conditions"][0]["id"] == "stress_fracture"
    assert result["stop_running"] is True


# --- caution: run, but change something -------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"swelling": "mild"}, id="mild swelling"),
        pytest.param({"swelling_trend": "same"}, id="swelling not going down"),
        pytest.param({"pain_pattern": ["morning_stiffness"]}, id="morning stiffness"),
        pytest.param({"pain_pattern": ["eases_with_warmup_then_returns"]}, id="eases then returns"),
        pytest.param({"training": ["cambered_route"]}, id="training load"),
    ],
)
def test_warning_signs_mean_run_with_changes(answers: dict) -> None:
    """Sore vs. Injured: run with a mildly sore ankle only while modifying pace, volume, terrain."""
    result = assess(intake(**answers))
    assert result["triage"]["level"] == "caution"
    assert result["stop_running"] is False


def test_achilles_tendinitis_calls_for_lighter_running() -> None:
    """2. Achilles Tendinitis > Step 1: Dial It Back: avoid hills, speed and long mileage."""
    result = assess(intake(pain_locations=["back_of_ankle"], pain_running=1))
    assert result["triage"]["level"] == "caution"
    assert any("hills" in r for r in result["triage"]["reasons"])


def test_a_healed_sprain_returns_with_the_plan() -> None:
    """Getting Back to Running: start slow, run-walk."""
    result = assess(intake(onset="sudden", sprain_grade="I", injury_date=days_ago(21)))
    assert result["triage"]["level"] == "caution"


# --- continue -----------------------------------------------------------------


def test_a_dull_ache_after_a_long_run_is_probably_okay() -> None:
    """Is It Just Soreness...: dull ache after long run = muscle fatigue, probably okay."""
    result = assess(intake(pain_pattern=["ache_after_long_run"], pain_now=1))
    assert result["triage"]["level"] == "continue"
    assert "probably okay" in result["triage"]["reasons"][0]


def test_no_warning_signs_means_carry_on() -> None:
    """Sore vs. Injured: low-grade pain that does not change the stride."""
    result = assess(intake())
    assert result["triage"]["level"] == "continue"
    assert result["triage"]["reasons"] == ["No warning signs were recorded."]


def test_the_most_serious_finding_decides_and_gives_the_reasons() -> None:
    """Sore vs. Injured: any one "should not run" sign is enough."""
    result = assess(intake(swelling="mild", limping=True))
    assert result["triage"]["level"] == "stop"
    assert all("mild swelling" not in r for r in result["triage"]["reasons"])


# --- red flags: always to a clinician ------------------------------------------


@pytest.mark.parametrize(
    ("flag", "answers"),
    [
        ("nerve_signs", {"nerve_symptoms": ["tingling"]}),
        ("pain_daily_activities", {"pain_walking": True}),
        ("suspected_fracture", {"point_tenderness": True, "pain_pattern": ["worse_with_impact"]}),
        ("ottawa_positive", {"onset": "sudden", "ottawa": {"unable_to_bear_weight": True}}),
        ("diabetes_nerve_symptoms", {"risk_factors": ["diabetes"], "nerve_symptoms": ["numbness"]}),
        ("grade_iii_sprain", {"onset": "sudden", "sprain_grade": "III"}),
        ("no_improvement", {"injury_date": days_ago(15), "symptom_trend": "same"}),
    ],
)
def test_each_red_flag_sends_the_runner_to_a_clinician(flag: str, answers: dict) -> None:
    """Red flags: soreness table (burning/tingling, daily activities), 3. Stress Fractures,
    1. Ankle Sprain (grade III), Ottawa rules (Stiell 1992), NICE NG19 (diabetic foot)."""
    result = assess(intake(**answers))
    assert flag in [f["id"] for f in result["red_flags"]]
    assert result["triage"]["level"] == "see_clinician"
    assert result["stop_running"] is True
    assert any(flag_name in reason for reason in result["triage"]["reasons"]
               for flag_name in [f["name"] for f in result["red_flags"]])


def test_diabetes_alone_is_not_a_red_flag() -> None:
    """NICE NG19: the flag is diabetes together with nerve symptoms."""
    assert flag_ids(risk_factors=["diabetes"]) == []


def test_point_tenderness_alone_is_not_a_suspected_fracture() -> None:
    """3. Stress Fractures: localized pain that increases with impact or walking."""
    assert "suspected_fracture" not in flag_ids(point_tenderness=True)


def test_no_improvement_needs_two_weeks_and_no_progress() -> None:
    """Is It Just Soreness...: if it's not getting better, address it."""
    assert "no_improvement" not in flag_ids(injury_date=days_ago(13), symptom_trend="same")
    assert "no_improvement" not in flag_ids(injury_date=days_ago(20), symptom_trend="improving")
    assert "no_improvement" in flag_ids(injury_date=days_ago(20), swelling_trend="worse")


def test_blocking_red_flags_hold_the_exercise_programme() -> None:
    """3. Stress Fractures: don't run through it; Ottawa positive: X-ray first."""
    held = assess(intake(onset="sudden", ottawa={"tender_navicular": True}))
    assert held["exercises"] == [] and held["exercises_on_hold"] is True
    nerve = assess(intake(pain_locations=["arch"], nerve_symptoms=["burning"]))
    assert nerve["exercises"] and nerve["exercises_on_hold"] is False


# --- Ottawa ankle and foot rules --------------------------------------------------


@pytest.mark.parametrize("finding", sorted(CLEAR_OTTAWA))
def test_any_single_ottawa_finding_is_positive(finding: str) -> None:
    """Stiell 1992; Bachmann BMJ 2003: bone tenderness at a key point, or unable to bear weight."""
    result = assess(intake(onset="sudden", ottawa={**CLEAR_OTTAWA, finding: True}))
    assert result["imaging"]["ottawa"] == "positive"
    assert "X-ray" in result["imaging"]["advice"]


def test_all_five_findings_clear_is_negative() -> None:
    """Bachmann BMJ 2003: negative rules nearly exclude a fracture."""
    result = assess(intake(onset="sudden", ottawa=CLEAR_OTTAWA))
    assert result["imaging"]["ottawa"] == "negative"
    assert result["red_flags"] == []


@pytest.mark.parametrize("ottawa", [..., {}, {"tender_lateral_malleolus": False}])
def test_a_partial_exam_is_not_assessed(ottawa: object) -> None:
    """Stiell 1992: the rules only rule out a fracture when every finding was examined."""
    result = assess(intake(onset="sudden", ottawa=ottawa))
    assert result["imaging"]["ottawa"] == "not_assessed"
