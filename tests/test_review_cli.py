"""``flask ankle-intake migrate | init-db | sign | audit | delete``, on both stores."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from flask import Flask

from ankle_intake.extension import state
from ankle_intake.store import migrate

URL = "/ankle/api/assessments"
NAME = "Zoë Cli-Test"


@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    return any_database_url


def _cli(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["ankle-intake", *args])


@pytest.fixture
def record_id(client, valid) -> str:
    response = client.post(URL, json={**valid, "patient_name": NAME})
    assert response.status_code == 201
    return response.get_json()["id"]


def test_migrate_prints_the_revision_reached_and_is_safe_to_repeat(app: Flask) -> None:
    for _ in range(2):
        result = _cli(app, "migrate")
        assert result.exit_code == 0, result.output
        assert f"revision {migrate.head()}" in result.output
        assert "password" not in result.output.lower()
    assert migrate.current(state(app).storage.engine) == migrate.head()


def test_init_db_is_migrate_under_its_old_name(app: Flask) -> None:
    result = _cli(app, "init-db")
    assert result.exit_code == 0, result.output
    assert "now called migrate" in result.output and migrate.head() in result.output


def test_sign_signs_as_the_clinician_named(app: Flask, client, record_id: str) -> None:
    result = _cli(app, "sign", record_id, "--user-id", "u-17", "--user-name", "Ana  Silva")
    assert result.exit_code == 0, result.output
    assert f"signed {record_id} as version 1 by u-17" in result.output
    record = client.get(f"{URL}/{record_id}").get_json()
    assert record["status"] == "signed" and record["signed_by"] == {"id": "u-17",
                                                                   "name": "Ana Silva"}
    assert app.config["ANKLE_INTAKE_CURRENT_USER"] is None  # the host's hook is back
    again = _cli(app, "sign", record_id, "--user-id", "u-17", "--user-name", "Ana Silva")
    assert again.exit_code == 1 and "already signed" in again.output


@pytest.mark.parametrize("args", [
    [str(uuid.uuid4()), "--user-id", "u-1", "--user-name", "A"],
    ["not-an-id", "--user-id", "u-1", "--user-name", "A"],
])
def test_sign_refuses_an_unknown_id(app: Flask, args) -> None:
    result = _cli(app, "sign", *args)
    assert result.exit_code == 1 and "no intake has this id" in result.output


def test_sign_needs_a_user(app: Flask, record_id: str) -> None:
    missing = _cli(app, "sign", record_id, "--user-name", "Ana")
    assert missing.exit_code == 2 and "--user-id" in missing.output
    blank = _cli(app, "sign", record_id, "--user-id", "  ", "--user-name", "Ana")
    assert blank.exit_code == 1 and "--user-id" in blank.output
    assert state(app).storage.get(record_id)["status"] == "draft"


def test_audit_prints_ids_and_actions_and_outlives_the_erase(app: Flask, client,
                                                             record_id: str) -> None:
    _cli(app, "sign", record_id, "--user-id", "u-17", "--user-name", "Ana Silva")
    erased = _cli(app, "delete", record_id, "--user-id", "u-admin")
    assert erased.exit_code == 0, erased.output
    assert state(app).storage.get(record_id) is None
    result = _cli(app, "audit", record_id)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[1] for line in lines] == ["create", "sign", "erase"]
    assert lines[1].split()[2:] == ["v1", "u-17"] and lines[2].split()[-1] == "u-admin"
    assert NAME not in result.output and "Ana Silva" not in result.output
    api = client.get(f"{URL}/{record_id}/audit").get_json()
    assert [row["action"] for row in api] == ["create", "sign", "erase"]


def test_audit_of_an_id_never_seen_fails_without_echoing_it(app: Flask) -> None:
    for given in (str(uuid.uuid4()), NAME):
        result = _cli(app, "audit", given)
        assert result.exit_code == 1 and "nothing is recorded" in result.output
        assert NAME not in result.output


def test_purge_keeps_the_audit_with_an_erase_row(app: Flask, record_id: str) -> None:
    result = _cli(app, "purge", "--older-than", "1", "--yes")
    assert result.exit_code == 0 and "0 intake(s)" in result.output
    storage = state(app).storage
    assert storage.purge(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)) == 1
    assert [row["action"] for row in storage.audit_trail(record_id)] == ["create", "erase"]
