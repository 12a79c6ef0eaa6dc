"""The JSON API (contract section 2), against SQLite and against PostgreSQL."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from ankle_intake.api.schemas import RecordSchema

URL = "/ankle/api/assessments"


@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    return any_database_url


def test_post_stores_and_answers_201(client, valid, count) -> None:
    body = {**valid, "patient_ref": "P-17", "encounter_ref": "E-3", "pain_running": None}
    response = client.post(URL, json=body)
    assert response.status_code == 201, response.json
    assert response.headers["Cache-Control"] == "no-store"
    record = response.json
    assert uuid.UUID(record["id"]).version == 4
    assert response.headers["Location"] == f"{URL}/{record['id']}"
    assert record["answers"]["pain_running"] is None
    assert record["answers"]["assessment_date"]  # the schema's default, stored
    assert record["patient_ref"] == "P-17" and record["encounter_ref"] == "E-3"
    assert record["rules_version"] == record["assessment"]["rules_version"]
    assert set(record["assessment"]) >= {"triage", "stop_running", "conditions", "return_to_run"}
    RecordSchema().load(record)  # the documented shape, checked against a real response
    assert count() == 1


def test_get_returns_the_stored_record(client, valid) -> None:
    created = client.post(URL, json=valid).json
    response = client.get(f"{URL}/{created['id']}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json == created
    upper = client.get(f"{URL}/{created['id'].upper()}")
    assert upper.status_code == 200 and upper.json["id"] == created["id"]


@pytest.mark.parametrize(
    "record_id", [str(uuid.uuid4()), "not-a-uuid", "1%27%20OR%201=1", "x" * 300, "0" * 36]
)
def test_get_unknown_or_malformed_id_is_404(client, record_id) -> None:
    response = client.get(f"{URL}/{record_id}")
    assert response.status_code == 404
    assert response.is_json and response.json["errors"]["_request"]


def _json_body(value: Any) -> dict[str, Any]:
    return {"data": json.dumps(value), "content_type": "application/json"}


def _answers(**changes: Any) -> dict[str, Any]:
    base = {"side": "right", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 3}
    base.update(changes)
    return _json_body({k: v for k, v in base.items() if v is not ...})


BAD_INPUT = {
    # wrong types
    "pain_now as text": (_answers(pain_now="3"), 422, "pain_now"),
    "pain_now as bool": (_answers(pain_now=True), 422, "pain_now"),
    "pain_now fractional": (_answers(pain_now=2.5), 422, "pain_now"),
    "side as number": (_answers(side=1), 422, "side"),
    "locations as text": (_answers(pain_locations="heel"), 422, "pain_locations"),
    "locations empty": (_answers(pain_locations=[]), 422, "pain_locations"),
    "location unknown": (_answers(pain_locations=["knee"]), 422, "pain_locations"),
    "heard_pop as text": (_answers(heard_pop="yes"), 422, "heard_pop"),
    "ottawa as list": (_answers(ottawa=[True]), 422, "ottawa"),
    "ottawa unknown finding": (_answers(ottawa={"tender_knee": True}), 422, "ottawa"),
    "weekly_distance as text": (_answers(weekly_distance="ten"), 422, "weekly_distance"),
    "date not a date": (_answers(injury_date="2026-02-30"), 422, "injury_date"),
    "date as number": (_answers(assessment_date=20261127), 422, "assessment_date"),
    "missing required": (_answers(side=...), 422, "side"),
    # out of range
    "pain_now 11": (_answers(pain_now=11), 422, "pain_now"),
    "pain_now -1": (_answers(pain_now=-1), 422, "pain_now"),
    "pain_running 12": (_answers(pain_running=12), 422, "pain_running"),
    "weekly_distance negative": (_answers(weekly_distance=-1), 422, "weekly_distance"),
    "weekly_distance huge": (_answers(weekly_distance=1e9), 422, "weekly_distance"),
    "patient_name too long": (_answers(patient_name="x" * 121), 422, "patient_name"),
    "patient_ref too long": (_answers(patient_ref="x" * 65), 422, "patient_ref"),
    "side not a choice": (_answers(side="up"), 422, "side"),
    "injury after assessment": (
        _answers(injury_date="2026-11-28", assessment_date="2026-11-27"), 422, "injury_date"),
    # unknown keys
    "unknown key": (_answers(shoe_size=42), 422, "shoe_size"),
    # not answers at all
    "JSON list": (_json_body([{"side": "left"}]), 422, "_schema"),
    "JSON string": (_json_body("hello"), 422, "_schema"),
    "JSON null": (_json_body(None), 422, "_schema"),
    "NaN": ({"data": '{"side":"left","onset":"sudden","pain_locations":["heel"],"pain_now":NaN}',
             "content_type": "application/json"}, 422, "pain_now"),
    # bodies that are not JSON
    "malformed JSON": ({"data": '{"side": "left",', "content_type": "application/json"}, 400,
                       "_body"),
    "not UTF-8": ({"data": b"\xff\xfe\xfa{", "content_type": "application/json"}, 400, "_body"),
    "deeply nested": ({"data": "[" * 50_000, "content_type": "application/json"}, 400, "_body"),
    "empty body": ({"data": b"", "content_type": "application/json"}, 400, "_body"),
    "whitespace body": ({"data": b"  \n", "content_type": "application/json"}, 400, "_body"),
    "no body no type": ({}, 400, "_body"),
    # wrong content types
    "text/plain": ({"data": json.dumps({"side": "left"}), "content_type": "text/plain"}, 415,
                   "_body"),
    "form post": ({"data": {"side": "left"}}, 415, "_body"),
    # too large
    "oversize body": (_answers(patient_name=" " * (70 * 1024)), 413, "_body"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
def test_bad_input_gets_its_4xx_with_the_field_named(client, count, case) -> None:
    kwargs, status, key = BAD_INPUT[case]
    response = client.post(URL, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    errors = response.json["errors"]
    assert key in errors and all(isinstance(m, str) and m for m in errors[key])
    assert response.headers["Cache-Control"] == "no-store"
    assert count() == 0


def test_oversize_stream_without_content_length_is_413(make_app, valid) -> None:
    host = make_app(ANKLE_INTAKE_MAX_BODY_BYTES=100)
    body = json.dumps({**valid, "patient_name": "x" * 110}).encode()
    response = host.test_client().post(
        URL, data=body, content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as a chunked-aware server sets
    )
    assert response.status_code == 413
    assert host.config["MAX_CONTENT_LENGTH"] is None


def test_size_limit_is_configurable_and_host_limit_untouched(make_app, valid) -> None:
    host = make_app(ANKLE_INTAKE_MAX_BODY_BYTES=50)
    client = host.test_client()
    assert client.post(URL, json=valid).status_code == 413
    assert host.config["MAX_CONTENT_LENGTH"] is None


def test_json_content_type_with_charset_and_suffix(client, valid) -> None:
    body = json.dumps(valid)
    assert client.post(URL, data=body, content_type="application/json; charset=utf-8"
                       ).status_code == 201
    assert client.post(URL, data=body, content_type="application/fhir+json").status_code == 201
