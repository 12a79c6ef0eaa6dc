"""Outcome measures in FHIR (issue 14 items 3 and 5): each measure's Questionnaire, its
calculatedExpression evaluated by fhirpathpy against the Python scorer on 1,000 generated
answer sets per measure, and a score read as an Observation behind the authorize hook.
"""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from ankle_intake.fhir import FHIR_JSON
from ankle_intake.fhir.measures import (
    CALCULATED,
    MEASURE_SYSTEM,
    ORDINAL_VALUE,
    VARIABLE,
    measure_questionnaire,
    questionnaire_url,
)
from ankle_intake.forms.measures import measure
from ankle_intake.guidance.measures import MEASURES, score

fhirpathpy = pytest.importorskip("fhirpathpy")
from fhirpathpy.models import models  # noqa: E402

BASE = "/ankle/fhir"
SETS = 1000
VALID = {"side": "left", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 2,
         "patient_ref": "MRN-7", "encounter_ref": "ENC-3", "assessment_date": "2026-03-02"}
CAIT = [4, 3, 2, 2, 1, 2, 3, 2, 2]


def _evaluators(q: dict) -> tuple[Any, Any]:
    (variable,) = [e for e in q["extension"] if e["url"] == VARIABLE]
    total = q["item"][-1]
    (calc,) = [e for e in total["extension"] if e["url"] == CALCULATED]
    assert total["readOnly"] is True and variable["valueExpression"]["name"] == "scores"
    model = models["r4"]
    return (fhirpathpy.compile(variable["valueExpression"]["expression"], model),
            fhirpathpy.compile(calc["valueExpression"]["expression"], model))


def _response(q: dict, rng: random.Random) -> tuple[dict, list[int | None]]:
    """A QuestionnaireResponse answering ``q`` at random, and the same answers as scores.

    For FAAM an item is now and then left out, or answered "not applicable": both are
    ``None`` in the JSON answers.
    """
    items, answers = [], []
    na_rate = rng.choice((0.0, 0.05, 0.15, 0.3))
    for item in q["item"][:-1]:
        options = item["answerOption"]
        has_na = any("extension" not in o for o in options)
        if has_na and rng.random() < na_rate:
            answers.append(None)
            if rng.random() < 0.5:
                continue  # left out altogether
            option = next(o for o in options if "extension" not in o)
        else:
            option = rng.choice([o for o in options if "extension" in o])
            answers.append(option["extension"][0]["valueDecimal"])
        items.append({"linkId": item["linkId"], "answer": [{"valueCoding": option["valueCoding"]}]})
    qr = {"resourceType": "QuestionnaireResponse", "status": "completed",
          "questionnaire": q["url"], "item": items}
    return qr, answers


@pytest.mark.parametrize("measure_id", MEASURES)
def test_the_questionnaire_is_valid_r4_with_printed_scores(measure_id) -> None:
    q = measure_questionnaire(measure_id)
    Questionnaire.model_validate(q)
    spec = measure(measure_id)
    assert q["url"] == questionnaire_url(measure_id) and q["id"] == measure_id.replace("_", "-")
    questions = q["item"][:-1]
    assert [i["linkId"] for i in questions] == [f"{measure_id}.{n}"
                                                for n in range(1, len(spec["items"]) + 1)]
    for item, data in zip(questions, spec["items"], strict=True):
        printed = [o["score"] for o in data["options"] if o["score"] is not None]
        weights = [ext["valueDecimal"] for o in item["answerOption"]
                   for ext in o.get("extension", []) if ext["url"] == ORDINAL_VALUE]
        assert weights == printed
    assert q["copyright"] == spec["licence"]["terms"]


@pytest.mark.parametrize("measure_id", MEASURES)
def test_fhirpath_total_equals_the_python_score_on_generated_answers(measure_id) -> None:
    q = measure_questionnaire(measure_id)
    scores_of, total_of = _evaluators(q)
    rng = random.Random(f"measures-{measure_id}")
    scored = unscored = 0
    for _ in range(SETS):
        qr, answers = _response(q, rng)
        env = {"resource": qr, "questionnaire": q}
        env["scores"] = scores_of(qr, env)
        total = total_of(qr, env)
        expected = score(measure_id, answers)["score"]
        if expected is None:
            assert total == [], answers
            unscored += 1
        else:
            assert len(total) == 1 and float(total[0]) == expected, (answers, total)
            scored += 1
    assert scored > 100
    if measure(measure_id)["allows_not_applicable"]:
        assert unscored > 20  # the 90% rule was exercised both ways


def test_a_generated_response_is_valid_r4() -> None:
    q = measure_questionnaire("faam_adl")
    qr, _ = _response(q, random.Random(3))
    QuestionnaireResponse.model_validate(qr)


def test_the_worked_cait_example_through_fhirpath() -> None:
    q = measure_questionnaire("cait")
    scores_of, total_of = _evaluators(q)
    items = []
    for item, answer in zip(q["item"][:-1], CAIT, strict=True):
        option = next(o for o in item["answerOption"]
                      if o["extension"][0]["valueDecimal"] == answer)
        items.append({"linkId": item["linkId"], "answer": [{"valueCoding": option["valueCoding"]}]})
    qr = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": items}
    env: dict[str, Any] = {"resource": qr}
    env["scores"] = scores_of(qr, env)
    assert total_of(qr, env) == [21]
    env["scores"] = scores_of({**qr, "item": items[:-1]}, {"resource": {**qr, "item": items[:-1]}})
    assert total_of(qr, env) == []  # one item unanswered: CAIT has no score


def test_questionnaire_routes_read_and_search(client) -> None:
    for path in ("faam-adl", "faam_adl"):
        response = client.get(f"{BASE}/Questionnaire/{path}")
        assert response.status_code == 200 and response.mimetype == FHIR_JSON
        assert response.get_json(force=True) == measure_questionnaire("faam_adl")
    assert client.get(f"{BASE}/Questionnaire/visa-a").status_code == 404
    found = client.get(f"{BASE}/Questionnaire", query_string={"url": questionnaire_url("lefs")})
    body = found.get_json(force=True)
    Bundle.model_validate(body)
    assert body["total"] == 1 and body["entry"][0]["resource"]["id"] == "lefs"
    assert body["entry"][0]["fullUrl"] == "http://localhost/ankle/fhir/Questionnaire/lefs"
    intake = client.get(f"{BASE}/Questionnaire", query_string={"_id": "ankle-intake"})
    assert intake.get_json(force=True)["total"] == 1


def test_the_capability_statement_lists_observation_read(client) -> None:
    body = client.get(f"{BASE}/metadata").get_json(force=True)
    kinds = {r["type"]: [i["code"] for i in r["interaction"]] for r in body["rest"][0]["resource"]}
    assert kinds["Observation"] == ["read"]


def _store(client, measures: dict) -> str:
    response = client.post("/ankle/api/assessments", data=json.dumps({**VALID,
                                                                      "measures": measures}),
                           content_type="application/json")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_a_score_reads_as_an_observation_and_is_audited(client) -> None:
    record_id = _store(client, {"cait": CAIT, "faam_sports": [None] * 8})
    response = client.get(f"{BASE}/Observation/{record_id}-cait")
    assert response.status_code == 200 and response.mimetype == FHIR_JSON
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json(force=True)
    Observation.model_validate(body)
    assert body["id"] == f"{record_id}-cait" and body["status"] == "final"
    assert body["code"]["coding"][0] == {"system": MEASURE_SYSTEM, "code": "cait",
                                         "display": "Cumberland Ankle Instability Tool"}
    assert body["valueQuantity"]["value"] == 21
    assert body["subject"] == {"type": "Patient", "identifier": {"value": "MRN-7"}}
    assert body["effectiveDateTime"] == "2026-03-02"
    unscored = client.get(f"{BASE}/Observation/{record_id}-faam-sports").get_json(force=True)
    Observation.model_validate(unscored)
    assert "valueQuantity" not in unscored and "0 of 8" in unscored["dataAbsentReason"]["text"]
    actions = [r["action"] for r in client.get(f"/ankle/api/assessments/{record_id}/audit")
               .get_json()]
    assert actions.count("export") == 2


def _outcome(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json(force=True)
    OperationOutcome.model_validate(body)
    return body


def test_unknown_observations_are_404(client) -> None:
    record_id = _store(client, {"cait": CAIT})
    for path in (f"{record_id}-lefs", f"{record_id}-visa-a", f"{uuid.uuid4()}-cait",
                 "cait", "-cait", record_id):
        _outcome(client.get(f"{BASE}/Observation/{path}"), 404)
    actions = [r["action"] for r in client.get(f"/ankle/api/assessments/{record_id}/audit")
               .get_json()]
    assert "export" not in actions


@pytest.mark.parametrize("hook", [lambda: False, lambda: "yes", lambda: 1, lambda: None])
def test_observation_needs_the_hook_to_say_exactly_yes(make_app, hook) -> None:
    host = make_app()
    record_id = _store(host.test_client(), {"cait": CAIT})
    host.config["ANKLE_INTAKE_AUTHORIZE"] = hook
    body = _outcome(host.test_client().get(f"{BASE}/Observation/{record_id}-cait"), 403)
    assert body["issue"][0]["code"] == "forbidden"
    assert "21" not in json.dumps(body)
