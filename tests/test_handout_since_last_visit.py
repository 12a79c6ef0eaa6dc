"""A follow-up's handout says why the step changed ("Since your last visit"), in the
runner's words: the suggestion's own reasons, or the clinician's decision when it differs."""

from __future__ import annotations

import html
from typing import Any

import pytest

from ankle_intake import load_answers
from ankle_intake.guidance import evaluate
from ankle_intake.guidance.handout_content import HANDOUT
from ankle_intake.guidance.i18n import handout_content
from ankle_intake.reports.handout import render_assessment
from ankle_intake.reports.html import render_assessment_html

from handout_helpers import engine_plan, flat, pdf_pages

FIRST = {"side": "left", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 1,
         "pain_running": 1, "injury_date": "2026-09-01", "assessment_date": "2026-11-02",
         "weekly_distance": 30, "pain_walking": False, "swelling": "none"}
GOOD = {"runs": 3, "pain_during_max": 1, "worse_next_morning": False}
SORE = {"runs": 3, "pain_during_max": 5, "worse_next_morning": True}


def follow_up(last_week: dict[str, Any], **extra: Any) -> tuple[dict, dict]:
    first = load_answers(FIRST)
    answers = load_answers({**FIRST, "assessment_date": "2026-11-09", "last_week": last_week,
                            **extra})
    previous = {"answers": first, "assessment": evaluate(first), "plan": None}
    return answers, evaluate(answers, previous)


def plan_of(assessment: dict[str, Any], progression: str) -> dict[str, Any]:
    return engine_plan(assessment, progression=progression)


def page(answers: dict, assessment: dict, plan: dict | None = None) -> str:
    return html.unescape(render_assessment_html(answers, assessment, plan=plan))


def pdf(answers: dict, assessment: dict, plan: dict | None = None) -> str:
    return flat(" ".join(pdf_pages(render_assessment(answers, assessment, plan=plan))))


def test_a_first_visit_has_no_such_block() -> None:
    answers = load_answers(FIRST)
    assessment = evaluate(answers)
    assert HANDOUT.text("heading_since_last_visit") not in page(answers, assessment)
    assert HANDOUT.text("heading_since_last_visit") not in pdf(answers, assessment)


def test_the_suggested_advance_prints_its_reasons_and_the_next_step() -> None:
    answers, assessment = follow_up(GOOD)
    assert assessment["return_to_run"]["progression"] == "advance"
    reasons = [r["patient"] for r in assessment["return_to_run"]["progression_reasons"]]
    assert len(reasons) == 2  # why, then the next step
    for text in (page(answers, assessment), pdf(answers, assessment)):
        heading = text.index(HANDOUT.text("heading_since_last_visit"))
        assert text.index(HANDOUT.text("heading_return")) < heading
        for reason in reasons:
            assert text.index(reason) > heading


def test_a_back_off_prints_every_reason_worst_first() -> None:
    answers, assessment = follow_up(SORE, limping=True)
    rtr = assessment["return_to_run"]
    assert rtr["progression"] == "back_off"
    text = pdf(answers, assessment, plan_of(assessment, "back_off"))
    places = [text.index(r["patient"]) for r in rtr["progression_reasons"]]
    assert len(places) >= 2 and places == sorted(places)


@pytest.mark.parametrize("chosen", ["hold", "back_off"])
def test_the_clinicians_other_choice_prints_their_decision_not_the_suggestions_reasons(
        chosen: str) -> None:
    answers, assessment = follow_up(GOOD)
    suggested = [r["patient"] for r in assessment["return_to_run"]["progression_reasons"]]
    plan = plan_of(assessment, chosen)
    for text in (page(answers, assessment, plan), pdf(answers, assessment, plan)):
        assert HANDOUT.text(f"progression_chosen_{chosen}") in text
        assert not any(reason in text for reason in suggested)


def test_the_same_choice_as_suggested_prints_the_reasons() -> None:
    answers, assessment = follow_up(GOOD)
    text = page(answers, assessment, plan_of(assessment, "advance"))
    assert HANDOUT.text("progression_chosen_advance") not in text
    assert assessment["return_to_run"]["progression_reasons"][0]["patient"] in text


def test_in_spanish_the_block_and_its_reasons_are_spanish() -> None:
    answers, assessment = follow_up(GOOD, handout_language="es")
    spanish = handout_content("es")
    text = page(answers, assessment)
    assert spanish.text("heading_since_last_visit") in text
    assert "La semana pasada fue bien" in text
    assert HANDOUT.text("heading_since_last_visit") not in text
    assert "Last week went well" not in text
    chosen = page(answers, assessment, plan_of(assessment, "hold"))
    assert spanish.text("progression_chosen_hold") in chosen
