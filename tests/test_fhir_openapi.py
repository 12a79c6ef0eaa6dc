"""NewQuestionnaireResponse: the request body of the FHIR creates allows only what is accepted.

The document's schema is checked with jsonschema_rs (Draft 4, which OpenAPI 3.0's schema
object follows for everything NewQuestionnaireResponse uses), against what the server
itself emits and against what it refuses.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import jsonschema_rs
import pytest

from ankle_intake import load_answers
from ankle_intake.fhir import QUESTIONNAIRE_URL, response_from_answers
from ankle_intake.fhir.questionnaire import definitions
from ankle_intake.fhir.response import ASSESSABLE_STATUSES, FHIR_INTEGER_RANGE
from ankle_intake.forms.vocabulary import EXAMINED_FINDINGS

from casebook import SHARED, intake, vignette_answers, vignette_cases

CREATES = ("/ankle/api/fhir/QuestionnaireResponse", "/ankle/fhir/QuestionnaireResponse")
NEW = "#/components/schemas/NewQuestionnaireResponse"
GOOD = [c for c in vignette_cases() if "error_field" not in c["expect"]]
EXAMINATION_FILE = SHARED / "vignettes" / "examination.json"
EXAM_GOOD = [c for c in (json.loads(EXAMINATION_FILE.read_text(encoding="utf-8"))
                         if EXAMINATION_FILE.exists() else [])
             if "error_field" not in c["expect"]]


@pytest.fixture
def doc(client) -> dict:
    return client.get("/ankle/api/openapi.json").json


@pytest.fixture
def new_response(doc: dict) -> jsonschema_rs.Draft4Validator:
    """A validator of NewQuestionnaireResponse, its $refs resolved in the served document."""
    return jsonschema_rs.Draft4Validator({"$ref": NEW, "components": doc["components"]})


def _find(items: list[dict], link: str) -> dict:
    for item in items:
        if item["linkId"] == link:
            return item
        try:
            return _find(item.get("item", []), link)
        except KeyError:
            pass
    raise KeyError(link)


def _stored(client, valid: dict) -> dict:
    """The QuestionnaireResponse the server emits for a stored intake (a draft: in-progress)."""
    body = {**valid, "patient_ref": "p-1", "encounter_ref": "e-1"}
    record_id = client.post("/ankle/api/assessments", json=body).json["id"]
    response = client.get(f"/ankle/api/assessments/{record_id}/fhir")
    assert response.status_code == 200
    return response.json


def test_both_creates_take_a_new_questionnaire_response_and_answer_the_full_one(
        doc: dict) -> None:
    for path in CREATES:
        post = doc["paths"][path]["post"]
        content = post["requestBody"]["content"]
        assert set(content) == {"application/fhir+json", "application/json"}
        assert all(media["schema"] == {"$ref": NEW} for media in content.values()), path
    created = doc["paths"]["/ankle/fhir/QuestionnaireResponse"]["post"]["responses"]["201"]
    assert created["content"]["application/fhir+json"]["schema"] == {
        "$ref": "#/components/schemas/QuestionnaireResponse"}
    read = doc["paths"]["/ankle/api/assessments/{assessment_id}/fhir"]["get"]["responses"]
    assert read["200"]["content"]["application/fhir+json"]["schema"] == {
        "$ref": "#/components/schemas/QuestionnaireResponse"}


def test_the_schema_names_what_the_server_reads(doc: dict) -> None:
    schemas = doc["components"]["schemas"]
    new = schemas["NewQuestionnaireResponse"]
    assert new["properties"]["status"]["enum"] == list(ASSESSABLE_STATUSES)
    assert {"resourceType", "questionnaire", "status", "item", "subject", "encounter",
            "authored", "author"} <= set(new["properties"])
    # Unknown top-level elements are ignored by raw_answers, not refused: the object is open.
    assert "additionalProperties" not in new
    links = schemas["NewQuestionnaireResponseItem"]["properties"]["linkId"]["enum"]
    assert links == sorted(link for link, (d, _) in definitions().items()
                           if d["type"] != "display")
    integer = schemas["NewQuestionnaireResponseAnswer"]["properties"]["valueInteger"]
    assert (integer["minimum"], integer["maximum"]) == FHIR_INTEGER_RANGE
    assert schemas["NewQuestionnaireResponseAnswer"]["additionalProperties"] is False


def test_an_emitted_response_validates_once_completed_and_is_accepted(
        client, valid: dict, new_response) -> None:
    emitted = _stored(client, valid)
    assert emitted["status"] == "in-progress"
    assert not new_response.is_valid(emitted)
    for status in ASSESSABLE_STATUSES:
        body = {**emitted, "status": status}
        assert new_response.is_valid(body), [e.message for e in new_response.iter_errors(body)]
        for path in CREATES:
            assert client.post(path, json=body).status_code == 201, (status, path)
    other = {**emitted, "status": "completed", "questionnaire": "https://example.org/Questionnaire/x"}
    assert not new_response.is_valid(other)
    assert client.post(CREATES[1], json=other).status_code == 422


@pytest.mark.parametrize("answers", [
    pytest.param(vignette_answers(case), id=case["name"]) for case in GOOD + EXAM_GOOD
] + [pytest.param(intake(
    onset="sudden", age=34, mechanism="inversion", weight_bearing="partial",
    heel_raise_count=0, previous_sprains=2, warning_signs=["night_pain", "fever_or_unwell"],
    medications=["fluoroquinolone"], weekly_distance=30.0, pain_running=4,
    special_tests={"anterior_drawer": "positive", "talar_tilt": "negative"},
    **{key: False for key in EXAMINED_FINDINGS},
), id="every-examination-field")])
def test_every_good_intake_as_the_server_writes_it_validates(answers: dict, new_response) -> None:
    qr = json.loads(json.dumps(response_from_answers(load_answers(answers))))
    assert qr["status"] == "completed"
    assert new_response.is_valid(qr), [e.message for e in new_response.iter_errors(qr)]


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def change(qr: dict) -> None:
        qr[path] = value
    return change


def _answer(link: str, answer: list) -> Callable[[dict], None]:
    def change(qr: dict) -> None:
        _find(qr["item"], link)["answer"] = answer
    return change


def _add_item(item: dict) -> Callable[[dict], None]:
    return lambda qr: qr["item"].append(item)


DISPLAY = next(link for link, (d, _) in definitions().items() if d["type"] == "display")

#: (change, whether the schema allows it): the server must answer 201 exactly then.
CHANGES: dict[str, tuple[Callable[[dict], None], bool]] = {
    "canonical-without-version": (_set("questionnaire", QUESTIONNAIRE_URL), True),
    "canonical-any-version": (_set("questionnaire", QUESTIONNAIRE_URL + "|9.9"), True),
    "another-questionnaire": (_set("questionnaire", "https://example.org/Questionnaire/x"),
                              False),
    "a-longer-url": (_set("questionnaire", QUESTIONNAIRE_URL + "-2"), False),
    "in-progress": (_set("status", "in-progress"), False),
    "stopped": (_set("status", "stopped"), False),
    "unknown-top-level-element": (_set("language", "en"), True),
    "meta-and-text": (lambda qr: qr.update(meta={"versionId": "1"}, text={"status": "empty"}),
                      True),
    "authored-a-month": (_set("authored", "2026-12"), True),
    "authored-without-zone": (_set("authored", "2026-12-02T10:00:00"), False),
    "author-not-an-object": (_set("author", "Dr Silva"), False),
    "subject-as-literal": (_set("subject", {"reference": "Patient/p-1"}), True),
    "subject-of-another-type": (_set("subject", {"reference": "Practitioner/p-1"}), False),
    "subject-without-a-reference": (_set("subject", {"display": "Ana"}), False),
    "encounter-value-not-a-string": (_set("encounter", {"identifier": {"value": 1}}), False),
    "no-item": (lambda qr: qr.pop("item"), False),
    "two-values-in-one-answer": (_answer("pain_now", [{"valueInteger": 3, "valueString": "3"}]),
                                 False),
    "an-answer-with-items": (_answer("pain_now", [{"valueInteger": 3, "item": []}]), False),
    "beyond-a-fhir-integer": (_answer("pain_now", [{"valueInteger": FHIR_INTEGER_RANGE[1] + 1}]),
                              False),
    "an-unknown-linkid": (_add_item({"linkId": "nope", "answer": [{"valueString": "x"}]}),
                          False),
    "a-display-item": (_add_item({"linkId": DISPLAY}), False),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_the_schema_and_the_server_agree(name: str, client, valid: dict, new_response) -> None:
    change, allowed = CHANGES[name]
    body = copy.deepcopy({**_stored(client, valid), "status": "completed"})
    change(body)
    assert new_response.is_valid(body) is allowed
    for path in CREATES:
        assert client.post(path, json=body).status_code == (201 if allowed else 422), path
