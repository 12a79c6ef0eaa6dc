"""deploy/: the clinic's WSGI entry (in process) and gunicorn with the shipped config (for real)."""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
SECRET = secrets.token_hex(32)
PATIENT = "Ingrid Zwölfer-Quist"


def _load_wsgi() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ankle_deploy_wsgi", DEPLOY / "wsgi.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wsgi() -> ModuleType:
    return _load_wsgi()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"SECRET_KEY": SECRET, "ANKLE_INSTANCE_PATH": str(tmp_path / "instance"), **extra}


def _get(app: Any, path: str = "/ankle/intake", addr: str = "127.0.0.1", **headers: str) -> int:
    client = app.test_client()
    return client.get(path, headers=headers, environ_base={"REMOTE_ADDR": addr}).status_code


def test_secret_key_is_required(wsgi, tmp_path) -> None:
    for secret in ("", "short"):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            wsgi.create_app({**_env(tmp_path), "SECRET_KEY": secret})


def test_the_sso_header_counts_only_from_the_proxy(wsgi, tmp_path) -> None:
    app = wsgi.create_app(_env(tmp_path, ANKLE_SSO_ALLOWED_USERS="physio1, physio2"))
    assert _get(app, **{"X-Remote-User": "physio2"}) == 200
    assert _get(app, addr="10.1.2.3", **{"X-Remote-User": "physio2"}) == 403  # bypassed proxy
    assert _get(app, **{"X-Remote-User": "reception"}) == 403
    assert _get(app, **{"X-Remote-User": " "}) == 403
    assert _get(app) == 403
    assert _get(app, path="/healthz") == 200  # the health check carries no patient data


def test_groups_and_any_user(wsgi, tmp_path) -> None:
    app = wsgi.create_app(_env(tmp_path, ANKLE_SSO_ALLOWED_GROUPS="physio"))
    ok = {"X-Remote-User": "a", "X-Remote-Groups": "staff, physio"}
    assert _get(app, **ok) == 200
    assert _get(app, **{"X-Remote-User": "a", "X-Remote-Groups": "staff"}) == 403
    anyone = wsgi.create_app(_env(tmp_path, ANKLE_SSO_ALLOW_ANY_USER="1"))
    assert _get(anyone, **{"X-Remote-User": "a"}) == 200
    proxied = wsgi.create_app(
        _env(tmp_path, ANKLE_SSO_ALLOW_ANY_USER="1", ANKLE_SSO_TRUSTED_PROXIES="10.0.0.2",
             ANKLE_SSO_USER_HEADER="X-Auth-User")
    )
    assert _get(proxied, addr="10.0.0.2", **{"X-Auth-User": "a"}) == 200
    assert _get(proxied, addr="127.0.0.1", **{"X-Auth-User": "a"}) == 403
    assert _get(proxied, addr="10.0.0.2", **{"X-Remote-User": "a"}) == 403


def test_nobody_is_let_in_without_a_rule(wsgi, tmp_path, caplog) -> None:
    caplog.set_level(logging.WARNING)
    app = wsgi.create_app(_env(tmp_path))
    assert _get(app, **{"X-Remote-User": "physio1"}) == 403
    assert any("every clinician is refused" in r.getMessage() for r in caplog.records)


def test_plugin_settings_come_from_the_environment(wsgi, tmp_path, caplog) -> None:
    caplog.set_level(logging.WARNING)
    db = tmp_path / "other.sqlite3"
    app = wsgi.create_app(_env(
        tmp_path,
        ANKLE_INTAKE_DATABASE_URL=f"sqlite:///{db}",
        ANKLE_INTAKE_MAX_BODY_BYTES="1000",
        ANKLE_INTAKE_FRAME_ANCESTORS="'self' https://portal.example",
        ANKLE_INTAKE_URL_PREFX="/typo",
    ))
    assert app.config["ANKLE_INTAKE_MAX_BODY_BYTES"] == 1000
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert any("ANKLE_INTAKE_URL_PREFX" in r.getMessage() for r in caplog.records)
    with pytest.raises(RuntimeError, match="ANKLE_INTAKE_AUTHORIZE"):
        wsgi.create_app(_env(tmp_path, ANKLE_INTAKE_AUTHORIZE="lambda: True"))
    headers = {"X-Remote-User": "u"}
    app = wsgi.create_app(_env(tmp_path, ANKLE_SSO_ALLOW_ANY_USER="yes",
                               ANKLE_INTAKE_DATABASE_URL=f"sqlite:///{db}"))
    created = app.test_client().post("/ankle/api/assessments", headers=headers, json={
        "side": "left", "onset": "gradual", "pain_locations": ["heel"], "pain_now": 1})
    assert created.status_code == 201
    assert db.exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, data: bytes | None = None, **headers: str) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_the_form_with_the_shipped_config(tmp_path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        **_env(tmp_path),
        "ANKLE_BIND": f"127.0.0.1:{port}",
        "ANKLE_WORKERS": "1",
        "ANKLE_SSO_ALLOWED_USERS": "tester",
        "ANKLE_COOKIE_SECURE": "0",
    }
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")],
            env=env, stdout=log_file, stderr=subprocess.STDOUT, cwd=tmp_path,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, log_path.read_text()
                try:
                    if _request(base + "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "gunicorn did not start in 30 s"
                time.sleep(0.2)
            status, headers, body = _request(base + "/ankle/intake", **{"X-Remote-User": "tester"})
            assert status == 200 and b"<form" in body
            assert headers["Content-Security-Policy"].startswith("default-src 'none'")
            assert _request(base + "/ankle/intake")[0] == 403
            answers = (b'{"side": "left", "onset": "gradual", "pain_locations": ["heel"], '
                       b'"pain_now": 1, "patient_name": "' + PATIENT.encode() + b'"}')
            status, headers, _ = _request(base + "/ankle/api/assessments?trace=1", data=answers,
                                          **{"X-Remote-User": "tester",
                                             "Content-Type": "application/json"})
            assert status == 201
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)
    log = log_path.read_text(encoding="utf-8")
    assert "database ready" in log  # made once by the master, before the workers
    assert '"GET /ankle/intake" 200' in log and '"POST /ankle/api/assessments" 201' in log
    assert PATIENT not in log and "trace=1" not in log and "tester" not in log
    assert server.returncode == 0, log


def test_every_name_in_the_gunicorn_config_is_a_gunicorn_setting() -> None:
    """gunicorn ignores unknown names in a config file; a typo would pass silently."""
    import runpy

    from gunicorn.config import Config

    known = set(Config().settings)
    names = {
        name for name, value in runpy.run_path(str(DEPLOY / "gunicorn.conf.py")).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
        and name not in {"annotations"}
    }
    assert names and names <= known, names - known
    assert {"bind", "workers", "timeout", "accesslog", "access_log_format", "on_starting"} <= names


def test_compose_and_dockerfile_agree_with_the_rest() -> None:
    """CI has no Docker engine, so at least the files must fit together."""
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert app["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert app["depends_on"]["db"]["condition"] == "service_healthy" and db["healthcheck"]
    assert app["environment"]["ANKLE_INTAKE_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert all(port.startswith("127.0.0.1:") for port in app["ports"])  # never on the LAN
    gateway = compose["networks"]["internal"]["ipam"]["config"][0]["gateway"]
    assert app["environment"]["ANKLE_SSO_TRUSTED_PROXIES"] == gateway
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "USER ankle-intake" in dockerfile and "'.[deploy]'" in dockerfile
    assert '"/opt/ankle-intake/src/deploy/gunicorn.conf.py"' in dockerfile
    example = (DEPLOY / "ankle-intake.env.example").read_text()
    wsgi_doc = (DEPLOY / "wsgi.py").read_text()
    for line in example.splitlines():
        name = line.lstrip("# ").split("=", 1)[0]
        if name.startswith("ANKLE_SSO_") or name in ("SECRET_KEY", "ANKLE_INSTANCE_PATH"):
            assert name in wsgi_doc, name


def _docker_ignored(patterns: list[str], path: str) -> bool:
    """Docker's rule: a path is left out when it or a folder above it matches, last match wins."""
    def regex(pattern: str) -> re.Pattern[str]:
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            else:
                out += {"*": "[^/]*", "?": "[^/]"}.get(pattern[i], re.escape(pattern[i]))
                i += 1
        return re.compile(out + r"\Z")

    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        matcher = regex(pattern.lstrip("!").strip("/"))
        if any(matcher.match(c) for c in candidates):
            ignored = not negate
    return ignored


def test_the_image_never_holds_the_clinics_secrets_or_records() -> None:
    """The classic builder reads only the root's .dockerignore; what it lets through is baked in."""
    root = DEPLOY.parent
    # BuildKit would prefer a Dockerfile.dockerignore; the classic builder never reads one.
    assert not (DEPLOY / "Dockerfile.dockerignore").exists()
    patterns = [
        line.strip() for line in (root / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    for secret in ("deploy/.env", "deploy/ankle-intake.env", ".env", ".git/config",
                   "instance/ankle_intake.sqlite3", "ankle-2026-11-29.dump", "deploy/ankle.db"):
        assert _docker_ignored(patterns, secret), secret
    for needed in ("pyproject.toml", "plugin/__init__.py", "deploy/gunicorn.conf.py",
                   "deploy/wsgi.py", "deploy/ankle-intake.env.example", "README.md"):
        assert not _docker_ignored(patterns, needed), needed
