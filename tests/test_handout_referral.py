"""The handout speaks to a patient who has just been seen (issue 11, two voices).

It never sends them to "a clinician" unless a referral was made, and then it
says where and how soon; a programme held for the referral gives way to a
short box; an exercise appears once, with one dose; undated weeks start after
the run-walk steps.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ankle_intake import assess, load_answers, render_handout
from ankle_intake.forms.vocabulary import OTTAWA_KEYS
from ankle_intake.guidance.handout_content import HANDOUT
from ankle_intake.reports.html import render_handout_html

from casebook import days_ago, intake
from handout_helpers import flat, pdf_pages, render_text

#: Thompson test positive and the Ottawa ankle rule positive, the day after a landing.
REFERRED = intake(
    onset="sudden", side="right", injury_date=days_ago(1), pain_now=5,
    pain_locations=["back_of_ankle", "outer_ankle"], mechanism="push_off_or_landing",
    special_tests={"thompson_test": "positive", "squeeze_test": "negative"},
    ottawa={"tender_lateral_malleolus": True}, weekly_distance=30,
    patient_name="Ann Lee", clinician_name="Sam Physio",
)
#: A grade II sprain two days ago, pain on walking, Ottawa clear: no running, no referral.
STOPPED = intake(
    onset="sudden", pain_now=4, sprain_grade="II", swelling="moderate", pain_walking=True,
    injury_date=days_ago(2), weekly_distance=30, ottawa={k: False for k in OTTAWA_KEYS},
)
#: Two weeks after a grade II sprain: the rehab programme, calf raises among it.
REHAB = intake(onset="sudden", pain_now=2, sprain_grade="II", swelling="none",
               pain_walking=False, injury_date=days_ago(14), weekly_distance=30)
#: Phrases a patient who has just been seen must never read without a referral.
SEND_AWAY = re.compile(r"see a clinician|ask your clinician|a clinician must|grade it",
                       re.IGNORECASE)
REFERRAL_WORDS = re.compile(r"referral|has arranged|has asked|asked for", re.IGNORECASE)


def heading(item_id: str) -> str:
    return HANDOUT.text(item_id)


def assessed(answers: dict[str, Any]) -> dict[str, Any]:
    return assess(load_answers(answers))


def test_a_referred_handout_says_what_was_arranged_where_and_how_soon() -> None:
    assessment = assessed(REFERRED)
    referral = assessment["referral"]
    assert referral and referral["urgency"] == "same_day"
    text = render_text(REFERRED)
    assert heading("heading_arranged") in text
    assert heading("arranged_same_day") in text
    for sentence in referral["patient_text"]:
        assert sentence in text
    assert "X-ray of your ankle today" in text
    assert not SEND_AWAY.search(text)
    assert "clinician" not in text.lower()
    assert "Physiotherapist Sam Physio" in text


def test_a_referral_that_holds_exercise_replaces_the_programme_with_a_short_box() -> None:
    assessment = assessed(REFERRED)
    assert assessment["exercises_on_hold"]
    pages = [flat(p) for p in pdf_pages(render_handout(REFERRED))]
    text = " ".join(pages)
    assert heading("heading_on_hold") in text and heading("on_hold_text") in text
    assert heading("return_lead_referral") in text
    for absent in ("heading_exercises", "heading_log", "heading_run_walk", "heading_weeks",
                   "heading_prevention",
                   "prevention_calves", "prevention_peroneals", "prevention_balance"):
        assert heading(absent) not in text, absent
    assert "Keep fit with no pounding" not in text  # cross-training waits for the checks
    assert "Earliest day to try a run" not in text
    assert heading("referral_title") in pages[-1]
    # The box at the top comes before the programme's place.
    assert text.index(heading("heading_arranged")) < text.index(heading("heading_on_hold"))


def test_a_stop_case_without_a_referral_has_no_referral_wording() -> None:
    assessment = assessed(STOPPED)
    assert assessment["triage"]["level"] == "stop" and assessment["referral"] is None
    text = render_text(STOPPED)
    assert heading("heading_arranged") not in text
    assert heading("referral_title") not in text
    assert not REFERRAL_WORDS.search(text), REFERRAL_WORDS.search(text)
    assert not SEND_AWAY.search(text)
    assert heading("heading_exercises") in text


@pytest.mark.parametrize("answers", [REFERRED, STOPPED, REHAB])
def test_the_web_handout_never_sends_the_patient_to_a_clinician(answers: dict) -> None:
    page = render_handout_html(answers)
    words = flat(html.unescape(re.sub(r"<[^>]+>", " ", page)))
    assert not SEND_AWAY.search(words)
    assert (heading("heading_arranged") in words) == bool(assessed(answers)["referral"])


def test_an_exercise_appears_once_with_one_dose() -> None:
    assessment = assessed(REHAB)
    prescribed = {ex["id"] for ex in assessment["exercises"]}
    assert {"calf_raises", "single_leg_balance"} <= prescribed
    text = render_text(REHAB)
    assert heading("heading_prevention") in text
    # The programme's calf raises and balance: not again under prevention with another dose.
    assert heading("prevention_calves").partition(": ")[2] not in text
    assert heading("prevention_balance").partition(": ")[2] not in text
    assert heading("prevention_shoes").partition(": ")[2] in text
    for tip in HANDOUT.prevention:
        shown = heading(tip.id).partition(": ")[2] in text
        assert shown == (not (tip.covers & prescribed)
                         and not (tip.loads & set(assessment["exercises_held"]))), tip.id


def test_prevention_leaves_out_held_load() -> None:
    assessment = assessed(STOPPED)
    assert "impact" in assessment["exercises_held"]
    text = render_text(STOPPED)
    assert "side-to-side hops" not in text


def test_weeks_that_start_after_the_run_walk_steps_say_so() -> None:
    weeks = assessed(REHAB)["return_to_run"]["weeks"]
    assert weeks and all(w["starts"] is None for w in weeks)
    text = render_text(REHAB)
    assert heading("heading_weeks") in text
    assert heading("weeks_after_run_walk") in text
    assert HANDOUT.label("week_after_run_walk") in text
    assert HANDOUT.label("starts") not in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
def test_every_page_of_a_referred_handout_renders(tmp_path: Path) -> None:
    pdf = tmp_path / "referred.pdf"
    pdf.write_bytes(render_handout(REFERRED))
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", "30", str(pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == len(pdf_pages(pdf.read_bytes())) >= 2
