"""Issue 13, items 1 and 6: a failing store logs nothing of an intake, and answers 503 quickly.

Each test runs on SQLite and, when ANKLE_INTAKE_TEST_POSTGRES_URL is set, on
PostgreSQL. A store is made to fail the way a clinic's does: locked by
another writer (a backup, ``LOCK TABLE``), full, read-only, a table dropped
under it, garbage in the SQLite file.
"""

from __future__ import annotations

import importlib.util
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ankle_intake.extension import state
from ankle_intake.store.records import is_outage

NAME = "Ingrid Zwölfer-Quist"
REF = "MRN-7781-ZQ"
DISTANCE = 37.25  # an answer's value, distinctive enough to find in a log
SECRETS = (NAME, REF, str(DISTANCE), "Zw\\u00f6lfer")
PLAN = {"triage_level": "caution", "override_reason": None,
        "exercises": [{"id": "calf_raises", "sets": 3, "reps": 12, "hold_seconds": None,
                       "times": 1, "per": "day"}],
        "patient_note": "", "record_note": "", "review_date": "2026-04-01"}
DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    return any_database_url


@pytest.fixture
def intake(valid: dict[str, Any]) -> dict[str, Any]:
    return {**valid, "patient_name": NAME, "patient_ref": REF, "weekly_distance": DISTANCE}


@pytest.fixture
def quick(make_app: Callable[..., Flask], database_url: str | None) -> Iterator[Flask]:
    """A host whose store waits 0.2 s, not 5, so that a lock fails fast; tables made."""
    host = make_app(database_url=database_url, ANKLE_INTAKE_DATABASE_TIMEOUT=0.2)
    storage = state(host).storage
    if database_url:
        storage.drop_tables()
    storage.create_tables()
    yield host
    storage.dispose()


def _sqlite_file(host: Flask) -> str:
    return str(state(host).storage.engine.url.database)


@contextmanager
def _locked(host: Flask) -> Iterator[None]:
    """Another writer holds the intake table: a backup on SQLite, ``LOCK TABLE`` on PostgreSQL."""
    storage = state(host).storage
    if storage.engine.dialect.name == "sqlite":
        other = sqlite3.connect(_sqlite_file(host), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.rollback()
            other.close()
        return
    engine = create_engine(storage.url)
    try:
        with engine.connect() as conn:
            conn.execute(text("LOCK TABLE ankle_intake_assessments IN ACCESS EXCLUSIVE MODE"))
            yield
            conn.rollback()
    finally:
        engine.dispose()


def _drop(host: Flask, table: str) -> None:
    with state(host).storage.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE {table}")


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as a handler would write it, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) + repr(record.args) for record in caplog.records)


def _assert_nothing_of_the_intake(text_: str) -> None:
    for secret in SECRETS:
        assert secret not in text_, secret
    assert "[parameters:" not in text_
    assert "Failing row" not in text_


def _store_503(response: Any, *, api: bool) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"]
    if api:
        assert response.is_json and response.json["errors"]["_store"]
        assert "try" in response.json["errors"]["_store"][0].lower() or "retry" in str(
            response.json)
    else:
        assert response.mimetype == "text/html"
        assert "nothing was saved" in response.get_data(as_text=True)


# Item 1: nothing of an intake in any log.

def test_a_failed_write_logs_nothing_of_the_intake(quick, intake, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement, as echo
    state(quick).storage.dispose()  # a new engine, made under that logging
    client = quick.test_client()
    assert client.post("/ankle/api/assessments", json=intake).status_code == 201
    with _locked(quick):
        api = client.post("/ankle/api/assessments", json=intake)
        form = client.post("/ankle/intake", data={
            "side": "left", "onset": "sudden", "pain_locations": ["heel"], "pain_now": "2",
            "patient_name": NAME, "patient_ref": REF, "weekly_distance": str(DISTANCE)})
    _store_503(api, api=True)
    _store_503(form, api=False)
    logged = _logged(caplog)
    assert "the store did not answer" in logged and "OperationalError" in logged
    assert "INSERT INTO ankle_intake_assessments" in logged  # the statement was logged ...
    _assert_nothing_of_the_intake(logged)  # ... but none of its values
    assert state(quick).storage.count() == 1


def _refuse_inserts(host: Flask) -> None:
    """Make the intake table refuse every new row (a constraint the code does not expect)."""
    with state(host).storage.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON ankle_intake_assessments "
                "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END")
        else:  # PostgreSQL's message then quotes the whole row in its DETAIL
            conn.exec_driver_sql(
                "ALTER TABLE ankle_intake_assessments ADD CONSTRAINT refuse "
                "CHECK (patient_ref IS NULL) NOT VALID")


def test_the_error_that_reaches_flasks_log_has_no_values(quick, intake, caplog) -> None:
    """An integrity error is a bug, not an outage: Flask logs it as a 500, without values."""
    quick.config["PROPAGATE_EXCEPTIONS"] = False  # log it, as in production
    _refuse_inserts(quick)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    client = quick.test_client()
    api = client.post("/ankle/api/assessments", json=intake)
    form = client.post("/ankle/intake", data={
        "side": "left", "onset": "sudden", "pain_locations": ["heel"], "pain_now": "2",
        "patient_name": NAME, "patient_ref": REF})
    assert (api.status_code, form.status_code) == (500, 500)
    flask_log = [r for r in caplog.records if r.getMessage().startswith("Exception on")]
    assert len(flask_log) == 2 and all(r.exc_info for r in flask_log)
    logged = _logged(caplog)
    assert "IntegrityError" in logged and "INSERT INTO ankle_intake_assessments" in logged
    _assert_nothing_of_the_intake(logged)
    assert state(quick).storage.count() == 0


# Item 6: outages answer 503 with Retry-After, quickly, and store nothing half-way.

def test_a_locked_store_answers_503_within_the_timeout(quick, intake) -> None:
    client = quick.test_client()
    record = client.post("/ankle/api/assessments", json=intake).json
    with _locked(quick):
        started = time.monotonic()
        api = client.post("/ankle/api/assessments", json=intake)
        elapsed = time.monotonic() - started
        plan = client.put(f"/ankle/api/assessments/{record['id']}/plan", json=PLAN)
    _store_503(api, api=True)
    _store_503(plan, api=True)
    assert elapsed < 3  # 0.2 s of waiting for the lock, not 30
    assert state(quick).storage.count() == 1
    after = client.post("/ankle/api/assessments", json=intake)  # the lock is gone: it works
    assert after.status_code == 201 and state(quick).storage.count() == 2


def test_the_waits_are_bounded_by_default(make_app, database_url) -> None:
    host = make_app(database_url=database_url)
    storage = state(host).storage
    assert host.config["ANKLE_INTAKE_DATABASE_TIMEOUT"] == 5
    assert storage.engine.pool.timeout() == 5
    with storage.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        else:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "5s"
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "10s"
            assert conn.exec_driver_sql("SHOW search_path").scalar().startswith("ankle_test_")


def test_a_statement_past_its_timeout_is_cancelled(quick) -> None:
    if state(quick).storage.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no statement timeout; its waits are the busy timeout")
    with pytest.raises(OperationalError) as caught, state(quick).storage.engine.connect() as c:
        c.exec_driver_sql("SELECT pg_sleep(2)")
    assert is_outage(caught.value) and "statement timeout" in str(caught.value)


@pytest.mark.parametrize("setting", [0, -1, "5", True, 301])
def test_the_timeout_setting_is_checked(make_app, setting) -> None:
    with pytest.raises(ValueError, match="ANKLE_INTAKE_DATABASE_TIMEOUT"):
        make_app(ANKLE_INTAKE_DATABASE_TIMEOUT=setting)


def test_a_full_store_answers_503(quick, intake) -> None:
    storage = state(quick).storage
    if storage.engine.dialect.name != "sqlite":
        pytest.skip("a full disk is simulated with SQLite's max_page_count")
    client = quick.test_client()
    assert client.post("/ankle/api/assessments", json=intake).status_code == 201

    @event.listens_for(storage.engine, "connect")
    def full(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    storage.engine.dispose()  # new connections: full from now on
    responses = [client.post("/ankle/api/assessments", json=intake) for _ in range(40)]
    assert responses[-1].status_code == 503, [r.status_code for r in responses]
    _store_503(responses[-1], api=True)
    assert all(r.status_code in (201, 503) for r in responses)
    stored = sum(r.status_code == 201 for r in responses)
    assert storage.count() == 1 + stored


def test_a_half_written_intake_is_not_stored(quick, intake) -> None:
    """The intake's row is written, then its audit row fails: the transaction keeps neither."""
    _drop(quick, "ankle_intake_audit")
    client = quick.test_client()
    _store_503(client.post("/ankle/api/assessments", json=intake), api=True)
    _store_503(client.post("/ankle/intake", data={
        "side": "left", "onset": "sudden", "pain_locations": ["heel"], "pain_now": "2"}),
        api=False)
    assert state(quick).storage.count() == 0


def test_a_dropped_table_answers_503_on_reads(quick, intake) -> None:
    client = quick.test_client()
    record = client.post("/ankle/api/assessments", json=intake).json
    _drop(quick, "ankle_intake_idempotency_keys")
    _drop(quick, "ankle_intake_versions")
    _drop(quick, "ankle_intake_assessments")
    _store_503(client.get(f"/ankle/api/assessments/{record['id']}"), api=True)
    _store_503(client.get("/ankle/api/assessments"), api=True)
    _store_503(client.get("/ankle/assessments"), api=False)
    _store_503(client.get(f"/ankle/assessments/{record['id']}"), api=False)


def test_a_pool_timeout_answers_503(quick, intake) -> None:
    storage = state(quick).storage
    pool = storage.engine.pool
    if not hasattr(pool, "size"):
        pytest.skip("this pool never waits")
    held = [storage.engine.connect() for _ in range(pool.size() + pool._max_overflow)]
    try:
        response = quick.test_client().post("/ankle/api/assessments", json=intake)
    finally:
        for conn in held:
            conn.close()
    _store_503(response, api=True)


def test_store_errors_are_answered_only_on_the_plugins_routes(make_app) -> None:
    host = make_app()

    @host.get("/host-page")
    def host_page() -> str:
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    with pytest.raises(OperationalError):  # the host's own error, untouched (TESTING)
        host.test_client().get("/host-page")
    for handlers in host.error_handler_spec[None].values():
        assert not set(handlers) & {OperationalError, PoolTimeout}, handlers


def test_what_counts_as_an_outage() -> None:
    orig = Exception("boom")
    assert is_outage(OperationalError("s", {}, orig))
    assert is_outage(ProgrammingError("s", {}, orig))  # a table missing (PostgreSQL)
    assert is_outage(PoolTimeout())
    assert not is_outage(IntegrityError("s", {}, orig))
    assert not is_outage(DataError("s", {}, orig))
    assert not is_outage(ValueError("x"))


def test_many_writers_against_a_locked_store_all_answer(quick, intake) -> None:
    """Threads queue for SQLite's writer lock; each waits its own timeout, then 503."""
    results: list[int] = []
    client_app = quick

    def post() -> None:
        with client_app.test_client() as client:
            results.append(client.post("/ankle/api/assessments", json=intake).status_code)

    with _locked(quick):
        threads = [threading.Thread(target=post) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(results) == [503] * 4
    assert state(quick).storage.count() == 0


# /healthz (deploy/wsgi.py) reads the store.

def _load_wsgi() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ankle_deploy_wsgi_hardening",
                                                  DEPLOY / "wsgi.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def clinic(tmp_path: Path, database_url: str | None) -> Iterator[Flask]:
    env = {"SECRET_KEY": secrets.token_hex(32), "ANKLE_INSTANCE_PATH": str(tmp_path / "i")}
    if database_url:
        env["ANKLE_INTAKE_DATABASE_URL"] = database_url
    app = _load_wsgi().create_app(env)
    storage = state(app).storage
    if database_url:
        storage.drop_tables()
    yield app
    if database_url:
        storage.drop_tables()
    storage.dispose()


def _ready_clinic(clinic: Flask) -> Any:
    """The store as gunicorn's master leaves it (``prepare_database``), with one intake."""
    state(clinic).storage.create_tables()
    with state(clinic).storage.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO ankle_intake_audit (assessment_id, at, action) "
                             "VALUES ('x', CURRENT_TIMESTAMP, 'view')")
    client = clinic.test_client()
    assert client.get("/healthz").status_code == 200
    return client


def test_healthz_fails_when_a_table_is_dropped(clinic) -> None:
    client = _ready_clinic(clinic)
    _drop(clinic, "ankle_intake_idempotency_keys")
    _drop(clinic, "ankle_intake_versions")
    _drop(clinic, "ankle_intake_assessments")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json == {"status": "database unavailable"}
    state(clinic).storage.dispose()  # a new worker finds the store broken too
    assert client.get("/healthz").status_code == 503


def test_healthz_fails_without_a_schema_revision(clinic) -> None:
    client = _ready_clinic(clinic)
    _drop(clinic, "ankle_intake_alembic_version")
    assert client.get("/healthz").status_code == 503


@pytest.mark.parametrize("keep", [0, 4096], ids=["whole-file", "after-the-first-page"])
def test_healthz_fails_over_a_corrupt_sqlite_file(clinic, keep) -> None:
    """Garbage over the file; or over every page but the first, so its header still reads."""
    storage = state(clinic).storage
    if storage.engine.dialect.name != "sqlite":
        pytest.skip("an SQLite file")
    client = _ready_clinic(clinic)
    path = Path(_sqlite_file(clinic))
    storage.dispose()  # the last connection checkpoints the WAL into the file
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    data = path.read_bytes()
    assert len(data) > keep + 4096
    path.write_bytes(data[:keep] + secrets.token_bytes(len(data) - keep))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json == {"status": "database unavailable"}
    assert client.get("/healthz").status_code == 503  # and stays so
