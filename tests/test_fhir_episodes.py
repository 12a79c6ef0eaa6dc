"""Episodes in FHIR (contract 6): basedOn names the episode; last week travels both ways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import make_host
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import Flask

from ankle_intake.extension import state
from ankle_intake.fhir.episodes import EPISODE_SYSTEM
from ankle_intake.fhir.response import answers_from_response, stored_response

RUNNING = {"side": "left", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 1,
           "pain_running": 1, "injury_date": "2026-09-01", "assessment_date": "2026-11-02",
           "weekly_distance": 30, "patient_ref": "P-5"}
WEEK = {"runs": 3, "minutes": 75.5, "distance": 15, "pain_during_max": 1,
        "worse_next_morning": False}
FHIR = {"Accept": "application/fhir+json"}


@pytest.fixture
def app(tmp_path: Path) -> Any:
    host = make_host(tmp_path / "h", ANKLE_INTAKE_CURRENT_USER=lambda: {"id": "u1", "name": "A"})
    yield host
    state(host).storage.dispose()


def _first(client: Any) -> dict[str, Any]:
    response = client.post("/ankle/api/assessments", json=RUNNING)
    assert response.status_code == 201
    return response.get_json()


def test_every_stored_response_names_its_episode(client) -> None:
    first = _first(client)
    qr = client.get(f"/ankle/fhir/QuestionnaireResponse/{first['id']}").get_json()
    assert qr["basedOn"] == [{"type": "CarePlan", "identifier": {
        "system": EPISODE_SYSTEM, "value": first["episode_id"]},
        "display": "Episode of care, visit 1"}]
    QuestionnaireResponse.model_validate(qr)


def test_a_response_based_on_an_episode_is_its_next_visit(client) -> None:
    first = _first(client)
    qr = client.get(f"/ankle/fhir/QuestionnaireResponse/{first['id']}").get_json()
    qr.pop("id")
    qr["status"] = "completed"
    qr["item"].append({"linkId": "group.last_week", "item": [{"linkId": "last_week", "item": [
        {"linkId": "last_week.runs", "answer": [{"valueInteger": 3}]},
        {"linkId": "last_week.pain_during_max", "answer": [{"valueInteger": 1}]},
        {"linkId": "last_week.worse_next_morning", "answer": [{"valueBoolean": False}]}]}]})
    posted = client.post("/ankle/fhir/QuestionnaireResponse", json=qr, headers=FHIR)
    assert posted.status_code == 201, posted.get_json()
    body = posted.get_json()
    assert body["basedOn"][0]["identifier"]["value"] == first["episode_id"]
    assert body["basedOn"][0]["display"] == "Episode of care, visit 2"
    episode = client.get(f"/ankle/api/episodes/{first['episode_id']}").get_json()
    assert [v["visit"] for v in episode["visits"]] == [1, 2]
    assert episode["visits"][1]["progression"] == "advance"
    assert episode["visits"][1]["last_week"] == {"runs": 3, "pain_during_max": 1,
                                                 "worse_next_morning": False}


def test_last_week_and_measures_round_trip_through_the_response(client, app: Flask) -> None:
    first = _first(client)
    measures = {"cait": [3, 2, 2, 1, 1, 2, 1, 1, 2],
                "faam_sports": [4, 3, None, 2, 1, 0, 4, 4]}
    visit = client.post(f"/ankle/api/episodes/{first['episode_id']}/visits",
                        json={**RUNNING, "assessment_date": "2026-11-09", "last_week": WEEK,
                              "measures": measures})
    record = visit.get_json()
    qr = stored_response(record)
    QuestionnaireResponse.model_validate(qr)
    qr["status"] = "completed"
    assert answers_from_response(qr) == record["answers"]


@pytest.mark.parametrize("based_on", [
    [{"identifier": {"system": EPISODE_SYSTEM, "value": "7d1c0c39-3d6b-4d47-9d53-2f0e7a1f3c11"}}],
    [{"identifier": {"system": EPISODE_SYSTEM, "value": "not-an-id"}}],
    "CarePlan/1",
])
def test_a_response_based_on_no_open_episode_is_refused_naming_based_on(
    client, based_on: Any
) -> None:
    first = _first(client)
    qr = client.get(f"/ankle/fhir/QuestionnaireResponse/{first['id']}").get_json()
    qr.pop("id")
    qr["status"], qr["basedOn"] = "completed", based_on
    before = state(client.application).storage.count()
    posted = client.post("/ankle/fhir/QuestionnaireResponse", json=qr, headers=FHIR)
    assert posted.status_code == 422
    outcome = posted.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert any("QuestionnaireResponse.basedOn" in issue.get("expression", [])
               for issue in outcome["issue"])
    assert state(client.application).storage.count() == before


def test_a_discharged_episode_takes_no_fhir_visit(client) -> None:
    first = _first(client)
    client.post(f"/ankle/api/episodes/{first['episode_id']}/discharge",
                json={"reason": "goals_met"})
    qr = client.get(f"/ankle/fhir/QuestionnaireResponse/{first['id']}").get_json()
    qr.pop("id")
    qr["status"] = "completed"
    assert client.post("/ankle/fhir/QuestionnaireResponse", json=qr,
                       headers=FHIR).status_code == 422
