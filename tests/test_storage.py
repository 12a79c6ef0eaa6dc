"""Storage with SQLAlchemy Core, against SQLite and PostgreSQL: one transaction per intake."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from ankle_intake.extension import state
from ankle_intake.store import Storage, parse_id
from ankle_intake.store import intake as intake_module


@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    return any_database_url


def test_round_trip_and_record_fields(app: Flask) -> None:
    storage = state(app).storage
    answers = {"side": "left", "patient_ref": "P-1", "encounter_ref": "E-1", "pain_now": 2}
    written = storage.add(answers, {"rules_version": "9.9", "triage": {"level": "stop"}})
    stored = written.record
    assert json.loads(written.document) == stored  # the API's answer is the stored record
    assert uuid.UUID(stored["id"]).version == 4
    created = dt.datetime.fromisoformat(stored["created_at"])
    assert created.tzinfo is not None
    assert abs(dt.datetime.now(dt.timezone.utc) - created) < dt.timedelta(minutes=1)
    again = storage.get(stored["id"])
    assert again == stored
    assert again["patient_ref"] == "P-1" and again["rules_version"] == "9.9"
    assert storage.get("nonsense") is None and storage.get(str(uuid.uuid4())) is None


def test_tables_are_made_on_first_use_and_init_is_repeatable(app: Flask) -> None:
    storage = state(app).storage
    assert not sa.inspect(storage.engine).has_table("ankle_intake_assessments")
    assert storage.count() == 0
    assert sa.inspect(storage.engine).has_table("ankle_intake_assessments")
    storage.create_tables()
    storage.create_tables()
    assert storage.count() == 0


def test_a_failed_intake_stores_nothing_and_sends_nothing(
    app: Flask, client, valid, monkeypatch
) -> None:
    from ankle_intake.signals import assessment_created

    sent = []
    original = intake_module.evaluate

    def unstorable(answers):
        result = original(answers)
        result["advice"] = [{"id": "x", "text": object()}]  # not JSON: the INSERT fails
        return result

    monkeypatch.setattr(intake_module, "evaluate", unstorable)
    with assessment_created.connected_to(lambda sender, **kw: sent.append(kw), app):
        with pytest.raises((TypeError, sa.exc.StatementError)):  # the driver decides which
            client.post("/ankle/api/assessments", json=valid)
    assert state(app).storage.count() == 0
    assert sent == []


def test_default_is_sqlite_in_instance_folder_with_wal(make_app, valid) -> None:
    host = make_app()
    storage = state(host).storage
    assert storage.url.startswith("sqlite:///" + host.instance_path)
    assert host.test_client().post("/ankle/api/assessments", json=valid).status_code == 201
    with storage.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_any_url_works(tmp_path) -> None:
    storage = Storage("sqlite:///" + str(tmp_path / "elsewhere.db"))
    try:
        record = storage.add({"side": "both"}, {"rules_version": "1"}).record
        assert storage.get(record["id"])["answers"] == {"side": "both"}
    finally:
        storage.dispose()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
     ("nope", None), ("", None), ("1" * 100, None)],
)
def test_parse_id(value, expected) -> None:
    assert parse_id(value) == expected
