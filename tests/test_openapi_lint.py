"""The served OpenAPI document passes Redocly's recommended and Spectral's oas rulesets.

Both linters come from ``node_modules`` (``npm ci``; pinned by package-lock.json) and
run offline: their rulesets ship inside the packages, Redocly's telemetry and update
check are off, and where the kernel allows it each run happens in a network namespace
of its own with no network at all. Without ``node_modules`` the test is skipped, except
under ``CI=1`` (``.ci/run``), where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "node_modules" / ".bin"
OFFLINE_ENV = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "SCARF_ANALYTICS": "false",
    "NO_UPDATE_NOTIFIER": "1",
    "npm_config_offline": "true",
}


def _linter(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        message = f"{path} is missing: run `npm ci` at the repository root"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _no_network() -> list[str]:
    """``unshare -rn``: a user and network namespace with no interface but loopback."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return []


@pytest.fixture
def document(client, tmp_path: Path) -> Path:
    response = client.get("/ankle/api/openapi.json")
    assert response.status_code == 200
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(response.json, indent=1), encoding="utf-8")
    return path


def _run(command: list[str | Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_no_network(), *map(str, command)], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, **OFFLINE_ENV}, timeout=120, check=False,
    )


def test_redocly_recommended_finds_no_error(document: Path) -> None:
    result = _run([_linter("redocly"), "lint", "--config", ROOT / ".redocly.yaml",
                   "--format", "stylish", document])
    assert result.returncode == 0, result.stdout + result.stderr


def test_spectral_oas_finds_no_error(document: Path) -> None:
    result = _run([_linter("spectral"), "lint", "--ruleset", ROOT / ".spectral.yaml",
                   "--fail-severity", "error", "--format", "text", document])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linters_see_a_broken_document(tmp_path: Path) -> None:
    """Both really lint: a document with the mistakes the first report found fails both."""
    broken = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": {
            "description": "ok",
            "content": {"application/json": {"schema": {"nullable": True}}},
        }}}}},
    }
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    redocly = _run([_linter("redocly"), "lint", "--config", ROOT / ".redocly.yaml", path])
    assert redocly.returncode != 0 and "security-defined" in redocly.stdout + redocly.stderr
    spectral = _run([_linter("spectral"), "lint", "--ruleset", ROOT / ".spectral.yaml",
                     "--fail-severity", "warn", path])
    assert spectral.returncode != 0 and "oas3-api-servers" in spectral.stdout
