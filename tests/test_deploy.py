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


#: The newest version each package had an advisory against; pyproject.toml's floors cite them.
VULNERABLE = {
    "flask": "3.1.2",  # GHSA-68rp-wp8r-4726
    "gunicorn": "22.0.0",  # CVE-2024-6827
    "jinja2": "3.1.5",  # CVE-2025-27516
    "marshmallow": "4.1.1",  # CVE-2025-68480
    "werkzeug": "3.1.5",  # CVE-2026-27199
}


def _requirements() -> dict[str, list[Any]]:
    """pyproject.toml's requirements: ``dependencies`` and each extra, parsed."""
    tomllib = pytest.importorskip("tomllib")
    from packaging.requirements import Requirement

    project = tomllib.loads((DEPLOY.parent / "pyproject.toml").read_text())["project"]
    groups = {"dependencies": project["dependencies"], **project["optional-dependencies"]}
    return {group: [Requirement(line) for line in lines] for group, lines in groups.items()}


def _pins() -> dict[str, str]:
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    for line in (DEPLOY / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version.strip() and not version.startswith("="), line  # exact pins only
        name = canonicalize_name(name)
        assert name not in pins, f"{name} is pinned twice"
        pins[name] = version.strip()
    return pins


def test_dependency_floors_are_past_known_advisories() -> None:
    groups = _requirements()
    named = {req.name.lower(): req for req in groups["dependencies"]}
    for package in ("flask", "jinja2", "werkzeug", "marshmallow"):
        assert package in named, f"{package} needs a floor of its own"
    for group in ("deploy", "test"):
        assert "gunicorn" in {req.name.lower() for req in groups[group]}, group
    for group, requirements in groups.items():
        for req in requirements:
            bad = VULNERABLE.get(req.name.lower())
            assert bad is None or not req.specifier.contains(bad), (group, str(req))


def test_the_deploy_constraints_pin_what_the_deploy_extra_installs_within_the_floors() -> None:
    """deploy/constraints.txt: one exact pin per package, every pin inside pyproject's ranges."""
    from packaging.utils import canonicalize_name
    from packaging.version import Version

    pins = _pins()
    groups = _requirements()
    assert "ankle-intake" not in pins  # the project itself is installed from the checkout
    for req in groups["dependencies"] + groups["deploy"]:
        assert canonicalize_name(req.name) in pins, f"{req.name} is not pinned"
    for group, requirements in groups.items():
        for req in requirements:
            version = pins.get(canonicalize_name(req.name))
            if version is not None:
                assert req.specifier.contains(version, prereleases=True), (group, str(req), version)
    for package, bad in VULNERABLE.items():
        if package in pins:
            assert Version(pins[package]) > Version(bad), (package, pins[package])


def test_the_dockerfile_installs_with_the_constraints() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines()
                if line.startswith("RUN ") and "pip install" in line]
    assert installs and all("-c deploy/constraints.txt" in line for line in installs), installs
    root = DEPLOY.parent
    patterns = [line.strip() for line in (root / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert not _docker_ignored(patterns, "deploy/constraints.txt")  # in the build context


# The login header is trusted from whoever reaches gunicorn: by default only nginx can
# (issue 13, item 7). The files are parsed, as systemd, nginx and gunicorn read them.

SOCKET_PATH = "/run/ankle-intake/gunicorn.sock"


def _unit(name: str) -> Any:
    import configparser

    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / name).read_text())
    return parser


def _nginx(text: str) -> list[Any]:
    """nginx's configuration as nested ``(name, args, children)``; children is None for a leaf."""
    tokens = re.findall(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};]+', re.sub(r"#[^\n]*", "", text))
    stack: list[list[Any]] = [[]]
    words: list[str] = []
    for token in tokens:
        if token == ";":
            stack[-1].append((words[0], words[1:], None))
            words = []
        elif token == "{":
            block: list[Any] = []
            stack[-1].append((words[0], words[1:], block))
            stack.append(block)
            words = []
        elif token == "}":
            stack.pop()
        else:
            words.append(token)
    assert len(stack) == 1 and not words, "unbalanced nginx configuration"
    return stack[0]


def _gunicorn_settings(**env: str) -> dict[str, Any]:
    import runpy

    saved = {key: os.environ.pop(key, None) for key in ("ANKLE_BIND",)}
    try:
        os.environ.update(env)
        return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    finally:
        for key in env:
            os.environ.pop(key, None)
        os.environ.update({k: v for k, v in saved.items() if v is not None})


def test_gunicorn_listens_on_a_socket_only_its_group_can_open_by_default() -> None:
    settings = _gunicorn_settings()
    assert settings["bind"] == [f"unix:{SOCKET_PATH}"]
    assert 0o777 & ~settings["umask"] == 0o660  # the socket gunicorn makes: no "other" access
    assert _gunicorn_settings(ANKLE_BIND="127.0.0.1:18000")["bind"] == ["127.0.0.1:18000"]


def test_systemd_makes_the_socket_for_nginx_and_gunicorn_inherits_it() -> None:
    socket_unit = _unit("ankle-intake.socket")["Socket"]
    assert socket_unit["ListenStream"] == SOCKET_PATH
    assert socket_unit["SocketMode"] == "0660" and socket_unit["SocketGroup"] == "www-data"
    service = _unit("ankle-intake.service")
    assert "ankle-intake.socket" in service["Unit"]["Requires"].split()
    assert "ankle-intake.socket" in service["Unit"]["After"].split()
    assert "ankle-intake.socket" in service["Install"]["Also"].split()
    assert "AF_UNIX" in service["Service"]["RestrictAddressFamilies"].split()


def test_nginx_proxies_to_the_socket_and_hides_its_version() -> None:
    site = _nginx((DEPLOY / "nginx-ankle-intake.conf").read_text())
    top = {name: args for name, args, children in site if children is None}
    assert top["server_tokens"] == ["off"]  # http level: every server block, error pages too
    upstreams = {args[0]: children for name, args, children in site if name == "upstream"}
    assert [(n, a) for n, a, _ in upstreams["ankle_intake"]] == [
        ("server", [f"unix:{SOCKET_PATH}"])]
    stack, passes = list(site), []
    while stack:
        name, args, children = stack.pop()
        assert name != "server_tokens" or args == ["off"]  # no server block turns it back on
        passes += [args[0]] if name == "proxy_pass" else []
        stack.extend(children or [])
    assert passes.count("http://ankle_intake") == 2, passes  # the app and /healthz
    assert "127.0.0.1:8000" not in (DEPLOY / "nginx-ankle-intake.conf").read_text()


def _unix_request(path: str, url: str, **headers: str) -> int:
    import http.client

    class Connection(http.client.HTTPConnection):
        def connect(self) -> None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(5)
            self.sock.connect(path)

    conn = Connection("localhost")
    try:
        conn.request("GET", url, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture(scope="module")
def gunicorn_on_a_socket(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """gunicorn with the shipped config, bound (by itself, no systemd) to a socket in tmp."""
    tmp_path = tmp_path_factory.mktemp("unix")
    sock = tmp_path / "gunicorn.sock"
    env = {**os.environ, **_env(tmp_path), "ANKLE_BIND": f"unix:{sock}", "ANKLE_WORKERS": "1",
           "ANKLE_SSO_ALLOWED_USERS": "tester", "ANKLE_COOKIE_SECURE": "0"}
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")],
            env=env, stdout=log_file, stderr=subprocess.STDOUT, cwd=tmp_path,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, log_path.read_text()
                try:
                    if _unix_request(str(sock), "/healthz") == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "gunicorn did not start in 30 s"
                time.sleep(0.2)
            yield sock
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)


def test_the_socket_gunicorn_makes_is_closed_to_other_users(gunicorn_on_a_socket) -> None:
    import stat

    mode = gunicorn_on_a_socket.stat().st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o660
    assert _unix_request(str(gunicorn_on_a_socket), "/ankle/intake") == 403  # no header


def test_the_sso_header_counts_over_the_socket(gunicorn_on_a_socket) -> None:
    headers = {"X-Remote-User": "tester"}
    assert _unix_request(str(gunicorn_on_a_socket), "/ankle/intake", **headers) == 200


def test_the_signing_clinician_comes_from_the_trusted_proxy(wsgi, tmp_path) -> None:
    """Without this the shipped server could never sign: CURRENT_USER was unset."""
    app = wsgi.create_app(_env(tmp_path, ANKLE_SSO_ALLOWED_USERS="physio1"))
    hook = app.config["ANKLE_INTAKE_CURRENT_USER"]
    headers = {"X-Remote-User": "physio1", "X-Remote-Name": "Sam Physio"}
    with app.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        assert hook() == {"id": "physio1", "name": "Sam Physio"}
    with app.test_request_context(headers={"X-Remote-User": "physio1"},
                                  environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        assert hook() == {"id": "physio1", "name": "physio1"}
    # The same trust as the login: from elsewhere, or a user not allowed, is nobody.
    with app.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.9"}):
        assert hook() is None
    with app.test_request_context(headers={"X-Remote-User": "intruder"},
                                  environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        assert hook() is None
    with pytest.raises(RuntimeError, match="CURRENT_USER"):
        wsgi.create_app(_env(tmp_path, ANKLE_INTAKE_CURRENT_USER="lambda: 1"))
