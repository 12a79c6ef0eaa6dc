"""Idempotency-Key on both create endpoints: a retry stores one intake, never two."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from flask import Flask

from ankle_intake import load_answers
from ankle_intake.fhir import FHIR_JSON, response_from_answers
from ankle_intake.signals import assessment_created

API = "/ankle/api/assessments"
FHIR = "/ankle/api/fhir/QuestionnaireResponse"


@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    return any_database_url


def post(client, body: object, key: str | None, url: str = API,
         content_type: str = "application/json"):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(url, data=json.dumps(body), content_type=content_type, headers=headers)


def test_a_retry_answers_with_the_stored_record_and_stores_nothing(
    app: Flask, client, valid, count
) -> None:
    key, sent = str(uuid.uuid4()), []
    with assessment_created.connected_to(lambda sender, **kw: sent.append(kw), app):
        first = post(client, valid, key)
        again = post(client, valid, key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Cache-Control"] == "no-store"
    assert count() == 1 and len(sent) == 1  # stored once, announced once


def test_the_same_body_with_other_spacing_or_key_order_is_the_same_request(
    client, valid, count
) -> None:
    key = "retry-" + uuid.uuid4().hex
    first = client.post(API, data=json.dumps(valid), content_type="application/json",
                        headers={"Idempotency-Key": key})
    reordered = json.dumps(dict(reversed(list(valid.items()))), indent=2)
    again = client.post(API, data=reordered, content_type="application/json",
                        headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    assert count() == 1


def test_reusing_a_key_for_other_answers_is_refused_by_name(client, valid, count) -> None:
    key = str(uuid.uuid4())
    assert post(client, valid, key).status_code == 201
    response = post(client, {**valid, "pain_now": 9}, key)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["Idempotency-Key"]
    assert "different request" in response.get_json()["errors"]["Idempotency-Key"][0]
    assert count() == 1


def test_without_a_key_every_post_stores_a_new_intake(client, valid, count) -> None:
    ids = {post(client, valid, None).get_json()["id"] for _ in range(2)}
    assert len(ids) == 2 and count() == 2


def test_different_keys_store_different_intakes(client, valid, count) -> None:
    assert post(client, valid, "a").get_json()["id"] != post(client, valid, "b").get_json()["id"]
    assert count() == 2


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "zoë", "tab\there"])
def test_a_malformed_key_is_a_400_naming_the_header(client, valid, count, key) -> None:
    response = post(client, valid, key)
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["Idempotency-Key"]
    assert count() == 0


def test_two_key_headers_are_refused(client, valid, count) -> None:
    response = client.post(API, data=json.dumps(valid), content_type="application/json",
                           headers=[("Idempotency-Key", "a"), ("Idempotency-Key", "b")])
    assert response.status_code == 400 and count() == 0


def test_refused_answers_do_not_use_up_the_key(client, valid, count) -> None:
    key = str(uuid.uuid4())
    bad = post(client, {**valid, "pain_now": 11}, key)
    assert bad.status_code == 422 and "pain_now" in bad.get_json()["errors"]
    assert post(client, valid, key).status_code == 201
    assert count() == 1


def test_the_fhir_endpoint_takes_keys_too_and_never_shares_them_with_the_api(
    client, valid, count
) -> None:
    qr = response_from_answers(load_answers({**valid, "assessment_date": "2026-03-02"}))
    key = str(uuid.uuid4())
    first = post(client, qr, key, FHIR, FHIR_JSON)
    again = post(client, qr, key, FHIR, FHIR_JSON)
    assert first.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert post(client, valid, key).status_code == 422  # the same key on the other endpoint
    assert count() == 1


def test_racing_retries_store_one_record(app: Flask, valid, count) -> None:
    """Both pass the first look-up; the key's primary key lets one commit, the other replays."""
    from ankle_intake import api as api_module

    key, barrier = str(uuid.uuid4()), threading.Barrier(2, timeout=10)
    real = api_module._replay
    calls = {"n": 0}

    def first_lookup_finds_nothing(claim):
        calls["n"] += 1
        if calls["n"] <= 2:  # each thread's look-up before it writes
            barrier.wait()
            return None
        return real(claim)

    results: list[tuple[int, str]] = []

    def send() -> None:
        with app.test_client() as c:
            r = post(c, valid, key)
            results.append((r.status_code, r.get_json()["id"]))

    api_module._replay = first_lookup_finds_nothing
    try:
        threads = [threading.Thread(target=send) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        api_module._replay = real
    assert [s for s, _ in results] == [201, 201]
    assert len({i for _, i in results}) == 1
    assert count() == 1


def test_the_key_is_documented_on_both_create_operations(client) -> None:
    paths = client.get("/ankle/api/openapi.json").get_json()["paths"]
    for path in (API, FHIR):
        post_op = paths[path]["post"]
        assert [p["name"] for p in post_op["parameters"]] == ["Idempotency-Key"]
        assert "Idempotent-Replayed" in post_op["responses"]["201"]["headers"]
