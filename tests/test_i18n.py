"""The handout's Spanish: every printable text translated, checked at start-up, applied whole."""

from __future__ import annotations

import copy
import datetime as dt
import json
import string
from importlib import resources
from typing import Any

import pytest

from ankle_intake import assess, load_answers
from ankle_intake.guidance import i18n
from ankle_intake.guidance.content import load_content
from ankle_intake.guidance.handout_content import HANDOUT
from ankle_intake.guidance.predicates import ContentError
from ankle_intake.reports.planned import planned_assessment

from casebook import intake, vignette_answers, vignette_cases
from handout_helpers import engine_plan


def _raw() -> dict[str, Any]:
    text = resources.files("ankle_intake.guidance").joinpath("data", "es.json").read_text("utf-8")
    return json.loads(text)


def _check(raw: dict[str, Any]) -> None:
    i18n.check_translation(raw, load_content(), HANDOUT, "es.json")


def _holes(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _english_texts() -> set[str]:
    """Every English text the handout can print, from the guidance content itself."""
    out: set[str] = set()
    for fields in i18n.printed_texts(load_content()).values():
        for value in fields.values():
            out.update(value if isinstance(value, list) else [value])
    out.update(item["text"] for item in HANDOUT.items.values())
    return out


def test_every_printable_text_has_spanish_with_the_same_placeholders() -> None:
    raw = _raw()
    for ident, fields in i18n.printed_texts(load_content()).items():
        for name, english in fields.items():
            spanish = raw["content"][ident][name]
            pairs = zip(english, spanish, strict=True) if isinstance(english, list) else [
                (english, spanish)]
            for one, other in pairs:
                # A one- or two-word text may be the same word ("Diabetes.").
                assert other.strip() and (other != one or len(one.split()) < 3), (ident, name)
                assert _holes(other) == _holes(one), (ident, name)
    for ident, item in HANDOUT.items.items():
        assert _holes(raw["handout"]["items"][ident]) == _holes(item["text"]), ident
    for name, label in HANDOUT.labels.items():
        assert _holes(raw["handout"]["labels"][name]) == _holes(label), name
    assert {t.id for t in HANDOUT.terms} == set(raw["handout"]["terms"])


def test_the_shipped_file_passes_the_start_up_check() -> None:
    _check(_raw())


@pytest.mark.parametrize(("change", "named"), [
    (lambda r: r["content"].pop("calf_stretch"), "'calf_stretch'"),
    (lambda r: r["content"]["ankle_sprain"]["healing"].pop(), "'ankle_sprain'"),
    (lambda r: r["content"]["rice_ice"].update(text=""), "'rice_ice'"),
    (lambda r: r["handout"]["items"].pop("heading_log"), "'heading_log'"),
    (lambda r: r["handout"]["items"].update(earliest_return="Primer día: {fecha}."),
     "'earliest_return'"),
    (lambda r: r["handout"]["labels"].pop("page"), "'page'"),
    (lambda r: r["handout"]["terms"]["term_xray"].update(match=[]), "'term_xray'"),
    (lambda r: r["choices"]["side"].pop("both"), "'both'"),
    (lambda r: r["content"].update(no_such_item={"text": "Hola."}), "no_such_item"),
])
def test_a_gap_in_a_modified_copy_fails_naming_the_item(change: Any, named: str) -> None:
    raw = copy.deepcopy(_raw())
    change(raw)
    with pytest.raises(ContentError) as info:
        _check(raw)
    assert "es.json" in str(info.value) and named in str(info.value)


def _assessments() -> list[tuple[str, dict[str, Any]]]:
    out = []
    cases = [(c["name"], vignette_answers(c)) for c in vignette_cases()
             if "status" not in c["expect"]]
    cases.append(("blocking red flag", intake(
        pain_locations=["top_of_foot"], pain_now=4, point_tenderness=True, pain_walking=True,
        pain_pattern=["worse_with_impact"], weekly_distance=30)))
    for name, answers in cases:
        assessment = assess(load_answers(answers))
        out.append((name, assessment))
        out.append((name + " (plan)", planned_assessment(assessment, engine_plan(assessment))))
    return out


def _printed(assessment: dict[str, Any]) -> list[str]:
    """The assessment's texts the handout prints (as the sections read them)."""
    out = [assessment["triage"]["summary"], assessment["imaging"]["advice"]]
    for flag in assessment["red_flags"]:
        out += [flag["name"], flag["text"]]
    out += (assessment.get("referral") or {}).get("patient_text", [])
    for cond in assessment["conditions"]:
        out += [cond["name"], cond["summary"], cond["healing"]["note"], *cond["reasons"]]
    if assessment["rice"]:
        out += [assessment["rice"]["when"], *assessment["rice"]["steps"]]
    out += [a["text"] for a in assessment["advice"]]
    for ex in assessment["exercises"]:
        out += [ex["name"], ex["dose"], *ex["steps"], ex["stop_if"]]
    plan = assessment["return_to_run"]
    out += plan["criteria"] + plan["run_walk"] + plan["pain_rule"] + [plan["weekly_rule"]]
    out += [week["sessions"] for week in plan["weeks"]]
    return out


@pytest.mark.parametrize(("name", "assessment"), _assessments(),
                         ids=[name for name, _ in _assessments()])
def test_localized_leaves_no_english_text(name: str, assessment: dict[str, Any]) -> None:
    english = _english_texts()
    printed = _printed(assessment)
    assert set(printed) & english  # the English assessment does print guidance texts
    spanish = i18n.localized(assessment, "es")
    left = [text for text in _printed(spanish) if text in english]
    assert not left, name
    assert len(_printed(spanish)) == len(printed)
    assert {w["unit"] for w in spanish["return_to_run"]["weeks"]} <= {"km", "millas"}


def test_localized_keeps_the_english_assessment_and_english_unchanged() -> None:
    assessment = assess(load_answers(intake(pain_now=2)))
    before = copy.deepcopy(assessment)
    assert i18n.localized(assessment, "en") == before
    i18n.localized(assessment, "es")
    assert assessment == before


def test_a_planned_dose_is_worded_in_spanish() -> None:
    assessment = assess(load_answers(intake(pain_now=2)))
    ex = assessment["exercises"][0]["id"]
    plan = engine_plan(assessment)
    plan["exercises"] = [{"id": ex, "sets": 3, "reps": 12, "hold_seconds": None, "times": 2,
                          "per": "day"}]
    spanish = i18n.localized(planned_assessment(assessment, plan), "es")
    assert spanish["exercises"][0]["dose"] == "3 series de 12, dos veces al día"


@pytest.mark.parametrize(("value", "english", "spanish"), [
    ("2026-12-01", "1 December 2026", "1 de diciembre de 2026"),
    (dt.date(2026, 3, 2), "2 March 2026", "2 de marzo de 2026"),
    ("2027-08-31", "31 August 2027", "31 de agosto de 2027"),
])
def test_dates_in_each_language(value: Any, english: str, spanish: str) -> None:
    assert i18n.format_date(value, "en") == english
    assert i18n.format_date(value, "es") == spanish


def test_numbers_and_an_unknown_language() -> None:
    assert i18n.format_number(2.5, "en") == "2.5"
    assert i18n.format_number(2.5, "es") == "2,5"
    assert i18n.format_number(12.0, "es") == "12"
    for call in (lambda: i18n.handout_content("fr"), lambda: i18n.format_date("2026-01-01", "de"),
                 lambda: i18n.localized({}, "pt")):
        with pytest.raises(ValueError, match="handout language"):
            call()


def test_the_spanish_handout_content_swaps_words_and_keeps_structure() -> None:
    spanish = i18n.handout_content("es")
    assert spanish.language == "es" and i18n.handout_content("en") is HANDOUT
    assert spanish.items.keys() == HANDOUT.items.keys()
    assert spanish.items["title"]["source"] == HANDOUT.items["title"]["source"]
    assert spanish.text("earliest_return", date="X") != HANDOUT.text("earliest_return", date="X")
    assert spanish.choice("side", "left") == "Izquierdo"
    assert HANDOUT.choice("side", "left") == "Left"
    sprain = next(t for t in spanish.terms if t.id == "term_sprain")
    assert sprain.pattern.search("Un esguince de tobillo")
    assert not sprain.pattern.search("An ankle sprain")


def test_the_handout_language_is_an_answer_everywhere() -> None:
    from ankle_intake.fhir import answers_from_response, questionnaire, response_from_answers
    from ankle_intake.forms.vocabulary import BY_KEY

    assert BY_KEY["handout_language"].values == i18n.LANGUAGES
    answers = load_answers(intake(handout_language="es"))
    assert answers["handout_language"] == "es"
    assert "handout_language" not in load_answers(intake())  # absent: English
    back = answers_from_response(response_from_answers(answers))
    assert back["handout_language"] == "es"
    items = {item["linkId"]: item for item in _items(questionnaire()["item"])}
    codes = [o["valueCoding"]["code"] for o in items["handout_language"]["answerOption"]]
    assert codes == ["en", "es"]


def test_the_handout_language_is_coded_in_bcp_47_as_fhir_codes_languages(client) -> None:
    from ankle_intake.fhir import questionnaire, response_from_answers

    items = {item["linkId"]: item for item in _items(questionnaire()["item"])}
    systems = {o["valueCoding"]["system"] for o in items["handout_language"]["answerOption"]}
    assert systems == {"urn:ietf:bcp:47"}
    answered = _items(response_from_answers(load_answers(intake(handout_language="es")))["item"])
    coded = [a["valueCoding"] for item in answered if item["linkId"] == "handout_language"
             for a in item["answer"]]
    assert coded == [{"system": "urn:ietf:bcp:47", "code": "es", "display": "Español"}]
    # Not one of ours, so not published as ours either.
    assert client.get("/ankle/fhir/CodeSystem/handout_language").status_code == 404
    assert client.get("/ankle/fhir/CodeSystem/side").status_code == 200


def _items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        out.append(item)
        out += _items(item.get("item", []))
    return out


def test_a_picture_without_spanish_alt_text_fails_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dataclasses

    from ankle_intake.guidance import pictures

    i18n._check_pictures("es")  # the shipped pictures pass
    first = next(iter(pictures.PICTURES))
    english_only = dataclasses.replace(pictures.PICTURES[first], alt={"en": "A foot."})
    monkeypatch.setattr(pictures, "PICTURES", {**pictures.PICTURES, first: english_only})
    with pytest.raises(ContentError, match=f"pictures.json: item {first!r}"):
        i18n._check_pictures("es")
