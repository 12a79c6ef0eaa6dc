"""Closed by default: no plugin route escapes the host's authorize hook."""

from __future__ import annotations

import logging
import uuid

import pytest
from flask import Flask


def _plugin_requests(app: Flask) -> list[tuple[str, str]]:
    """(method, url) for every plugin route in the URL map, with made-up arguments."""
    requests = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("ankle_intake."):
            continue
        values = {arg: str(uuid.uuid4()) if "id" in arg else "x.css" for arg in rule.arguments}
        with app.test_request_context():
            url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            requests.append((method, url))
    return requests


@pytest.mark.parametrize("hook", [None, lambda: False, lambda: 0, lambda: None])
def test_every_plugin_route_answers_403_when_the_hook_says_no(make_app, hook, valid) -> None:
    host = make_app(authorize=hook)
    requests = _plugin_requests(host)
    endpoints = {r.endpoint for r in host.url_map.iter_rules() if r.endpoint.startswith("ankle")}
    assert {"ankle_intake.intake", "ankle_intake.result", "ankle_intake.static",
            "ankle_intake.api.create_assessment", "ankle_intake.api.get_assessment",
            "ankle_intake.api.openapi"} <= endpoints
    assert len(requests) >= 7
    client = host.test_client()
    for method, url in requests:
        response = client.open(url, method=method, json=valid)
        assert response.status_code == 403, (method, url, response.status_code)
        assert response.headers["Cache-Control"] == "no-store"
    from ankle_intake.extension import state

    assert state(host).storage.count() == 0


def test_missing_hook_is_logged_once_at_start_up(make_app, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    host = make_app(authorize=None)
    client = host.test_client()
    client.get("/ankle/intake")
    client.get("/ankle/intake")
    lines = [r for r in caplog.records if "ANKLE_INTAKE_AUTHORIZE" in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].levelno == logging.WARNING and "403" in lines[0].getMessage()


def test_a_configured_hook_is_not_warned_about(make_app, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    make_app()
    assert not [r for r in caplog.records if "ANKLE_INTAKE_AUTHORIZE" in r.getMessage()]


def test_hook_is_asked_on_every_request(make_app) -> None:
    calls = []
    host = make_app(authorize=lambda: calls.append(1) or True)
    client = host.test_client()
    assert client.get("/ankle/intake").status_code == 200
    assert client.get("/ankle/api/openapi.json").status_code == 200
    assert len(calls) == 2


def test_403_is_json_under_the_api_and_html_elsewhere(make_app) -> None:
    client = make_app(authorize=None).test_client()
    api = client.get("/ankle/api/openapi.json")
    assert api.status_code == 403 and api.is_json and api.json["errors"]["_request"]
    page = client.get("/ankle/intake")
    assert page.status_code == 403 and page.mimetype == "text/html"
