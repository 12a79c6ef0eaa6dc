"""Erasing intakes: one on request (``delete``), or all past the retention period (``purge``)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from ankle_intake.extension import state
from ankle_intake.store import assessments, idempotency_keys

API = "/ankle/api/assessments"
NAME = "Zoë Erasure-Test"


@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    return any_database_url


@pytest.fixture
def store(client, valid) -> Callable[..., str]:
    """POST an intake (with a key, optionally) and return its id."""

    def post(key: str | None = None) -> str:
        headers = {"Idempotency-Key": key} if key else {}
        response = client.post(API, data=json.dumps({**valid, "patient_name": NAME}),
                               content_type="application/json", headers=headers)
        assert response.status_code == 201
        return response.get_json()["id"]

    return post


def _age(app: Flask, record_id: str, days: int) -> None:
    """Backdate one record, as if it had been stored ``days`` ago."""
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(days=days)
    with state(app).storage.engine.begin() as conn:
        conn.execute(assessments.update().where(assessments.c.id == record_id)
                     .values(created_at=when))


def _keys(app: Flask) -> set[str]:
    with state(app).storage.engine.connect() as conn:
        return {row.assessment_id for row in conn.execute(sa.select(idempotency_keys))}


def _cli(app: Flask, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=["ankle-intake", *args], input=input)


def test_delete_erases_the_record_and_its_keys_only(app: Flask, client, store, count) -> None:
    erased, kept = store(str(uuid.uuid4())), store(str(uuid.uuid4()))
    storage = state(app).storage
    assert storage.delete(erased.upper()) is True  # any spelling of the id
    assert storage.get(erased) is None and client.get(f"{API}/{erased}").status_code == 404
    assert storage.get(kept) is not None
    assert _keys(app) == {kept} and count() == 1
    assert storage.delete(erased) is False
    assert storage.delete("not-an-id") is False and storage.delete(str(uuid.uuid4())) is False


def test_a_retry_after_its_record_was_erased_stores_it_anew(app: Flask, client, store) -> None:
    key = str(uuid.uuid4())
    first = store(key)
    state(app).storage.delete(first)
    again = store(key)  # the key went with its record: no replay of erased data
    assert again != first and state(app).storage.get(again) is not None


def test_purge_erases_only_what_is_older_than_the_cutoff(app: Flask, store, count) -> None:
    old, older, recent = store(str(uuid.uuid4())), store(), store(str(uuid.uuid4()))
    _age(app, old, 400)
    _age(app, older, 4000)
    _age(app, recent, 10)
    storage = state(app).storage
    cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=365)
    assert storage.purge(cutoff, dry_run=True) == 2 and count() == 3
    assert storage.purge(cutoff) == 2
    assert storage.get(old) is None and storage.get(older) is None
    assert storage.get(recent) is not None and _keys(app) == {recent}
    assert storage.purge(cutoff) == 0


def test_purge_takes_the_cutoff_in_any_time_zone(app: Flask, store, count) -> None:
    record = store()
    _age(app, record, 2)
    two_days_less_an_hour = dt.datetime.now(dt.timezone(dt.timedelta(hours=-5))) - dt.timedelta(
        days=2, hours=-1)
    assert state(app).storage.purge(two_days_less_an_hour) == 1 and count() == 0


def test_a_purge_that_fails_half_way_erases_nothing(app: Flask, store, count) -> None:
    record = store(str(uuid.uuid4()))
    _age(app, record, 100)
    engine = state(app).storage.engine

    def fail_on_the_records(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("DELETE FROM ANKLE_INTAKE_ASSESSMENTS"):
            raise RuntimeError("disk went away")

    sa.event.listen(engine, "before_cursor_execute", fail_on_the_records)
    try:
        with pytest.raises(RuntimeError):
            state(app).storage.purge(dt.datetime.now(dt.timezone.utc))
    finally:
        sa.event.remove(engine, "before_cursor_execute", fail_on_the_records)
    assert count() == 1 and _keys(app) == {record}  # the keys' delete was rolled back too


def test_cli_delete_erases_one_intake_and_names_only_its_id(
    app: Flask, store, count, caplog
) -> None:
    record, other = store(), store()
    caplog.set_level(logging.INFO, logger="ankle_intake")
    result = _cli(app, "delete", record)
    assert result.exit_code == 0, result.output
    assert f"erased {record}" in result.output and count() == 1
    assert state(app).storage.get(other) is not None
    unknown = _cli(app, "delete", NAME)  # typed into the wrong box: not echoed back
    assert unknown.exit_code == 1 and "no intake has this id" in unknown.output
    assert NAME not in unknown.output
    assert record in caplog.text and NAME not in caplog.text


def test_cli_purge_counts_asks_and_erases(app: Flask, store, count) -> None:
    old, recent = store(), store()
    _age(app, old, 40)
    dry = _cli(app, "purge", "--older-than", "30", "--dry-run")
    assert dry.exit_code == 0 and "1 intake(s)" in dry.output and count() == 2
    declined = _cli(app, "purge", "--older-than", "30", input="n\n")
    assert declined.exit_code == 1 and "Erase 1 intake(s)" in declined.output and count() == 2
    agreed = _cli(app, "purge", "--older-than", "30", input="y\n")
    assert agreed.exit_code == 0 and "erased 1 intake(s)" in agreed.output
    assert state(app).storage.get(recent) is not None and count() == 1
    nothing_due = _cli(app, "purge", "--older-than", "30")
    assert nothing_due.exit_code == 0 and "0 intake(s)" in nothing_due.output


def test_cli_purge_runs_unattended_with_yes(app: Flask, store, count) -> None:
    _age(app, store(), 40)
    result = _cli(app, "purge", "--older-than", "30", "--yes")
    assert result.exit_code == 0 and "erased 1" in result.output and count() == 0


@pytest.mark.parametrize("days", ["0", "-3", "a year"])
def test_cli_purge_refuses_a_retention_that_is_no_number_of_days(app: Flask, store, count,
                                                                 days) -> None:
    store()
    result = _cli(app, "purge", "--older-than", days, "--yes")
    assert result.exit_code == 2 and "--older-than" in result.output and count() == 1


def _audit_rows(app: Flask) -> list:
    with state(app).storage.engine.connect() as conn:
        return conn.execute(sa.text("SELECT * FROM ankle_intake_audit")).all()


def test_an_erase_keeps_the_audit_with_an_erase_row_and_no_patient_data(
    app: Flask, client, store
) -> None:
    deleted, purged = store(str(uuid.uuid4())), store()
    _age(app, purged, 40)
    storage = state(app).storage
    assert storage.delete(deleted, "u-admin")
    assert storage.purge(dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)) == 1
    for record_id, by in ((deleted, "u-admin"), (purged, None)):
        trail = client.get(f"{API}/{record_id}/audit")
        assert trail.status_code == 200
        rows = trail.get_json()
        assert [r["action"] for r in rows] == ["create", "erase"] and rows[-1]["user"] == by
        assert NAME not in trail.get_data(as_text=True)
    stored = repr(_audit_rows(app))
    assert NAME not in stored and "outer_ankle" not in stored  # no names, no answers
    assert client.get(f"{API}/{uuid.uuid4()}/audit").status_code == 404
