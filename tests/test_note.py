"""The clinician's note: plain text, SOAP order, worded from vocabulary and guidance.

The clinician's plan and the signature have tests of their own in ``test_note_soap.py``.
"""

from __future__ import annotations

import re

import pytest

from ankle_intake import assess, load_answers
from ankle_intake.forms.vocabulary import BY_KEY, OTTAWA_FINDINGS
from ankle_intake.reports.note import (
    ASSESSMENT,
    EXAMINATION,
    HANDOUT_GIVEN,
    OBJECTIVE,
    PLAN,
    REFERRAL,
    SPECIAL_TESTS,
    SUBJECTIVE,
    TITLE,
    UNSIGNED,
    clinician_note,
)

from casebook import days_ago, intake, vignette_answers, vignette_cases

CASES = [c for c in vignette_cases() if "error_field" not in c["expect"]]
HOSTILE = "Zoë O'Brien <b>&amp;</b>"


def note_for(**overrides: object) -> tuple[str, dict, dict]:
    answers = load_answers(intake(**overrides))
    assessment = assess(answers)
    return clinician_note(answers, assessment), answers, assessment


def positions(text: str, *markers: str) -> list[int]:
    found = [text.find(m) for m in markers]
    assert -1 not in found, [m for m, at in zip(markers, found, strict=True) if at == -1]
    return found


def test_sections_come_in_clinicians_order() -> None:
    text, _, _ = note_for(
        onset="sudden", injury_date=days_ago(1), sprain_grade="I", swelling="mild",
        ottawa={f.key: False for f in OTTAWA_FINDINGS}, weekly_distance=30,
    )
    at = positions(
        text, TITLE, SUBJECTIVE, "- Onset: ", "- Weekly distance: 30 km", OBJECTIVE, EXAMINATION,
        "- Sprain grade: ", SPECIAL_TESTS, "Ottawa findings:", ASSESSMENT,
        "- Likely: Ankle sprain", "- Ottawa ankle and foot rules: negative",
        "- Suggested: No running; rehab first", PLAN, "- No running; rehab first", "- RICE: ",
        "- Exercises:", "- Return-to-run checks:",
        "- Earliest return to running: 2026-03-15", HANDOUT_GIVEN, UNSIGNED,
    )
    assert at == sorted(at)
    assert text.endswith(f"{HANDOUT_GIVEN}\n\n{UNSIGNED}\n")


def test_names_are_printed_literally_and_references_never() -> None:
    text, _, _ = note_for(patient_name=HOSTILE, clinician_name="Dr A. Ng",
                          patient_ref="MRN-55731", encounter_ref="ENC-2209")
    assert f"Patient name: {HOSTILE}\n" in text
    assert "Clinician name: Dr A. Ng" in text
    for hidden in ("MRN-55731", "ENC-2209", "Patient reference", "Encounter reference"):
        assert hidden not in text
    assert "&lt;" not in text and "&amp;amp;" not in text


def test_findings_use_the_vocabulary_labels() -> None:
    text, _, _ = note_for(pain_locations=["back_of_ankle", "heel"], pain_now=2,
                          pain_pattern=["morning_stiffness"], limping=False,
                          weekly_distance=25.5, distance_unit="mi")
    locations = BY_KEY["pain_locations"]
    assert (f"- Pain locations: {locations.label_for('back_of_ankle')}; "
            f"{locations.label_for('heel')}") in text
    assert "- Pain now: 2 out of 10" in text
    assert f"- Pain pattern: {BY_KEY['pain_pattern'].label_for('morning_stiffness')}" in text
    assert "- Limping: no" in text
    assert "- Weekly distance: 25.5 mi" in text
    assert "morning_stiffness" not in text and "back_of_ankle" not in text


def test_could_not_run_differs_from_not_recorded() -> None:
    could_not, _, _ = note_for(pain_running=None)
    not_recorded, _, _ = note_for()
    assert "- Pain while running: could not run" in could_not
    assert "Pain while running" not in not_recorded


def test_unexamined_ottawa_findings_are_said_so() -> None:
    text, _, assessment = note_for(onset="sudden", ottawa={"unable_to_bear_weight": True})
    assert "Ottawa ankle and foot rules: positive" in text
    assert "- Unable to bear weight: yes" in text
    assert "- Tender at the navicular: not examined" in text
    assert assessment["imaging"]["clinician_advice"] in text
    assert assessment["imaging"]["advice"] not in text  # the patient's sentence


def test_the_ottawa_rules_outside_their_scope_say_not_applicable_and_why() -> None:
    text, _, assessment = note_for(onset="gradual", ottawa={"tender_navicular": True})
    assert "Ottawa ankle and foot rules: not applicable" in text
    assert assessment["imaging"]["scope_reason"] in text
    assert "Tender at the navicular: yes" not in text  # recorded, but not applied


def test_not_examined_is_never_written_as_no() -> None:
    text, _, _ = note_for(pain_walking=False, special_tests={"anterior_drawer": "negative"})
    assert "- Pain walking: no" in text
    for label in ("Point tenderness", "Limping", "Heard a pop", "Bruising", "Instability",
                  "Weight-bearing today", "Swelling", "Single-leg heel raises"):
        assert f"- {label}: not examined" in text, label
    assert "- Anterior drawer test: negative\n" in text
    assert "- Thompson test: not examined\n" in text


REFERRED = dict(
    onset="sudden", side="right", injury_date=days_ago(1), pain_now=5,
    pain_locations=["back_of_ankle", "outer_ankle"], mechanism="push_off_or_landing",
    special_tests={"thompson_test": "positive", "squeeze_test": "negative"},
    ottawa={"tender_lateral_malleolus": True},
)


def test_a_referred_case_speaks_the_clinicians_words() -> None:
    text, _, assessment = note_for(**REFERRED)
    referral = assessment["referral"]
    assert f"- {REFERRAL} {referral['urgency_label']}, to {referral['to']}" in text
    assert text.index(f"- {REFERRAL}") > text.index(PLAN)
    for flag in assessment["red_flags"]:
        assert f"  - Action: {flag['clinician_text']}" in text
        assert flag["text"] not in text  # the patient's sentence is for the handout
        assert flag["source"]["citation"] in text
    (thompson,) = [t for t in assessment["examination"]["special_tests"]
                   if t["id"] == "thompson_test"]
    assert f"- {thompson['name']}: positive ({thompson['accuracy']}" in text
    assert "- Refer on: " in text
    assert "Exercises: programme on hold" in text
    assert "Earliest return to running: not set (referral pending)" in text
    assert not re.search(r"see a clinician", text, re.IGNORECASE)


@pytest.mark.skipif(not CASES, reason="no shared vignettes")
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_vignette_note_carries_its_assessment(case: dict) -> None:
    answers = load_answers(vignette_answers(case))
    assessment = assess(answers)
    text = clinician_note(answers, assessment)
    for condition in assessment["conditions"]:
        label = condition["confidence"].capitalize()
        assert f"- {label}: {condition['name']}." in text
        for reason in condition["reasons"]:
            assert reason in text
    for flag in assessment["red_flags"]:
        assert flag["clinician_text"] in text
    if not assessment["referral"]:
        for reason in assessment["triage"]["reasons"]:
            assert reason in text
    assert assessment["triage"]["clinician_summary"] in text
    for check in assessment["return_to_run"]["checks"]:
        assert check["clinician_text"] + ":" in text
    for exercise in assessment["exercises"]:
        assert f"  - {exercise['name']}: {exercise['dose']}" in text
    if assessment["rice"]:
        assert all(step in text for step in assessment["rice"]["steps"])
    else:
        assert "- RICE:" not in text
    earliest = assessment["return_to_run"]["earliest_date"]
    if earliest:
        assert f"- Earliest return to running: {earliest}" in text
    # Conditions are likely or possible: the note never calls one a diagnosis.
    assert not re.search(r"diagnosis|diagnosed", text, re.IGNORECASE)
    assert not re.search(r"see a clinician", text, re.IGNORECASE)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)


def test_the_note_is_the_same_for_the_same_input() -> None:
    first, answers, assessment = note_for(onset="sudden", injury_date=days_ago(3))
    assert clinician_note(answers, assessment) == first
