"""The FHIR REST base at <prefix>/fhir (issue 13 item 9): read, search, create, metadata."""

from __future__ import annotations

import json
import uuid

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from sqlalchemy.exc import OperationalError

from ankle_intake import load_answers
from ankle_intake.extension import state
from ankle_intake.fhir import FHIR_JSON, QUESTIONNAIRE_URL, questionnaire, response_from_answers
from ankle_intake.fhir.codesystems import code_system_keys
from ankle_intake.fhir.questionnaire import walk
from ankle_intake.guidance.measures import MEASURES
from ankle_intake.store.decisions import AuditFailed

BASE = "/ankle/fhir"


@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    return any_database_url


@pytest.fixture
def qr(valid: dict) -> dict:
    return response_from_answers(load_answers({**valid, "patient_ref": "MRN-1",
                                               "encounter_ref": "ENC-9"}))


def post(client, body: object, **headers: str):
    return client.post(f"{BASE}/QuestionnaireResponse", data=json.dumps(body),
                       content_type=FHIR_JSON, headers=headers)


def outcome(response, status: int) -> dict:
    """The OperationOutcome of an error answer, checked for its status, type and shape."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == FHIR_JSON
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json(force=True)
    OperationOutcome.model_validate(body)
    assert all(issue["severity"] == "error" for issue in body["issue"])
    return body


def test_metadata_is_a_valid_capability_statement(client) -> None:
    response = client.get(f"{BASE}/metadata")
    assert response.status_code == 200 and response.mimetype == FHIR_JSON
    body = response.get_json(force=True)
    CapabilityStatement.model_validate(body)
    assert body["fhirVersion"] == "4.0.1" and body["kind"] == "instance"
    assert body["implementation"]["url"] == "http://localhost/ankle/fhir"
    resources = {r["type"]: {i["code"] for i in r["interaction"]}
                 for r in body["rest"][0]["resource"]}
    assert resources == {"Questionnaire": {"read", "search-type"},
                         "QuestionnaireResponse": {"read", "create"},
                         "CodeSystem": {"read"}, "Observation": {"read"}}


def test_questionnaire_read_by_id(client) -> None:
    response = client.get(f"{BASE}/Questionnaire/ankle-intake")
    assert response.status_code == 200 and response.mimetype == FHIR_JSON
    assert response.get_json(force=True) == questionnaire()
    Questionnaire.model_validate(response.get_json(force=True))
    body = outcome(client.get(f"{BASE}/Questionnaire/other"), 404)
    assert body["issue"][0]["code"] == "not-found"


@pytest.mark.parametrize("query, total", [
    ({"url": QUESTIONNAIRE_URL}, 1),
    ({"url": f"{QUESTIONNAIRE_URL}|{questionnaire()['version']}"}, 1),
    ({"url": f"{QUESTIONNAIRE_URL}|0.0.0"}, 0),
    ({"url": "https://example.org/fhir/Questionnaire/other"}, 0),
    ({"_id": "ankle-intake"}, 1),
    ({"_id": "other"}, 0),
    ({"version": questionnaire()["version"], "_count": "5"}, 1),
])
def test_questionnaire_search_is_a_searchset_bundle(client, query, total) -> None:
    response = client.get(f"{BASE}/Questionnaire", query_string=query)
    assert response.status_code == 200 and response.mimetype == FHIR_JSON
    body = response.get_json(force=True)
    Bundle.model_validate(body)
    assert (body["type"], body["total"], len(body["entry"])) == ("searchset", total, total)
    for entry in body["entry"]:
        assert entry["resource"] == questionnaire()
        assert entry["fullUrl"] == "http://localhost/ankle/fhir/Questionnaire/ankle-intake"


def test_the_old_questionnaire_path_still_answers_with_the_questionnaire(client) -> None:
    response = client.get(f"{BASE}/Questionnaire")
    assert response.status_code == 200
    assert response.get_json(force=True) == questionnaire()


def test_post_on_the_base_stores_and_answers_with_the_resource(client, count, qr) -> None:
    response = post(client, qr)
    assert response.status_code == 201 and response.mimetype == FHIR_JSON
    body = response.get_json(force=True)
    QuestionnaireResponse.model_validate(body)
    assert body["resourceType"] == "QuestionnaireResponse" and count() == 1
    assert response.headers["Location"] == f"{BASE}/QuestionnaireResponse/{body['id']}"
    assert body["subject"] == {"type": "Patient", "identifier": {"value": "MRN-1"}}
    again = client.get(response.headers["Location"])
    assert again.status_code == 200 and again.get_json(force=True) == body


def test_post_on_the_base_takes_the_json_path_and_its_idempotency(client, count, qr) -> None:
    first = post(client, qr, **{"Idempotency-Key": "k-1"})
    second = post(client, qr, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, second.status_code, count()) == (201, 201, 1)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json(force=True)["id"] == first.get_json(force=True)["id"]
    legacy = client.post("/ankle/api/fhir/QuestionnaireResponse", json=qr)
    assert legacy.status_code == 201 and legacy.mimetype == "application/json"
    assert "answers" in legacy.get_json() and count() == 2


def test_the_read_is_audited_as_an_export(client, qr) -> None:
    record_id = post(client, qr).get_json(force=True)["id"]
    assert client.get(f"{BASE}/QuestionnaireResponse/{record_id}").status_code == 200
    actions = [r["action"] for r in client.get(f"/ankle/api/assessments/{record_id}/audit")
               .get_json()]
    assert actions.count("export") == 1


def test_a_read_whose_audit_fails_is_a_503_outcome(app, client, qr, monkeypatch) -> None:
    record_id = post(client, qr).get_json(force=True)["id"]

    def fail(*args, **kwargs):
        raise AuditFailed("OperationalError")

    monkeypatch.setattr(state(app).storage, "log_event", fail)
    response = client.get(f"{BASE}/QuestionnaireResponse/{record_id}")
    body = outcome(response, 503)
    assert body["issue"][0]["code"] == "transient" and response.headers["Retry-After"]


def test_a_store_outage_is_a_503_outcome(app, client, qr, monkeypatch) -> None:
    def locked(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(state(app).storage, "get", locked)
    response = client.get(f"{BASE}/QuestionnaireResponse/{uuid.uuid4()}")
    assert outcome(response, 503)["issue"][0]["code"] == "transient"
    assert response.headers["Retry-After"]


def test_a_refused_answer_is_a_422_outcome_naming_the_linkid(client, count, qr) -> None:
    for section in qr["item"]:
        for item in section.get("item", []):
            if item["linkId"] == "pain_now":
                item["answer"] = [{"valueInteger": 11}]
    body = outcome(post(client, qr), 422)
    (issue,) = body["issue"]
    assert issue["code"] == "invalid" and "Pain now" in issue["diagnostics"]
    assert issue["expression"] == [
        "QuestionnaireResponse.item.where(linkId='group.pain').item.where(linkId='pain_now')"]
    assert count() == 0


def test_an_element_error_names_the_element(client, qr) -> None:
    qr["status"] = "in-progress"
    (issue,) = outcome(post(client, qr), 422)["issue"]
    assert issue["expression"] == ["QuestionnaireResponse.status"]


def test_body_errors_are_outcomes(make_app, client) -> None:
    assert outcome(client.post(f"{BASE}/QuestionnaireResponse", data="{",
                               content_type=FHIR_JSON), 400)["issue"][0]["code"] == "structure"
    assert outcome(client.post(f"{BASE}/QuestionnaireResponse", data="a=1",
                               content_type="application/x-www-form-urlencoded"), 415)
    small = make_app(ANKLE_INTAKE_MAX_BODY_BYTES=64).test_client()
    body = outcome(small.post(f"{BASE}/QuestionnaireResponse", data=json.dumps({"x": "y" * 99}),
                              content_type=FHIR_JSON), 413)
    assert body["issue"][0]["code"] == "too-costly"
    bad_key = post(client, {}, **{"Idempotency-Key": "a b"})
    assert "Idempotency-Key" in outcome(bad_key, 400)["issue"][0]["diagnostics"]


def test_unknown_paths_and_ids_are_404_outcomes(client) -> None:
    for path in ("/Patient/1", "/", "/Questionnaire/ankle-intake/_history/1",
                 f"/QuestionnaireResponse/{uuid.uuid4()}", "/QuestionnaireResponse/not-a-uuid"):
        assert outcome(client.get(BASE + path), 404)["issue"][0]["code"] == "not-found", path


def test_a_wrong_method_is_a_405_outcome_with_allow(client) -> None:
    response = client.delete(f"{BASE}/Questionnaire/ankle-intake")
    outcome(response, 405)
    assert "GET" in response.headers["Allow"]
    response = client.get(f"{BASE}/QuestionnaireResponse")
    outcome(response, 405)
    assert response.headers["Allow"] == "POST"


def test_the_authorize_hook_refusal_is_a_403_outcome(make_app, qr) -> None:
    client = make_app(authorize=lambda: False).test_client()
    for response in (client.get(f"{BASE}/metadata"), client.get(f"{BASE}/Questionnaire"),
                     client.get(f"{BASE}/CodeSystem/side"), post(client, qr),
                     client.get(f"{BASE}/QuestionnaireResponse/{uuid.uuid4()}"),
                     client.get(f"{BASE}/Nothing")):
        assert outcome(response, 403)["issue"][0]["code"] == "forbidden"


def test_every_answer_system_is_served_at_its_canonical_path(client) -> None:
    """Issue 13 item 12: each answerOption's system resolves, with exactly those codes."""
    systems: dict[str, set[str]] = {}
    for item, _ in walk(questionnaire()["item"]):
        for option in item.get("answerOption", []):
            coding = option["valueCoding"]
            systems.setdefault(coding["system"], set()).add(coding["code"])
    # Published systems are not ours to serve: the handout's language is BCP-47.
    assert systems.pop("urn:ietf:bcp:47") == {"en", "es"}
    measures = "https://ankle-intake.example.org/fhir/CodeSystem/measures/"
    own = {s for s in systems if not s.startswith(measures)}
    assert len(own) == len(code_system_keys())
    assert len(systems) - len(own) == len(MEASURES)  # one per outcome measure (contract 6)
    prefix = "https://ankle-intake.example.org/fhir/CodeSystem/"
    for system, codes in systems.items():
        assert system.startswith(prefix)
        key = system[len(prefix):]
        for path in ((key,) if key.startswith("measures/") else (key, key.replace("_", "-"))):
            response = client.get(f"{BASE}/CodeSystem/{path}")
            assert response.status_code == 200 and response.mimetype == FHIR_JSON
            body = response.get_json(force=True)
            CodeSystem.model_validate(body)
            assert body["url"] == system
            assert {c["code"] for c in body["concept"]} == codes
    assert outcome(client.get(f"{BASE}/CodeSystem/patient_name"), 404)


def test_the_openapi_document_has_the_fhir_base(client) -> None:
    doc = client.get("/ankle/api/openapi.json").get_json()
    paths = doc["paths"]
    operations = {
        ("get", "/ankle/fhir/metadata"), ("get", "/ankle/fhir/Questionnaire"),
        ("get", "/ankle/fhir/Questionnaire/{resource_id}"),
        ("get", "/ankle/fhir/CodeSystem/{key}"),
        ("get", "/ankle/fhir/QuestionnaireResponse/{assessment_id}"),
        ("post", "/ankle/fhir/QuestionnaireResponse"),
    }
    ids = set()
    for method, path in operations:
        operation = paths[path][method]
        ids.add(operation["operationId"])
        assert operation["responses"]["403"]["content"] == {
            FHIR_JSON: {"schema": {"$ref": "#/components/schemas/OperationOutcome"}}}
    assert len(ids) == len(operations)
    post_op = paths["/ankle/fhir/QuestionnaireResponse"]["post"]
    assert {"201", "400", "403", "413", "415", "422"} <= set(post_op["responses"])
