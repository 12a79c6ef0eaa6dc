"""Alembic migrations of the plugin's own, on SQLite and PostgreSQL.

A store made by release 0.1.0 (its two tables, copied here as that release
made them) migrates to the newest schema with every record readable as signed
version 1 with the engine's plan; an empty store migrates to head; a second
migration changes nothing; the version table is the plugin's own, so a host's
``alembic_version`` is never touched; workers making their first write to a
new store at once migrate it once; 0002 downgrades and upgrades again.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask

from ankle_intake import assess
from ankle_intake.extension import state
from ankle_intake.guidance.plan import suggested_plan
from ankle_intake.store import Storage, migrate
from ankle_intake.store.tables import VERSION_TABLE, metadata, versions

#: SQLite cannot reflect the clinician expression index (0003); the comparison of the
#: migrated schema with tables.py skips it, as Alembic does.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:Skipped unsupported reflection of expression-based index:"
        "sqlalchemy.exc.SAWarning"),
    pytest.mark.filterwarnings(
        "ignore:autogenerate skipping metadata-specified expression-based index:UserWarning"),
]

# ----------------------------------------------------------- release 0.1.0's tables
# Copied from plugin/store/records.py as release 0.1.0 shipped it (made there
# with ``metadata.create_all``), so this test keeps meaning the same whatever
# tables.py later becomes.
OLD = sa.MetaData()
OLD_ASSESSMENTS = sa.Table(
    "ankle_intake_assessments",
    OLD,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("patient_ref", sa.String(64), nullable=True),
    sa.Column("encounter_ref", sa.String(64), nullable=True),
    sa.Column("rules_version", sa.String(64), nullable=False),
    sa.Column("answers", sa.JSON, nullable=False),
    sa.Column("assessment", sa.JSON, nullable=False),
    sa.Index("ix_ankle_intake_assessments_patient_ref", "patient_ref"),
)
OLD_KEYS = sa.Table(
    "ankle_intake_idempotency_keys",
    OLD,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("assessment_id", sa.String(36), sa.ForeignKey("ankle_intake_assessments.id"),
              nullable=False),
)
OLD_COLUMNS = {c.name for c in OLD_ASSESSMENTS.columns}

#: Intakes as runners' clinics posted them to 0.1.0.
OLD_ANSWERS: list[dict[str, Any]] = [
    {"side": "right", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 3,
     "injury_date": "2026-03-01", "assessment_date": "2026-03-02", "sprain_grade": "II",
     "swelling": "moderate", "weekly_distance": 40, "patient_ref": "P-1",
     "encounter_ref": "E-1", "patient_name": "Zoë O'Brien",
     "ottawa": {"tender_lateral_malleolus": False, "unable_to_bear_weight": False}},
    {"side": "left", "onset": "gradual", "pain_locations": ["back_of_ankle"], "pain_now": 2,
     "pain_running": 5, "pain_pattern": ["morning_stiffness", "eases_with_warmup_then_returns"],
     "training": ["mileage_increase", "hills_or_speedwork"], "patient_ref": "P-2",
     "assessment_date": "2026-03-02"},
    {"side": "right", "onset": "gradual", "pain_locations": ["top_of_foot"], "pain_now": 4,
     "pain_running": 7, "point_tenderness": True, "pain_walking": True,
     "pain_pattern": ["worse_with_impact"], "training": ["mileage_increase"],
     "risk_factors": ["under_fueling"], "weekly_distance": 25, "distance_unit": "mi",
     "assessment_date": "2026-03-02"},
    {"side": "right", "onset": "sudden", "pain_locations": ["back_of_ankle", "heel"],
     "pain_now": 2, "injury_date": "2026-02-27", "assessment_date": "2026-03-02", "age": 44,
     "mechanism": "push_off_or_landing", "weight_bearing": "partial", "heel_raise_count": 0,
     "medications": ["fluoroquinolone"], "heard_pop": True, "pain_walking": True,
     "patient_ref": "P-1",
     "special_tests": {"thompson_test": "positive", "anterior_drawer": "negative",
                       "squeeze_test": "negative", "hop_test": "positive"}},
]


def _as_010(assessment: dict[str, Any]) -> dict[str, Any]:
    """An assessment as 0.1.0's engine stored it: its exercises had no ``default_dose``."""
    old = copy.deepcopy(assessment)
    for exercise in old.get("exercises") or []:
        exercise.pop("default_dose", None)
    return old


def make_old_store(engine: sa.Engine) -> list[dict[str, Any]]:
    """The tables and rows 0.1.0 wrote: four intakes (one with an idempotency key)."""
    OLD.create_all(engine)
    made = []
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
    with engine.begin() as conn:
        for i, answers in enumerate(OLD_ANSWERS):
            assessment = assess(answers)
            if i:  # the first keeps today's shape, so the doses' path is covered too
                assessment = _as_010(assessment)
            row = {"id": str(uuid.uuid4()), "created_at": start + dt.timedelta(hours=i),
                   "patient_ref": answers.get("patient_ref"),
                   "encounter_ref": answers.get("encounter_ref"),
                   "rules_version": str(assessment["rules_version"]),
                   "answers": answers, "assessment": assessment}
            conn.execute(OLD_ASSESSMENTS.insert(), row)
            made.append(row)
        conn.execute(OLD_KEYS.insert(), {"key": "retry-1", "fingerprint": "f" * 64,
                                         "assessment_id": made[0]["id"]})
    return made


# ------------------------------------------------------------------------ helpers
@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    return any_database_url


@pytest.fixture
def storage(app: Flask) -> Storage:
    """The app's store, not yet used (so nothing has been migrated)."""
    return state(app).storage


def _alembic_config(conn: sa.Connection) -> Any:
    config = migrate._config()
    config.attributes["connection"] = conn
    return config


def downgrade(engine: sa.Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), revision)


def schema_diff(engine: sa.Engine) -> list[Any]:
    """What Alembic's autogenerate finds between the store and tables.py (nothing, we hope)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return compare_metadata(context, metadata)


def snapshot(engine: sa.Engine) -> dict[str, Any]:
    """The schema and every row of the plugin's tables, to compare before and after."""
    inspector = sa.inspect(engine)
    tables = sorted(t for t in inspector.get_table_names() if t.startswith("ankle_intake"))
    shape = {t: (sorted(c["name"] for c in inspector.get_columns(t)),
                 sorted(i["name"] for i in inspector.get_indexes(t))) for t in tables}
    with engine.connect() as conn:
        rows = {t: sorted(map(repr, conn.execute(sa.text(f"SELECT * FROM {t}")).all()))
                for t in tables}
    return {"shape": shape, "rows": rows}


@pytest.fixture
def upgrades(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time Alembic's upgrade actually runs (not merely the check that finds head)."""
    ran: list[str] = []
    original = command.upgrade

    def counting(config: Any, revision: str, **kwargs: Any) -> None:
        ran.append(revision)
        original(config, revision, **kwargs)

    monkeypatch.setattr(command, "upgrade", counting)
    return ran


def _cli_migrate(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["ankle-intake", "migrate"])
    if result.exit_code == 2 and "No such command" in result.output:
        pytest.skip("flask ankle-intake migrate is not there yet")
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------ (a) a 0.1.0 store
@pytest.mark.parametrize("how", ["storage", "cli"])
def test_a_store_made_by_0_1_0_migrates_with_every_record_readable(
    app: Flask, storage: Storage, client, how: str
) -> None:
    old = make_old_store(storage.engine)
    assert migrate.current(storage.engine) is None
    if how == "storage":
        assert storage.create_tables() == migrate.head()
    else:
        _cli_migrate(app)
    assert migrate.current(storage.engine) == migrate.head()
    assert schema_diff(storage.engine) == []

    with storage.engine.connect() as conn:
        signed = conn.execute(sa.select(versions)).mappings().all()
    assert sorted(v["assessment_id"] for v in signed) == sorted(r["id"] for r in old)
    for row in old:
        record = storage.get(row["id"])
        assert record is not None
        plan = suggested_plan(row["assessment"])
        assert record["status"] == "signed" and record["version"] == 1
        assert record["plan"] == plan
        assert record["plan"]["triage_level"] == row["assessment"]["triage"]["level"]
        assert record["answers"] == row["answers"] and record["assessment"] == row["assessment"]
        assert record["patient_ref"] == row["patient_ref"]
        assert dt.datetime.fromisoformat(record["created_at"]) == row["created_at"]
        assert record["signed_at"] == record["created_at"] and record["addenda"] == []
        (version,) = [v for v in signed if v["assessment_id"] == row["id"]]
        assert version["version"] == 1 and version["plan"] == plan and version["pdf"] is None

        response = client.get(f"/ankle/api/assessments/{row['id']}")
        assert response.status_code == 200
        body = response.get_json()
        assert body["status"] == "signed" and body["version"] == 1 and body["plan"] == plan
        assert body["assessment"] == row["assessment"]
    # the doses of a record stored with them are carried over as numbers
    assert any(ex["sets"] for ex in storage.get(old[0]["id"])["plan"]["exercises"])
    claim = storage.find_claim("retry-1")
    assert claim is not None and claim.record_id == old[0]["id"]
    # the worklist finds them, each at its stored level
    page = storage.worklist(status="signed")
    assert {item["id"] for item in page.items} == {r["id"] for r in old}
    by_id = {item["id"]: item for item in page.items}
    for row in old:
        level = row["assessment"]["triage"]["level"]
        assert by_id[row["id"]]["level"] == by_id[row["id"]]["suggested_level"] == level


def test_a_migrated_record_prints(app: Flask, storage: Storage, client) -> None:
    """The handout of a record stored by 0.1.0 (no doses as numbers) still prints."""
    old = make_old_store(storage.engine)
    storage.create_tables()
    for row in old:
        page = client.get(f"/ankle/assessments/{row['id']}/handout")
        assert page.status_code == 200, row["answers"]
        pdf = client.get(f"/ankle/assessments/{row['id']}/handout.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_new_intakes_after_the_migration_are_drafts(storage: Storage) -> None:
    make_old_store(storage.engine)
    storage.create_tables()
    answers = dict(OLD_ANSWERS[1])
    record = storage.add(answers, assess(answers)).record
    assert record["status"] == "draft" and record["plan"] is None
    assert storage.get(record["id"])["status"] == "draft"


# ----------------------------------------------------------- (b) an empty store
def test_an_empty_store_migrates_to_head(storage: Storage, upgrades: list[str]) -> None:
    assert migrate.current(storage.engine) is None
    assert storage.create_tables() == migrate.head() == "0005"
    assert migrate.current(storage.engine) == migrate.head()
    assert upgrades == ["head"]
    assert schema_diff(storage.engine) == []
    names = set(sa.inspect(storage.engine).get_table_names())
    assert {t for t in names if t.startswith("ankle_intake")} == {*metadata.tables, VERSION_TABLE}
    assert storage.count() == 0


def test_first_use_migrates_an_empty_store(storage: Storage, client, valid) -> None:
    assert client.post("/ankle/api/assessments", json=valid).status_code == 201
    assert migrate.current(storage.engine) == migrate.head()


# ---------------------------------------------------------------- (c) twice
def test_migrating_twice_changes_nothing(
    app: Flask, storage: Storage, upgrades: list[str]
) -> None:
    make_old_store(storage.engine)
    storage.create_tables()
    answers = dict(OLD_ANSWERS[0])
    draft = storage.add(answers, assess(answers)).record  # must stay a draft
    before = snapshot(storage.engine)
    assert upgrades == ["head"]

    assert storage.create_tables() == migrate.head()
    again = Storage(storage.url)  # another worker, another engine
    try:
        assert again.create_tables() == migrate.head()
    finally:
        again.dispose()
    assert upgrades == ["head"]  # found at head: Alembic's upgrade never ran again
    assert snapshot(storage.engine) == before
    assert storage.get(draft["id"])["status"] == "draft"


# ------------------------------------------------ (d) the host's alembic_version
@pytest.mark.parametrize("start", ["empty", "0.1.0"])
def test_the_version_table_is_the_plugins_own(storage: Storage, start: str) -> None:
    engine = storage.engine
    with engine.begin() as conn:  # a host that runs its own Alembic in the same database
        conn.exec_driver_sql("CREATE TABLE alembic_version "
                             "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('host_a1b2c3')")
    try:
        if start == "0.1.0":
            make_old_store(engine)
        storage.create_tables()
        assert VERSION_TABLE == "ankle_intake_alembic_version"
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                f"SELECT version_num FROM {VERSION_TABLE}").scalars().all() == [migrate.head()]
            assert conn.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalars().all() == ["host_a1b2c3"]
            host_view = MigrationContext.configure(conn)  # the host's default version table
            assert host_view.get_current_revision() == "host_a1b2c3"
        downgrade(engine, "0001")
        storage.create_tables()
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalars().all() == ["host_a1b2c3"]
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


# ------------------------------------------------------------- (e) concurrency
WORKERS = 24


@pytest.fixture
def shared_url(tmp_path: Path, any_database_url: str | None) -> Iterator[str]:
    """One store for several apps (each its own engine, as gunicorn's workers have).

    On PostgreSQL the connections carry an application_name of this test's own,
    so that a worker left hanging (as they hang without the migration lock) is
    ended here and the tear-down cannot wait for it forever.
    """
    name = f"ankle_migration_test_{uuid.uuid4().hex[:12]}"
    separator = "&" if any_database_url and "?" in any_database_url else "?"
    url = (f"{any_database_url}{separator}application_name={name}" if any_database_url
           else "sqlite:///" + str(tmp_path / "shared.db"))
    storage = Storage(url)
    storage.drop_tables()
    storage.dispose()
    yield url
    storage = Storage(url)
    if any_database_url:
        with storage.engine.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name AND state <> 'idle' "
                "AND pid <> pg_backend_pid()"), {"name": name})
    storage.drop_tables()
    storage.dispose()


def test_concurrent_first_writes_to_a_new_store_all_succeed(
    make_app: Callable[..., Flask], shared_url: str, upgrades: list[str], valid
) -> None:
    """Issue 13 item 5: 62 of 120 concurrent first requests got 500 "table already exists"."""
    apps = [make_app(database_url=shared_url) for _ in range(WORKERS)]
    clients = [a.test_client() for a in apps]
    barrier = threading.Barrier(WORKERS)
    statuses: list[int | str] = [0] * WORKERS

    def first_write(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            statuses[i] = clients[i].post("/ankle/api/assessments", json=valid).status_code
        except Exception as exc:  # noqa: BLE001 - reported below with the others
            statuses[i] = f"{type(exc).__name__}: {exc}"[:300]

    threads = [threading.Thread(target=first_write, args=(i,), daemon=True)
               for i in range(WORKERS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    for t in threads:
        t.join(timeout=max(0.1, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "workers still waiting after 60 s"
    assert statuses == [201] * WORKERS
    assert upgrades == ["head"]  # migrated once, by whichever worker came first
    storage = state(apps[0]).storage
    assert storage.count() == WORKERS
    assert migrate.current(storage.engine) == migrate.head()
    assert schema_diff(storage.engine) == []


PROCESS = textwrap.dedent("""
    import os, sys, time
    from alembic import command
    from ankle_intake import assess
    from ankle_intake.store import Storage

    url, ready, go = sys.argv[1:4]
    ran = []
    original = command.upgrade
    command.upgrade = lambda *a, **k: (ran.append(1), original(*a, **k))
    answers = {"side": "right", "onset": "sudden", "pain_locations": ["outer_ankle"],
               "pain_now": 3}
    assessment = assess(answers)
    storage = Storage(url)
    open(ready, "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.001)
    storage.add(answers, assessment)
    storage.dispose()
    print("migrated" if ran else "found-head")
""")


def test_concurrent_first_writes_from_processes(shared_url: str, tmp_path: Path) -> None:
    """As gunicorn's workers do: separate processes, each its own engine and lock."""
    count = 16
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{i}" for i in range(count)]
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    procs = [subprocess.Popen([sys.executable, "-c", PROCESS, shared_url, str(r), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for r in ready]
    try:
        deadline = time.monotonic() + 120
        while not all(r.exists() for r in ready):
            assert time.monotonic() < deadline, "the workers never got ready"
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            time.sleep(0.01)
        go.touch()
        outcomes = [p.communicate(timeout=90) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [0] * count, [err[-600:] for _, err in outcomes]
    said = sorted(out.strip() for out, _ in outcomes)
    assert said == ["found-head"] * (count - 1) + ["migrated"]
    storage = Storage(shared_url)
    try:
        assert storage.count() == count
        assert migrate.current(storage.engine) == migrate.head()
    finally:
        storage.dispose()


# -------------------------------------------------------- (f) down and up again
def test_downgrade_to_0001_and_upgrade_again(storage: Storage, client) -> None:
    old = make_old_store(storage.engine)
    storage.create_tables()
    downgrade(storage.engine, "0001")
    assert migrate.current(storage.engine) == "0001"
    inspector = sa.inspect(storage.engine)
    names = {t for t in inspector.get_table_names() if t.startswith("ankle_intake")}
    assert names == {*OLD.tables, VERSION_TABLE}
    columns = {c["name"] for c in inspector.get_columns("ankle_intake_assessments")}
    assert columns == OLD_COLUMNS
    indexes = {i["name"] for i in inspector.get_indexes("ankle_intake_assessments")}
    assert indexes == {"ix_ankle_intake_assessments_patient_ref"}
    with storage.engine.connect() as conn:
        kept = conn.execute(sa.select(OLD_ASSESSMENTS)).mappings().all()
    assert sorted(r["id"] for r in kept) == sorted(r["id"] for r in old)

    storage.dispose()  # a new worker: made and migrated again on first use
    assert storage.count() == len(old)
    assert migrate.current(storage.engine) == migrate.head()
    assert schema_diff(storage.engine) == []
    for row in old:
        record = storage.get(row["id"])
        assert record["status"] == "signed" and record["version"] == 1
        assert record["plan"] == suggested_plan(row["assessment"])
        assert client.get(f"/ankle/api/assessments/{row['id']}").status_code == 200
    with storage.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(versions)).scalar() == len(old)


def test_an_empty_store_downgrades_to_nothing_and_back(storage: Storage) -> None:
    storage.create_tables()
    downgrade(storage.engine, "base")
    names = {t for t in sa.inspect(storage.engine).get_table_names()
             if t.startswith("ankle_intake")}
    assert names <= {VERSION_TABLE}
    assert migrate.current(storage.engine) is None
    storage.create_tables()
    assert migrate.current(storage.engine) == migrate.head()
    assert schema_diff(storage.engine) == []


def test_each_migrated_record_opens_an_episode_that_takes_a_follow_up(
    storage: Storage, client
) -> None:
    """0004: a record from before episodes is visit 1 of an episode of its own."""
    old = make_old_store(storage.engine)
    storage.create_tables()
    for row in old:
        record = storage.get(row["id"])
        assert (record["episode_id"], record["visit"]) == (row["id"], 1)
        episode = storage.episode(row["id"])
        assert episode is not None and episode["status"] == "open"
        assert episode["patient_ref"] == row["patient_ref"]
        assert [v["id"] for v in episode["visits"]] == [row["id"]]
    row = old[0]
    # A record stored before stages were kept still starts a follow-up's progression.
    body = {**row["answers"], "last_week": {"runs": 3, "pain_during_max": 1,
                                            "worse_next_morning": False}}
    response = client.post(f"/ankle/api/episodes/{row['id']}/visits", json=body)
    assert response.status_code == 201, response.get_json()
    visit = response.get_json()
    assert visit["visit"] == 2 and visit["episode_id"] == row["id"]
    assert visit["assessment"]["return_to_run"]["progression"] in ("advance", "hold",
                                                                   "back_off")
