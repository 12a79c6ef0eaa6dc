"""A FHIR client's ``authored`` is kept with the record (issue 13 item 10).

The draft's QuestionnaireResponse gives back the time the client said the
answers were made, exactly as sent; the JSON record shows it too. Signing is a
later change, so a signed response is authored when it was signed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import make_host

from ankle_intake import load_answers
from ankle_intake.extension import state
from ankle_intake.fhir import FHIR_JSON, response_from_answers

from casebook import intake

BASE = "/ankle/fhir"
API = "/ankle/api/assessments"
AUTHORED = "2026-11-02T09:15:30.25+01:00"


@pytest.fixture
def app(tmp_path: Path) -> Any:
    host = make_host(tmp_path / "h", ANKLE_INTAKE_CURRENT_USER=lambda: {"id": "u1", "name": "Ana"})
    yield host
    state(host).storage.dispose()


def response(**extra: Any) -> dict[str, Any]:
    return {**response_from_answers(load_answers(intake(patient_ref="MRN-1"))), **extra}


def post(client: Any, body: dict[str, Any], path: str = f"{BASE}/QuestionnaireResponse") -> Any:
    return client.post(path, data=json.dumps(body), content_type=FHIR_JSON)


@pytest.mark.parametrize("path", [f"{BASE}/QuestionnaireResponse",
                                  "/ankle/api/fhir/QuestionnaireResponse"])
def test_the_clients_authored_comes_back_as_sent(client, path: str) -> None:
    created = post(client, response(authored=AUTHORED), path)
    assert created.status_code == 201, created.get_data(as_text=True)
    record_id = created.get_json(force=True)["id"]
    record = client.get(f"{API}/{record_id}").get_json()
    assert record["authored"] == AUTHORED
    again = client.get(f"{BASE}/QuestionnaireResponse/{record_id}").get_json(force=True)
    assert again["authored"] == AUTHORED and again["status"] == "in-progress"


def test_without_one_the_record_has_none_and_the_response_is_authored_when_stored(
        client) -> None:
    created = post(client, response())
    record = client.get(f"{API}/{created.get_json(force=True)['id']}").get_json()
    assert record["authored"] is None
    again = client.get(f"{BASE}/QuestionnaireResponse/{record['id']}").get_json(force=True)
    assert again["authored"] == record["created_at"]
    from_json = client.post(API, json=intake()).get_json()
    assert from_json["authored"] is None


def test_a_signed_response_is_authored_when_signed(client) -> None:
    record_id = post(client, response(authored=AUTHORED)).get_json(force=True)["id"]
    record = client.get(f"{API}/{record_id}").get_json()
    plan = {"triage_level": record["assessment"]["triage"]["level"], "exercises": []}
    assert client.put(f"{API}/{record_id}/plan", json=plan).status_code == 200
    signed = client.post(f"{API}/{record_id}/sign").get_json()
    again = client.get(f"{BASE}/QuestionnaireResponse/{record_id}").get_json(force=True)
    assert again["status"] == "completed" and again["authored"] == signed["signed_at"]
    assert signed["authored"] == AUTHORED  # still kept with the record


def test_a_follow_up_keeps_its_authored(client) -> None:
    first = post(client, response(authored=AUTHORED)).get_json(force=True)
    later = "2026-11-09"  # a date alone is a FHIR dateTime too
    body = response(authored=later, basedOn=first["basedOn"])
    follow = post(client, body)
    assert follow.status_code == 201, follow.get_data(as_text=True)
    record = client.get(f"{API}/{follow.get_json(force=True)['id']}").get_json()
    assert (record["visit"], record["authored"]) == (2, later)


@pytest.mark.parametrize("bad", ["yesterday", "2026-11-02T09:15:30", 20261102, ["2026"]])
def test_a_malformed_authored_is_refused_naming_it_and_nothing_is_stored(client, bad) -> None:
    refused = post(client, response(authored=bad))
    assert refused.status_code == 422
    assert "authored" in json.dumps(refused.get_json(force=True))
    assert state(client.application).storage.count() == 0
