"""Patient data stays private: not in any log record, never cached."""

from __future__ import annotations

import logging

from flask import Flask

from ankle_intake.extension import state

NAME = "Zoë Testpatient"


def _every_logged_text(records: list[logging.LogRecord]) -> str:
    texts = []
    for record in records:
        texts.append(record.getMessage())
        texts.append(repr(record.args))
        texts.append(record.exc_text or "")
        texts.append(repr(record.__dict__))
    return "\n".join(texts)


def test_a_named_patient_never_reaches_the_logs(app: Flask, client, valid, caplog) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level
    api = client.post("/ankle/api/assessments", json={**valid, "patient_name": NAME,
                                                      "patient_ref": NAME})
    bad_api = client.post("/ankle/api/assessments", json={**valid, "patient_name": NAME,
                                                          "pain_now": 99})
    form = client.post("/ankle/intake", data={"side": "left", "onset": "sudden",
                                              "pain_locations": ["heel"], "pain_now": "2",
                                              "patient_name": NAME})
    bad_form = client.post("/ankle/intake", data={"patient_name": NAME})
    page = client.get(form.headers["Location"])
    fetched = client.get(api.headers["Location"])
    assert (api.status_code, bad_api.status_code, form.status_code, bad_form.status_code) == (
        201, 422, 303, 400)
    # the name was really handled and stored, so its absence from the logs means something
    assert NAME in page.get_data(as_text=True) and fetched.json["answers"]["patient_name"] == NAME
    assert state(app).storage.count() == 2
    logged = _every_logged_text(caplog.records)
    assert caplog.records, "nothing was captured: the test would prove nothing"
    assert NAME not in logged and "Testpatient" not in logged


def test_every_plugin_response_is_no_store(client, valid) -> None:
    created = client.post("/ankle/api/assessments", json=valid)
    for response in (
        created,
        client.get(created.headers["Location"]),
        client.get(f"/ankle/assessments/{created.json['id']}"),
        client.get("/ankle/intake"),
        client.post("/ankle/intake", data={}),
        client.get("/ankle/api/openapi.json"),
        client.get("/ankle/static/ankle_intake.css"),
        client.post("/ankle/api/assessments", data="x", content_type="text/plain"),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        response.close()  # the static file response holds an open file
