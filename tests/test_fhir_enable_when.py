"""No answer the JSON API accepts may sit in an item the Questionnaire disables (issue 13 item 11).

A renderer (LHC-Forms, Smart Forms) drops the answers of disabled items when
it saves, so an answer the API took but the Questionnaire disables is lost the
first time a clinician reopens the intake. enableWhen is evaluated here by the
R4 rules, independently of the plugin's code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hypothesis import given
from test_fhir_response import SETTINGS, answers_strategy, empty_as_absent

from ankle_intake import load_answers
from ankle_intake.fhir import answers_from_response, questionnaire, response_from_answers
from ankle_intake.fhir.questionnaire import COULD_NOT_RUN, walk

from casebook import intake

_VALUE = ("valueCoding", "valueInteger", "valueDecimal", "valueBoolean", "valueDate",
          "valueString")


def _answers(items: list[dict]) -> Iterator[tuple[str, Any]]:
    for item in items:
        for answer in item.get("answer", []):
            (key,) = (k for k in answer if k in _VALUE)
            yield item["linkId"], answer[key]
        yield from _answers(item.get("item", []))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):  # Codings: system and code
        return (a.get("system"), a.get("code")) == (b.get("system"), b.get("code"))
    return a == b


def condition_holds(condition: dict, given: dict[str, list[Any]]) -> bool:
    """One enableWhen by the R4 operator definitions (questionnaire-enable-operator)."""
    found = given.get(condition["question"], [])
    (key,) = (k for k in condition if k.startswith("answer"))
    expected = condition[key]
    op = condition["operator"]
    if op == "exists":
        return bool(found) == expected
    if op == "=":
        return any(_same(v, expected) for v in found)
    if op == "!=":
        return not any(_same(v, expected) for v in found)
    compare = {">": lambda v: v > expected, "<": lambda v: v < expected,
               ">=": lambda v: v >= expected, "<=": lambda v: v <= expected}[op]
    return any(compare(v) for v in found)


def enabled(definition: dict, given: dict[str, list[Any]]) -> bool:
    conditions = definition.get("enableWhen", [])
    if not conditions:
        return True
    results = [condition_holds(c, given) for c in conditions]
    return all(results) if definition.get("enableBehavior", "all") == "all" else any(results)


def disabled_answers(qr: dict) -> list[str]:
    """linkIds of items in ``qr`` that the Questionnaire disables (themselves or an ancestor)."""
    defs = {item["linkId"]: (item, parent) for item, parent in walk(questionnaire()["item"])}
    given: dict[str, list[Any]] = {}
    for link, value in _answers(qr["item"]):
        given.setdefault(link, []).append(value)
    emitted = [item["linkId"] for item, _ in walk(qr["item"])]
    out = []
    for link in emitted:
        chain: str | None = link
        while chain is not None:
            definition, parent = defs[chain]
            if not enabled(definition, given):
                out.append(link)
                break
            chain = parent
    return out


def test_the_evaluator_sees_the_old_ottawa_condition() -> None:
    """The evaluator itself: the old enableWhen on a sudden onset disabled this response."""
    old = {"question": "onset", "operator": "=", "answerCoding": {
        "system": "https://ankle-intake.example.org/fhir/CodeSystem/onset", "code": "sudden"}}
    gradual = {"onset": [{"system": old["answerCoding"]["system"], "code": "gradual"}]}
    assert not enabled({"enableWhen": [old]}, gradual)
    assert enabled({"enableWhen": [old]}, {"onset": [old["answerCoding"]]})
    assert condition_holds({"question": "x", "operator": "!=", "answerBoolean": True}, {})


def test_ottawa_findings_after_a_gradual_onset_sit_in_an_enabled_item() -> None:
    answers = load_answers(intake(onset="gradual", ottawa={"tender_navicular": True}))
    qr = response_from_answers(answers)
    assert "ottawa.tender_navicular" in [i["linkId"] for i, _ in walk(qr["item"])]
    assert disabled_answers(qr) == []


def test_could_not_run_and_a_score_each_sit_in_an_enabled_item() -> None:
    for pain_running in (None, 0, 7):
        qr = response_from_answers(load_answers(intake(pain_running=pain_running)))
        links = [i["linkId"] for i, _ in walk(qr["item"])]
        assert (COULD_NOT_RUN in links) is (pain_running is None)
        assert disabled_answers(qr) == []


@SETTINGS
@given(answers_strategy)
def test_every_accepted_answer_round_trips_and_none_is_disabled(raw: dict) -> None:
    answers = load_answers(raw)
    qr = response_from_answers(answers)
    assert disabled_answers(qr) == []
    assert answers_from_response(json.loads(json.dumps(qr))) == empty_as_absent(answers)
