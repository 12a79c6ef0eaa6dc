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


@pytest.mark.parametrize("answers", [{"swelling": "mild"}, {"swelling": "moderate"},
                                     {"bruising": True}])
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
        pytest.param({"swelling": "mild"}, id="mild swelling without pain"),
        pytest.param({"symptom_trend": "worse"}, id="getting worse"),
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


# --- red flags: always refer on, with an urgency -----------------------------


@pytest.mark.parametrize(
    ("flag", "answers", "urgency"),
    [
        ("nerve_signs", {"nerve_symptoms": ["tingling"]}, "routine"),
        ("suspected_stress_fracture",
         {"point_tenderness": True, "pain_pattern": ["worse_with_impact"]},
         "within_1_working_day"),
        ("ottawa_ankle_positive", {"onset": "sudden", "ottawa": {"unable_to_bear_weight": True}},
         "same_day"),
        ("diabetes_nerve_symptoms", {"risk_factors": ["diabetes"], "nerve_symptoms": ["numbness"]},
         "routine"),
        ("grade_iii_sprain", {"onset": "sudden", "sprain_grade": "III"}, "routine"),
        ("suspected_achilles_rupture",
         {"onset": "sudden", "pain_locations": ["back_of_ankle"],
          "special_tests": {"thompson_test": "positive"}}, "same_day"),
        ("septic_joint", {"warning_signs": ["hot_red_swollen_joint", "fever_or_unwell"]},
         "emergency"),
        ("deep_vein_thrombosis",
         {"warning_signs": ["calf_pain_or_swelling", "recent_immobilisation_or_surgery"]},
         "same_day"),
        ("charcot_foot", {"warning_signs": ["warm_swollen_foot"], "risk_factors": ["diabetes"]},
         "within_1_working_day"),
        ("night_pain", {"warning_signs": ["night_pain"]}, "within_1_working_day"),
        ("weight_loss", {"warning_signs": ["unexplained_weight_loss"]}, "within_1_working_day"),
        ("fever_or_unwell", {"warning_signs": ["fever_or_unwell"]}, "same_day"),
        ("cannot_bear_weight", {"weight_bearing": "none"}, "same_day"),
    ],
)
def test_each_red_flag_refers_on_with_its_urgency(flag: str, answers: dict, urgency: str) -> None:
    """Red flags: soreness table (burning/tingling), 3. Stress Fractures, 1. Ankle Sprain
    (grade III), Ottawa rules (Stiell 1993), NICE NG19, AAOS 2009, hot swollen joint
    (Coakley 2006), NICE NG158, NICE NG12."""
    result = assess(intake(**answers))
    assert flag in [f["id"] for f in result["red_flags"]]
    assert result["triage"]["level"] == "see_clinician"
    assert result["stop_running"] is True
    assert result["referral"]["urgency"] == urgency
    assert result["return_to_run"]["earliest_date"] is None
    assert "see a clinician" not in result["triage"]["clinician_summary"].lower()
    assert not {e["load"] for e in result["exercises"]} & {"loading", "impact"}


def test_the_most_urgent_flag_sets_the_referral() -> None:
    """Contract 4b: the most urgent flag sets the urgency."""
    result = assess(intake(nerve_symptoms=["tingling"], warning_signs=["hot_red_swollen_joint"]))
    assert result["referral"]["urgency"] == "emergency"
    assert [f["id"] for f in result["red_flags"]][0] == "septic_joint"
    assert len(result["referral"]["reasons"]) == 2


def test_the_clinician_summary_names_the_finding() -> None:
    """Issue 11: "Refer for ankle X-ray: Ottawa ankle rule positive (lateral malleolus)"."""
    result = assess(intake(onset="sudden", ottawa={"tender_lateral_malleolus": True}))
    summary = result["triage"]["clinician_summary"]
    assert summary.startswith("Refer for ankle X-ray")
    assert "lateral malleolus" in summary
    assert result["triage"]["clinician_label"] == "Refer on"


def test_pain_walking_after_a_sprain_means_no_running_not_a_referral() -> None:
    """How to Treat... > Extra Notes: if walking hurts, don't run; expected, not an alarm."""
    result = assess(intake(onset="sudden", injury_date=days_ago(1), pain_walking=True,
                           sprain_grade="II"))
    assert result["triage"]["level"] == "stop"
    assert result["red_flags"] == [] and result["referral"] is None


def test_diabetes_alone_is_not_a_red_flag() -> None:
    """NICE NG19: the flag is diabetes together with nerve symptoms."""
    assert flag_ids(risk_factors=["diabetes"]) == []


def test_point_tenderness_on_the_bone_is_a_possible_fracture() -> None:
    """3. Stress Fractures > How to Know: localized, tender to the touch: get checked."""
    result = assess(intake(point_tenderness=True, pain_locations=["lower_shin"], pain_now=1))
    assert "suspected_stress_fracture" in [f["id"] for f in result["red_flags"]]
    assert result["triage"]["level"] == "see_clinician"


def test_not_improving_is_addressed_here_not_referred() -> None:
    """Is It Just Soreness...: if it's not getting better, address it (caution, no referral)."""
    same = assess(intake(injury_date=days_ago(20), symptom_trend="same"))
    assert same["triage"]["level"] == "caution" and same["referral"] is None
    worse = assess(intake(injury_date=days_ago(20), symptom_trend="worse"))
    assert worse["triage"]["level"] in ("caution", "stop") and worse["referral"] is None


def test_calf_pain_alone_is_considered_not_referred() -> None:
    """NICE NG158: DVT is assessed with the Wells score; immobilisation makes it a flag."""
    result = assess(intake(warning_signs=["calf_pain_or_swelling"]))
    assert result["triage"]["level"] == "caution"
    assert any("Wells" in r for r in result["triage"]["reasons"])


def test_blocking_red_flags_hold_the_exercise_programme() -> None:
    """Ottawa positive: X-ray first; nerve signs hold loading but keep the calf stretch."""
    held = assess(intake(onset="sudden", ottawa={"tender_navicular": True}))
    assert held["exercises"] == [] and held["exercises_on_hold"] is True
    nerve = assess(intake(pain_locations=["arch"], nerve_symptoms=["burning"]))
    assert nerve["exercises"] and nerve["exercises_on_hold"] is False
    assert {e["load"] for e in nerve["exercises"]} <= {"mobility", "off_load"}


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


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"onset": "gradual"}, id="gradual onset"),
        pytest.param({"onset": "sudden", "injury_date": days_ago(11)}, id="11 days after"),
    ],
)
def test_the_ottawa_rules_are_not_applied_outside_their_scope(answers: dict) -> None:
    """Stiell, JAMA 1993;269:1127: the refined rules are for acute injuries (within 10 days)."""
    result = assess(intake(ottawa={**CLEAR_OTTAWA, "tender_navicular": True}, **answers))
    assert result["imaging"]["ottawa"] == "not_applicable"
    assert result["imaging"]["scope_reason"]
    assert not [f for f in result["red_flags"] if f["id"].startswith("ottawa")]


def test_the_ottawa_rules_apply_on_day_ten() -> None:
    """Stiell, JAMA 1993: within 10 days of a sudden injury."""
    result = assess(intake(onset="sudden", injury_date=days_ago(10), ottawa=CLEAR_OTTAWA))
    assert result["imaging"]["ottawa"] == "negative"
    assert result["imaging"]["scope_reason"] is None


@pytest.mark.parametrize("sign", ["hot_red_swollen_joint", "warm_swollen_foot"])
def test_no_rice_under_a_medical_red_flag(sign: str) -> None:
    """RICE is first aid for an injury (1. Ankle Sprain); a hot swollen joint or foot goes to
    a doctor instead (Coakley 2006; NICE NG19)."""
    result = assess(intake(onset="sudden", injury_date=days_ago(1), swelling="moderate",
                           warning_signs=[sign], risk_factors=["diabetes"]))
    assert result["rice"] is None
    injury = assess(intake(onset="sudden", injury_date=days_ago(1), swelling="moderate",
                           weight_bearing="none"))
    assert injury["rice"] is not None
