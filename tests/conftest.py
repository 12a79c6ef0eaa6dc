"""A fresh host app per test, with the plugin registered and its data under tmp_path."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from ankle_intake import AnkleIntake
from ankle_intake.extension import state

from casebook import build_wheel

PG_ENV = "ANKLE_INTAKE_TEST_POSTGRES_URL"
REQUIRE_PG_ENV = "ANKLE_INTAKE_REQUIRE_POSTGRES"

#: The smallest valid intake.
VALID: dict[str, Any] = {
    "side": "right",
    "onset": "sudden",
    "pain_locations": ["outer_ankle"],
    "pain_now": 3,
}


def make_host(
    root: Path,
    *,
    authorize: Callable[[], Any] | None = lambda: True,
    database_url: str | None = None,
    csrf: bool = False,
    register: bool = True,
    **config: Any,
) -> Flask:
    """A host app as a clinic would write it; the plugin sees only its config."""
    root.mkdir(parents=True, exist_ok=True)
    app = Flask("host", root_path=str(root), instance_path=str(root / "instance"))
    app.config.update(TESTING=True, SECRET_KEY="test-secret", WTF_CSRF_ENABLED=csrf)
    app.config["ANKLE_INTAKE_AUTHORIZE"] = authorize
    if database_url:
        app.config["ANKLE_INTAKE_DATABASE_URL"] = database_url
    app.config.update(config)
    if register:
        AnkleIntake(app)
    return app


def _clean(app: Flask, drop: bool) -> None:
    storage = state(app).storage
    if drop:
        storage.drop_tables()
    storage.dispose()


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once per test run for the packaging tests."""
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture
def database_url() -> str | None:
    """None = the default SQLite file; modules that test both override this fixture."""
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """ANKLE_INTAKE_TEST_POSTGRES_URL, narrowed to a schema of this test run's own.

    Two runs against one database (a developer's and a helper's, say) then
    never drop each other's tables.
    """
    url = os.environ.get(PG_ENV)
    if not url:
        yield None
        return
    schema = f"ankle_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database_url(request: pytest.FixtureRequest, postgres_url: str | None) -> str | None:
    """SQLite, then PostgreSQL when ANKLE_INTAKE_TEST_POSTGRES_URL names one."""
    if request.param == "sqlite":
        return None
    if not postgres_url:
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"{REQUIRE_PG_ENV}=1 but {PG_ENV} is not set", pytrace=False)
        pytest.skip(f"{PG_ENV} is not set")
    return postgres_url


@pytest.fixture
def app(tmp_path: Path, database_url: str | None) -> Iterator[Flask]:
    host = make_host(tmp_path / "host", database_url=database_url)
    if database_url:
        state(host).storage.drop_tables()  # a clean PostgreSQL; tables made on first use
    yield host
    _clean(host, drop=bool(database_url))


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build more host apps in one test (other settings, CSRF on, no hook, ...)."""
    made: list[Flask] = []

    def factory(**kwargs: Any) -> Flask:
        host = make_host(tmp_path / f"host{len(made)}", **kwargs)
        made.append(host)
        return host

    yield factory
    for host in made:
        if "ankle_intake" in host.extensions:
            _clean(host, drop=bool(host.config.get("ANKLE_INTAKE_DATABASE_URL")))


@pytest.fixture
def count(app: Flask) -> Callable[[], int]:
    """Rows stored so far in the app's database."""
    return lambda: state(app).storage.count()


@pytest.fixture
def valid() -> dict[str, Any]:
    """A fresh copy of the smallest valid intake."""
    return {k: (list(v) if isinstance(v, list) else v) for k, v in VALID.items()}
