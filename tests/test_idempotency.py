"""Idempotency-Key on both create endpoints: a retry stores one intake, never two."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable

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


def _race(send: Callable[[], tuple[int, str]]) -> list[tuple[int, str]]:
    """Run ``send`` in two threads that both pass the look-up before either writes."""
    from ankle_intake.store import intake as intake_module

    barrier = threading.Barrier(2, timeout=10)
    real = intake_module._earlier
    calls = {"n": 0}

    def first_lookup_finds_nothing(claim):
        calls["n"] += 1
        if calls["n"] <= 2:  # each thread's look-up before it writes
            barrier.wait()
            return None
        return real(claim)

    results: list[tuple[int, str]] = []
    intake_module._earlier = first_lookup_finds_nothing
    try:
        threads = [threading.Thread(target=lambda: results.append(send())) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        intake_module._earlier = real
    assert calls["n"] == 3  # two look-ups before writing, one after the loser's KeyTaken
    return results


def test_racing_retries_store_one_record(app: Flask, valid, count) -> None:
    """Both pass the first look-up; the key's primary key lets one commit, the other replays."""
    key = str(uuid.uuid4())

    def send() -> tuple[int, str]:
        with app.test_client() as c:
            r = post(c, valid, key)
            return r.status_code, r.get_json()["id"]

    results = _race(send)
    assert [s for s, _ in results] == [201, 201]
    assert len({i for _, i in results}) == 1
    assert count() == 1


def test_the_key_is_documented_on_both_create_operations(client) -> None:
    paths = client.get("/ankle/api/openapi.json").get_json()["paths"]
    for path in (API, FHIR):
        post_op = paths[path]["post"]
        assert [p["name"] for p in post_op["parameters"]] == ["Idempotency-Key"]
        assert "Idempotent-Replayed" in post_op["responses"]["201"]["headers"]


# ---------------------------------------------------------------- the HTML form
FORM = "/ankle/intake"


def _token(html: str) -> str:
    match = re.search(r'<input[^>]*name="submission_key"[^>]*>', html)
    assert match, "the form has no submission_key field"
    assert 'type="hidden"' in match.group(0)
    return re.search(r'value="([^"]*)"', match.group(0)).group(1)


def _page(client) -> dict[str, object]:
    """The good answers as a freshly drawn page posts them, with its token."""
    from test_plugin_form import GOOD_FORM

    return {**GOOD_FORM, "submission_key": _token(client.get(FORM).get_data(as_text=True))}


def test_each_drawing_of_the_form_carries_a_fresh_token(client) -> None:
    first, second = (_token(client.get(FORM).get_data(as_text=True)) for _ in range(2))
    assert str(uuid.UUID(first)) == first and first != second


def test_posting_the_same_page_twice_stores_one_intake(app: Flask, client, count) -> None:
    """A double click, or Reload after a dropped connection: the second post finds the first."""
    page, sent = _page(client), []
    with assessment_created.connected_to(lambda sender, **kw: sent.append(kw), app):
        first = client.post(FORM, data=page)
        again = client.post(FORM, data=page)
    assert (first.status_code, again.status_code) == (303, 303)
    assert again.headers["Location"] == first.headers["Location"]
    assert count() == 1 and len(sent) == 1
    assert client.get(again.headers["Location"]).status_code == 200


def test_a_changed_answer_on_the_same_page_is_a_new_intake_stored_once(client, count) -> None:
    """Back, change an answer, submit (twice): a second intake, not a third."""
    page = _page(client)
    first = client.post(FORM, data=page).headers["Location"]
    changed = [client.post(FORM, data={**page, "pain_now": "7"}).headers["Location"]
               for _ in range(2)]
    assert changed[0] == changed[1] != first
    assert count() == 2
    record_id = changed[0].rsplit("/", 1)[1]
    assert client.get(f"{API}/{record_id}").get_json()["answers"]["pain_now"] == 7


@pytest.mark.parametrize("token", [None, "", "not-a-uuid", "x" * 5000, "zoë"])
def test_a_page_without_a_usable_token_is_still_stored(client, count, token) -> None:
    """A page drawn by an older version, or a mangled token, never costs the intake."""
    page = _page(client)
    if token is None:
        del page["submission_key"]
    else:
        page["submission_key"] = token
    responses = [client.post(FORM, data=page) for _ in range(2)]
    assert [r.status_code for r in responses] == [303, 303]
    assert count() == 2  # without a token there is nothing to tell a re-post by


def test_a_refused_page_keeps_its_token_and_the_corrected_page_is_stored_once(
    client, count
) -> None:
    page = _page(client)
    refused = client.post(FORM, data={**page, "pain_now": ""})
    assert refused.status_code == 400
    assert _token(refused.get_data(as_text=True)) == page["submission_key"]
    locations = {client.post(FORM, data=page).headers["Location"] for _ in range(2)}
    assert len(locations) == 1 and count() == 1


def test_the_token_is_never_stored_as_an_answer(client) -> None:
    location = client.post(FORM, data=_page(client)).headers["Location"]
    record = client.get(f"{API}/{location.rsplit('/', 1)[1]}").get_json()
    assert "submission_key" not in record["answers"]


def test_a_form_token_and_an_api_key_of_the_same_text_never_meet(client, valid, count) -> None:
    page = _page(client)
    client.post(FORM, data=page)
    response = post(client, valid, page["submission_key"])
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert count() == 2


def test_two_posts_of_one_page_racing_store_one_intake(app: Flask, client, count) -> None:
    page = _page(client)

    def send() -> tuple[int, str]:
        with app.test_client() as c:
            r = c.post(FORM, data=page)
            return r.status_code, r.headers["Location"]

    results = _race(send)
    assert [s for s, _ in results] == [303, 303]
    assert len({loc for _, loc in results}) == 1
    assert count() == 1
