"""The demo host of the README: the form at /ankle/intake, a loud development-only hook."""

from __future__ import annotations

import logging

import pytest

from ankle_intake import demo
from ankle_intake.extension import state


@pytest.fixture
def demo_app(tmp_path, monkeypatch):
    monkeypatch.setenv("ANKLE_INTAKE_DEMO_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setattr(demo, "_warned", False)
    app = demo.create_app({"WTF_CSRF_ENABLED": False})
    yield app
    state(app).storage.dispose()


def test_demo_serves_the_form_and_a_result(demo_app, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="ankle_intake.demo")
    client = demo_app.test_client()
    assert client.get("/").headers["Location"].endswith("/ankle/intake")
    assert client.get("/ankle/intake").status_code == 200
    created = client.post("/ankle/intake", data={"side": "left", "onset": "sudden",
                                                 "pain_locations": ["heel"], "pain_now": "3"})
    assert created.status_code == 303
    assert client.get(created.headers["Location"]).status_code == 200
    assert demo_app.config["SECRET_KEY"]
    assert state(demo_app).storage.url.startswith("sqlite:///" + str(demo_app.instance_path))
    warnings = [r for r in caplog.records if "DEVELOPMENT-ONLY" in r.getMessage()]
    assert warnings and all(r.levelno == logging.WARNING for r in warnings)
