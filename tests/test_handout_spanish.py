"""The handout in Spanish: every vignette all in Spanish, plain (Fernández-Huerta >= 70)."""

from __future__ import annotations

import io
import re
import string
from collections.abc import Iterator
from typing import Any

import pytest
import textstat
from pypdf import PdfReader

from ankle_intake import assess, load_answers, render_handout
from ankle_intake.guidance import i18n
from ankle_intake.guidance.content import load_content
from ankle_intake.guidance.handout_content import HANDOUT
from ankle_intake.reports.handout import render_assessment
from ankle_intake.reports.html import render_assessment_html

from casebook import intake, vignette_answers, vignette_cases
from handout_helpers import CLINIC, SIGNED, engine_plan, flat, patient_sentences, pdf_text, prose

#: Fernández-Huerta's "easy" band starts at 70 (textstat 0.7.8's formula).
EASY = 70

CASES = [c for c in vignette_cases() if "status" not in c["expect"]]
EXTRA = {
    "blocking red flag": intake(pain_locations=["top_of_foot"], pain_now=4, point_tenderness=True,
                                pain_walking=True, pain_pattern=["worse_with_impact"]),
    "nerve signs": intake(pain_locations=["inner_ankle"], pain_now=3, nerve_symptoms=["burning"]),
    "returning, 25 mi": intake(pain_now=0, pain_running=1, weekly_distance=25.5,
                               distance_unit="mi"),
}


def _all() -> list[tuple[str, dict[str, Any]]]:
    return [(c["name"], vignette_answers(c)) for c in CASES] + list(EXTRA.items())


IDS = [name for name, _ in _all()]


@pytest.fixture
def spanish_textstat() -> Iterator[None]:
    """textstat's language is global: Spanish for this test, English again after it."""
    textstat.set_lang("es")
    yield
    textstat.set_lang("en_US")


def _spanish(answers: dict[str, Any]) -> dict[str, Any]:
    return {**answers, "handout_language": "es"}


def _english_phrases() -> list[str]:
    """Runs of four or more words from every English text the handout can print."""
    texts: list[str] = []
    for fields in i18n.printed_texts(load_content()).values():
        for value in fields.values():
            texts += value if isinstance(value, list) else [value]
    texts += [item["text"] for item in HANDOUT.items.values()]
    texts += [t.text for t in HANDOUT.terms] + list(HANDOUT.labels.values())
    phrases = []
    for text in texts:
        for literal, *_ in string.Formatter().parse(text):
            for sentence in re.split(r"[.:;!?]\s*", literal):
                if len(sentence.split()) >= 4:
                    phrases.append(" ".join(sentence.split()))
    return phrases


def _plan_pdf(answers: dict[str, Any], large: bool = False) -> bytes:
    validated = load_answers(_spanish(answers))
    assessment = assess(validated)
    plan = engine_plan(assessment, review_date="2026-03-16")
    return render_assessment(validated, assessment, plan=plan, signoff=SIGNED, clinic=CLINIC,
                             large_print=large)


@pytest.mark.parametrize(("name", "answers"), _all(), ids=IDS)
def test_the_spanish_handout_has_no_english_sentence(name: str, answers: dict[str, Any]) -> None:
    phrases = _english_phrases()
    english = flat(pdf_text(render_handout(answers)))
    assert any(p in english for p in phrases)  # the check can see English when it is there
    for pdf in (render_handout(_spanish(answers)), _plan_pdf(answers)):
        text = flat(pdf_text(pdf))
        left = [p for p in phrases if p in text]
        assert not left, (name, left[:3])
        assert "2 de marzo de 2026" in text
        assert PdfReader(io.BytesIO(pdf)).trailer["/Root"].get("/Lang") == "es"


@pytest.mark.parametrize(("name", "answers"), _all(), ids=IDS)
def test_the_spanish_handout_reads_easy(
    name: str, answers: dict[str, Any], spanish_textstat: None
) -> None:
    for pdf in (render_handout(_spanish(answers)), render_handout(_spanish(answers),
                                                                  large_print=True),
                _plan_pdf(answers)):
        text = prose(pdf_text(pdf))
        assert textstat.lexicon_count(text) > 200
        assert textstat.fernandez_huerta(text) >= EASY, name




@pytest.mark.parametrize(("name", "answers"), _all(), ids=IDS)
def test_the_spanish_guidance_sentences_read_easy(
    name: str, answers: dict[str, Any], spanish_textstat: None
) -> None:
    spanish = i18n.localized(assess(load_answers(answers)), "es")
    assert textstat.fernandez_huerta(" ".join(patient_sentences(spanish))) >= EASY, name


def test_the_language_gate_is_language_specific(spanish_textstat: None) -> None:
    """Fernández-Huerta scores Spanish; the fixture puts English back for the English gates."""
    long_words = "Consideraciones terapéuticas multidisciplinarias extraordinariamente " * 5
    assert textstat.fernandez_huerta(long_words) < EASY


def test_the_html_handout_says_it_is_spanish() -> None:
    answers = _spanish(_all()[0][1])
    validated = load_answers(answers)
    html = render_assessment_html(validated, assess(validated))
    assert 'lang="es"' in html and 'lang="en"' not in html
    assert "Su plan para el tobillo" in html
    english = render_assessment_html(load_answers(_all()[0][1]), assess(validated))
    assert 'lang="en"' in english


def test_no_language_is_english_and_the_bytes_do_not_change() -> None:
    answers = _all()[0][1]
    assert render_handout(answers) == render_handout({**answers, "handout_language": "en"})
    assert render_handout(answers) != render_handout(_spanish(answers))


def test_an_unknown_language_is_refused_naming_the_field() -> None:
    from ankle_intake import InvalidAnswers

    with pytest.raises(InvalidAnswers) as info:
        load_answers({**_all()[0][1], "handout_language": "fr"})
    assert "handout_language" in info.value.errors


def test_miles_and_decimals_in_spanish() -> None:
    text = flat(pdf_text(render_handout(_spanish(EXTRA["returning, 25 mi"]))))
    assert "millas" in text and re.search(r"\d,5 ", text)
