"""The clinician's note in SOAP form with the clinician's plan and signature (issue 12, item 6)."""

from __future__ import annotations

import re
from typing import Any

from ankle_intake import assess, load_answers
from ankle_intake.guidance import CONTENT
from ankle_intake.guidance.dosing import dose_words
from ankle_intake.reports.note import (
    ASSESSMENT,
    NO_REVIEW,
    OBJECTIVE,
    PLAN,
    REFERRAL,
    SUBJECTIVE,
    UNSIGNED,
    clinician_note,
)

from casebook import days_ago, intake
from handout_helpers import DRAFT, SIGNED, dose, engine_plan, make_plan

#: Thompson test and the Ottawa ankle rule positive: the engine refers.
REFERRED = intake(
    onset="sudden", side="right", injury_date=days_ago(1), pain_now=5, pain_running=None,
    pain_locations=["back_of_ankle", "outer_ankle"], mechanism="push_off_or_landing",
    special_tests={"thompson_test": "positive", "squeeze_test": "negative"},
    ottawa={"tender_lateral_malleolus": True}, training=["hills_or_speedwork"],
    risk_factors=["tight_calves"],
    patient_name="Ann Lee", clinician_name="Sam Physio",
)
REASON = "X-ray today: no fracture.\nThompson repeated twice: negative."
DOWNGRADE = make_plan(
    "stop",
    dose("ankle_alphabet", 1, 1, times=1, per="day"),
    dose("calf_stretch", 1, 2, hold=30, times=2, per="week"),
    override_reason=REASON, patient_note="Rest <b>&</b> ice.", record_note="Seen with X-ray.",
    review_date="2026-03-09",
)
AMENDED = {**SIGNED, "version": 2, "signed_at": "2026-03-04T09:00:00+00:00",
           "addendum_reason": "Level lowered after the X-ray report."}


def stored(answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    validated = load_answers(answers)
    return validated, assess(validated)


def note(answers: dict[str, Any] = REFERRED, **options: Any) -> str:
    return clinician_note(*stored(answers), **options)


def block(text: str, head: str, next_head: str | None) -> str:
    start = text.index(head + "\n")
    return text[start:text.index(next_head + "\n", start) if next_head else len(text)]


def test_s_o_a_p_come_in_order_and_the_signature_closes_the_note() -> None:
    text = note(plan=DOWNGRADE, signoff=SIGNED)
    at = [text.index(head + "\n") for head in (SUBJECTIVE, OBJECTIVE, ASSESSMENT, PLAN)]
    assert at == sorted(at)
    assert text.endswith("Signed by Dr Ada Ode at 2026-03-02T10:15:00+00:00 (version 1)\n")


def test_subjective_is_the_runners_story() -> None:
    s = block(note(), SUBJECTIVE, OBJECTIVE)
    for label in ("Onset", "Mechanism", "Pain now", "Pain while running: could not run",
                  "Training", "Risk factors"):
        assert f"- {label}" in s, label
    assert "not examined" not in s  # the story lists what was told, not what was not examined


def test_objective_says_not_examined_and_gives_positive_tests_their_accuracy() -> None:
    answers, assessment = stored(REFERRED)
    o = block(clinician_note(answers, assessment), OBJECTIVE, ASSESSMENT)
    assert "- Limping: not examined" in o and "- Anterior drawer test: not examined" in o
    (thompson,) = [t for t in assessment["examination"]["special_tests"]
                   if t["id"] == "thompson_test"]
    assert f"- {thompson['name']}: positive ({thompson['accuracy']}" in o
    assert "- Tender at the outer ankle bone: yes" in o
    assert "- Tender at the navicular: not examined" in o


def test_objective_gives_the_ottawa_scope_and_assessment_the_result() -> None:
    answers, assessment = stored(intake(onset="gradual", ottawa={"tender_navicular": True}))
    text = clinician_note(answers, assessment)
    o, a = block(text, OBJECTIVE, ASSESSMENT), block(text, ASSESSMENT, PLAN)
    assert assessment["imaging"]["scope_reason"] in o
    assert "Tender at the navicular: yes" not in text
    assert "- Ottawa ankle and foot rules: not applicable." in a


def test_assessment_holds_conditions_flags_and_the_suggestion_never_a_diagnosis() -> None:
    answers, assessment = stored(REFERRED)
    a = block(clinician_note(answers, assessment, plan=DOWNGRADE, signoff=SIGNED),
              ASSESSMENT, PLAN)
    for condition in assessment["conditions"]:
        assert f"- {condition['confidence'].capitalize()}: {condition['name']}." in a
    for flag in assessment["red_flags"]:
        assert f"- Red flag: {flag['name']}" in a and "; urgency: same day" in a
        assert f"  - Action: {flag['clinician_text']}" in a
    assert "- Suggested: Refer on: " in a
    assert "- Ottawa ankle and foot rules: positive. " in a
    assert not re.search(r"diagnosis|diagnosed", a, re.IGNORECASE)


def test_an_override_prints_both_levels_and_the_reason() -> None:
    p = block(note(plan=DOWNGRADE, signoff=SIGNED), PLAN, None)
    stop = CONTENT.levels["stop"]
    assert f"- Level: {stop['clinician_summary']}" in p
    assert ("- Suggested: Refer on; chosen: No running; reason: X-ray today: no fracture. "
            "Thompson repeated twice: negative.") in p
    assert f"- {REFERRAL}" not in p  # the clinician did not refer
    assert "pending the referral" not in p and "(referral pending)" not in p


def test_the_plan_lists_exercises_with_doses_notes_and_the_review_date() -> None:
    p = block(note(plan=DOWNGRADE, signoff=SIGNED), PLAN, None)
    lines = [ln for ln in p.splitlines() if ln.startswith("  - ")]
    names = {ex["id"]: ex for ex in CONTENT.exercises}
    for chosen in DOWNGRADE["exercises"]:
        ex = names[chosen["id"]]
        assert f"  - {ex['name']}: {dose_words(chosen, ex['dose'])}" in lines
    assert "  - Calf stretch: Hold 30 seconds, 2 times, 2 days a week" in lines
    assert "- Note for the record: Seen with X-ray." in p
    assert "- Note for the patient (on the handout): Rest <b>&</b> ice." in p  # plain text
    assert "- Review: 2026-03-09" in p
    assert "Exercise kinds held" not in p  # the clinician chose these exercises
    assert NO_REVIEW in note(plan={**DOWNGRADE, "review_date": None}, signoff=SIGNED)


def test_a_kept_referral_is_in_the_plan() -> None:
    answers, assessment = stored(REFERRED)
    text = clinician_note(answers, assessment, plan=engine_plan(assessment), signoff=DRAFT)
    p = block(text, PLAN, None)
    referral = assessment["referral"]
    assert f"- {REFERRAL} {referral['urgency_label']}, to {referral['to']}" in p
    assert "chosen:" not in p
    assert "Exercises: programme on hold pending the referral." in p


def test_a_draft_says_it_is_not_signed_and_an_addendum_gives_its_reason() -> None:
    assert note(plan=DOWNGRADE, signoff=DRAFT).endswith(f"\n\n{UNSIGNED}\n")
    assert note().endswith(f"\n\n{UNSIGNED}\n")  # no signoff at all: not signed either
    amended = note(plan=DOWNGRADE, signoff=AMENDED)
    assert ("Signed by Dr Ada Ode at 2026-03-04T09:00:00+00:00 (version 2)\n"
            "Addendum (version 2): Level lowered after the X-ray report.\n") in amended
    assert UNSIGNED not in amended


def test_without_a_plan_the_plan_is_the_suggestion() -> None:
    answers, assessment = stored(REFERRED)
    p = block(clinician_note(answers, assessment), PLAN, None)
    assert f"- Refer on: {assessment['triage']['clinician_summary']}" in p
    assert "- Level:" not in p and "chosen:" not in p and "- Review:" not in p


def test_typed_text_keeps_its_words_and_loses_control_characters() -> None:
    plan = {**DOWNGRADE, "record_note": "Line one\r\nLine\x07 two\n\n\x1b[31mthree"}
    text = note(plan=plan, signoff=SIGNED)
    assert "- Note for the record: Line one\n  Line two\n  [31mthree\n" in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)


def test_the_same_inputs_give_the_same_note() -> None:
    first = note(plan=DOWNGRADE, signoff=AMENDED)
    assert note(plan=dict(DOWNGRADE), signoff=dict(AMENDED)) == first
