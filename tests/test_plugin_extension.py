"""AnkleIntake as a Flask extension: registration, settings, and leaving the host alone."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_wtf import CSRFProtect

from ankle_intake import AnkleIntake
from ankle_intake.config import DEFAULTS
from ankle_intake.extension import state


def test_state_lives_in_app_extensions(app: Flask) -> None:
    st = app.extensions["ankle_intake"]
    assert isinstance(st.extension, AnkleIntake)
    assert st is state(app)


def test_init_app_pattern_and_second_registration_refused(make_app) -> None:
    host = make_app(register=False)
    intake = AnkleIntake()
    intake.init_app(host)
    assert "ankle_intake.intake" in host.view_functions
    with pytest.raises(RuntimeError, match="already registered"):
        intake.init_app(host)
    with pytest.raises(RuntimeError, match="init_app"):
        AnkleIntake(host)


def test_one_extension_serves_two_apps(make_app, valid) -> None:
    intake = AnkleIntake()
    first, second = make_app(register=False), make_app(register=False)
    intake.init_app(first)
    intake.init_app(second)
    assert state(first).storage is not state(second).storage
    assert first.test_client().post("/ankle/api/assessments", json=valid).status_code == 201
    assert state(second).storage.count() == 0


def test_defaults_fill_in_without_overwriting(make_app) -> None:
    host = make_app(ANKLE_INTAKE_URL_PREFIX="/clinic/ankle", ANKLE_INTAKE_PAGE_SIZE="letter")
    for name in DEFAULTS:
        assert f"ANKLE_INTAKE_{name}" in host.config
    assert host.config["ANKLE_INTAKE_MAX_BODY_BYTES"] == 64 * 1024
    assert host.config["ANKLE_INTAKE_PAGE_SIZE"] == "letter"
    client = host.test_client()
    assert client.get("/clinic/ankle/intake").status_code == 200
    assert client.get("/ankle/intake").status_code == 404


def test_unknown_settings_are_named_in_a_warning(make_app, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="ankle_intake")
    make_app(ANKLE_INTAKE_URL_PREFX="/typo", ANKLE_INTAKE_PAGESIZE="A4")
    warnings = [r.getMessage() for r in caplog.records if "unknown settings" in r.getMessage()]
    assert len(warnings) == 1
    assert "ANKLE_INTAKE_URL_PREFX" in warnings[0] and "ANKLE_INTAKE_PAGESIZE" in warnings[0]


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        ("ANKLE_INTAKE_AUTHORIZE", "yes", TypeError),
        ("ANKLE_INTAKE_PAGE_SIZE", "A5", ValueError),
        ("ANKLE_INTAKE_MAX_BODY_BYTES", 0, ValueError),
        ("ANKLE_INTAKE_URL_PREFIX", "ankle", ValueError),
    ],
)
def test_bad_settings_fail_at_registration(make_app, key, value, error) -> None:
    host = make_app(register=False, **{key: value})
    with pytest.raises(error, match=key):
        AnkleIntake(host)
    assert "ankle_intake" not in host.extensions


def test_host_404_page_stays_html_and_limits_untouched(make_app) -> None:
    host = make_app(register=False)
    before = dict(host.error_handler_spec)
    AnkleIntake(host)
    assert host.config["MAX_CONTENT_LENGTH"] is None
    assert dict(host.error_handler_spec).get(None, {}) == before.get(None, {})
    response = host.test_client().get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Cache-Control" not in response.headers or "no-store" not in response.headers[
        "Cache-Control"
    ]


def test_host_max_content_length_is_kept(make_app) -> None:
    host = make_app(MAX_CONTENT_LENGTH=1234)
    assert host.config["MAX_CONTENT_LENGTH"] == 1234


@pytest.mark.parametrize("csrf_first", [True, False])
def test_json_api_exempt_from_host_csrfprotect(make_app, valid, csrf_first: bool) -> None:
    host = make_app(register=False, csrf=True)
    if csrf_first:
        CSRFProtect(host)
        AnkleIntake(host)
    else:
        AnkleIntake(host)
        CSRFProtect(host)

    @host.post("/host-form")
    def host_form() -> str:
        return "ok"

    client = host.test_client()
    assert client.post("/ankle/api/assessments", json=valid).status_code == 201
    assert client.post("/ankle/intake", data={}).status_code == 400  # the form stays protected
    assert client.post("/host-form", data={}).status_code == 400  # the host's CSRF still works
    assert state(host).storage.count() == 1


def test_cli_init_db_creates_the_table(make_app) -> None:
    host = make_app()
    result = host.test_cli_runner().invoke(args=["ankle-intake", "init-db"])
    assert result.exit_code == 0, result.output
    assert "table ready" in result.output
    engine = sa.create_engine(state(host).storage.url)
    try:
        assert "ankle_intake_assessments" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_base_template_and_template_overrides(make_app, valid, tmp_path) -> None:
    templates = tmp_path / "host0" / "templates"
    (templates / "ankle_intake").mkdir(parents=True)
    (templates / "intranet.html").write_text(
        "<html><body><nav>INTRANET-NAV</nav>{% block content %}{% endblock %}</body></html>"
    )
    (templates / "ankle_intake" / "result.html").write_text("HOST RESULT {{ record.id }}")
    host = make_app(ANKLE_INTAKE_BASE_TEMPLATE="intranet.html")
    client = host.test_client()
    page = client.get("/ankle/intake").get_data(as_text=True)
    assert "INTRANET-NAV" in page and "Ankle intake for a runner" in page
    record_id = client.post("/ankle/api/assessments", json=valid).json["id"]
    assert client.get(f"/ankle/assessments/{record_id}").get_data(as_text=True) == (
        f"HOST RESULT {record_id}"
    )


def test_importing_the_core_does_not_import_flask() -> None:
    code = "import sys, ankle_intake; ankle_intake.assess; print('flask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
