"""Every vignette handout reads at US grade 6 or below (Flesch-Kincaid, textstat 0.7.8)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import textstat

from ankle_intake import assess, load_answers, render_handout
from ankle_intake.reports.handout import render_assessment

from casebook import intake, vignette_answers, vignette_cases
from handout_helpers import CLINIC, SIGNED, engine_plan, patient_sentences, pdf_text, prose

GRADE = 6

CASES = [c for c in vignette_cases() if "status" not in c["expect"]]
EXTRA = {
    "blocking red flag": intake(pain_locations=["top_of_foot"], pain_now=4, point_tenderness=True,
                                pain_walking=True, pain_pattern=["worse_with_impact"]),
    "nerve signs": intake(pain_locations=["inner_ankle"], pain_now=3, nerve_symptoms=["burning"]),
}


def _all() -> list[tuple[str, dict[str, Any]]]:
    return [(c["name"], vignette_answers(c)) for c in CASES] + list(EXTRA.items())


@pytest.mark.parametrize(("name", "answers"), _all(), ids=[name for name, _ in _all()])
def test_the_printed_handout_reads_at_grade_6(name: str, answers: dict[str, Any]) -> None:
    for large in (False, True):
        text = prose(pdf_text(render_handout(answers, large_print=large)))
        assert textstat.lexicon_count(text) > 200
        assert textstat.flesch_kincaid_grade(text) <= GRADE, name


#: Typed by the physiotherapist, so not the guidance's to grade: cut from the text first.
TYPED_NOTE = "Keep the ankle strapping on for two more days, then reassess."


@pytest.mark.parametrize(("name", "answers"), _all(), ids=[name for name, _ in _all()])
def test_the_clinicians_plan_handout_reads_at_grade_6(name: str, answers: dict[str, Any]) -> None:
    """The plan's own words (level, doses, page 1) keep the handout plain."""
    validated = load_answers(answers)
    assessment = assess(validated)
    plan = engine_plan(assessment, patient_note=TYPED_NOTE, review_date="2026-03-16")
    for large in (False, True):
        pdf = render_assessment(validated, assessment, plan=plan, signoff=SIGNED, clinic=CLINIC,
                                large_print=large)
        typed = r"\s+".join(re.escape(word) for word in TYPED_NOTE.split())
        text, cut = re.subn(typed, "", pdf_text(pdf))
        assert cut == 1
        text = prose(text)
        assert textstat.lexicon_count(text) > 200
        assert textstat.flesch_kincaid_grade(text) <= GRADE, name




@pytest.mark.parametrize(("name", "answers"), _all(), ids=[name for name, _ in _all()])
def test_the_guidance_sentences_a_handout_uses_read_at_grade_6(
    name: str, answers: dict[str, Any]
) -> None:
    sentences = patient_sentences(assess(answers))
    assert textstat.flesch_kincaid_grade(" ".join(sentences)) <= GRADE, name


def test_prose_joins_wrapped_lines_and_ends_units() -> None:
    assert prose("Stop if it hurts\nwhen you walk\nPage 1 of 2\n12\nWeek") == (
        "Stop if it hurts when you walk. Page 1 of 2. Week."
    )
