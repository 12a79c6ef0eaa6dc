"""The server side of ``benchmarks/load.py``: gunicorn with the shipped config, and wrk.

Split from ``load.py`` to keep each file short. gunicorn loads :func:`bench_app`
from here (``load_server:bench_app()``); ``load.py`` drives the run.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEPLOY = HERE.parent / "deploy"
HOST = "127.0.0.1"
USER = {"X-Remote-User": "load-bench"}
JSON_HEADERS = {**USER, "Content-Type": "application/json"}


# --------------------------------------------------------------------------- app
def bench_app() -> Any:
    """gunicorn's app for this run: the clinic's app plus ``POST /bare``.

    ``/bare`` parses the same JSON body and answers a small JSON document,
    outside the plugin: the floor that Flask and gunicorn set on this machine.
    """
    from flask import jsonify, request

    spec = importlib.util.spec_from_file_location("ankle_deploy_wsgi", DEPLOY / "wsgi.py")
    assert spec and spec.loader
    wsgi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(wsgi)
    app = wsgi.create_app()

    @app.post("/bare")
    def bare() -> Any:
        body = request.get_json()
        return jsonify(ok=True, keys=len(body)), 201

    return app


# ------------------------------------------------------------------------ server
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn with the shipped config, in its own process group."""

    def __init__(self, workdir: Path, database_url: str | None, workers: int = 2,
                 threads: int = 1, app: str = "load_server:bench_app()") -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.want = workers
        self.app = app
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "SECRET_KEY": secrets.token_hex(32),
            "ANKLE_INSTANCE_PATH": str(workdir / "instance"),
            "ANKLE_BIND": f"{HOST}:{self.port}",
            "ANKLE_WORKERS": str(workers),
            "ANKLE_THREADS": str(threads),
            "ANKLE_SSO_ALLOW_ANY_USER": "1",
            "ANKLE_ACCESS_LOG": str(workdir / "access.log"),
            "ANKLE_COOKIE_SECURE": "0",
        }
        if database_url:
            self.env["ANKLE_INTAKE_DATABASE_URL"] = database_url
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        log = open(self.workdir / "gunicorn.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"),
             "--chdir", str(HERE), self.app],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.log_tail())
            with contextlib.suppress(OSError):
                up = request("GET", self.port, "/healthz")[0] == 200
                if up and len(self.workers()) >= self.want:
                    return self
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s:\n" + self.log_tail())

    def log_tail(self) -> str:
        path = self.workdir / "gunicorn.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def workers(self) -> list[int]:
        assert self.proc is not None
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


@contextlib.contextmanager
def running(workdir: Path, database_url: str | None, workers: int = 2,
            threads: int = 1, app: str = "load_server:bench_app()") -> Iterator[Server]:
    server = Server(workdir, database_url, workers, threads, app)
    try:
        yield server.start()
    finally:
        server.stop()


def exchange(method: str, port: int, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None,
             timeout: float = 10) -> tuple[int, bytes, http.client.HTTPMessage]:
    """One request on its own connection: status, body and response headers."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), response.headers
    finally:
        conn.close()


def request(method: str, port: int, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, bytes]:
    status, data, _headers = exchange(method, port, path, body, headers, timeout)
    return status, data


# --------------------------------------------------------------------------- wrk
WRK_SCRIPT = """
local bodies = {%(bodies)s}
local headers = {%(headers)s}
local counter = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function request()
  counter = counter + 1
  return wrk.format("POST", "%(path)s", headers, bodies[(counter %% #bodies) + 1])
end
function response(status, hdrs, body)
  if status ~= %(expect)d then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"bad_status":%%d,"connect":%%d,"read":%%d,' ..
    '"write":%%d,"status":%%d,"timeout":%%d,"p50_us":%%d,"p99_us":%%d,"max_us":%%d}\\n',
    summary.requests, summary.duration, bad_total, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def wrk(port: int, path: str, bodies: list[bytes], seconds: int, connections: int,
        workdir: Path, expect: int) -> dict[str, Any]:
    """One wrk run; its counts, rate and latency, errors of every kind summed."""
    script = workdir / f"wrk-{path.strip('/').replace('/', '-')}.lua"
    script.write_text(WRK_SCRIPT % {
        "bodies": ", ".join(_lua_string(b.decode()) for b in bodies),
        "headers": ", ".join(f'["{k}"] = "{v}"' for k, v in JSON_HEADERS.items()),
        "path": path,
        "expect": expect,
    }, encoding="utf-8")
    done = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(script), f"http://{HOST}:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    result = json.loads(line[len("WRKJSON "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("bad_status", "connect", "read", "write",
                                               "timeout"))
    return result
