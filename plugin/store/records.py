"""Stored intakes, with SQLAlchemy Core so the plugin never collides with a host's ORM.

One row per intake, written in one transaction with its audit row: either the
answers, the assessment and the record of who stored them are written
together or nothing is. Ids are random UUIDs (uuid4), so a record cannot be
found by guessing. The engine is created and the store migrated to the newest
schema on first use; ``flask ankle-intake migrate`` does the latter up front.
The clinician's side (plan, sign, addenda) is in :mod:`.decisions`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import uuid
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Engine,
    bindparam,
    create_engine,
    event,
    func,
    literal,
    make_url,
    select,
    type_coerce,
)
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.types import TypeDecorator

from . import migrate
from .claims import Claim
from .decisions import Decisions, KeyTaken, iso, now
from .episodes import Episodes, next_visit
from .tables import (
    VERSION_TABLE,
    assessments,
    audit,
    episodes,
    idempotency_keys,
    metadata,
    versions,
)
from .writer_lock import WriterLock

#: The standard library's compact encoder, for what orjson refuses (see :func:`to_json`).
#: One encoder for the process (``json.dumps`` with options makes one per call); no
#: circular check, because what is stored is a tree: JSON as loaded, or the engine's output.
_stdlib_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                                check_circular=False).encode


def to_json(value: Any) -> str:
    """Compact JSON, as stored and as the API answers: UTF-8 end to end, no spaces.

    orjson writes the same text as the standard encoder with these options
    (measured: a stored assessment of 11.5 kB in a twelfth of the time, and
    every intake is encoded on the request's path); a float may be spelt
    more briefly (``1e-7`` for ``1e-07``), the same number. What it refuses (an
    integer beyond 64 bits, a key that is not text, a lone surrogate) is left
    to the standard encoder, so nothing that encoded before fails now. NaN
    never gets here: validation refuses it, as JSON has no such number.
    """
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, ValueError):
        return _stdlib_json(value)


class _SerialisedJSON(TypeDecorator[Any]):
    """A JSON column's bind that takes text already serialised by :func:`to_json`."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Any) -> None:
        return None


#: The JSON goes in as text serialised once, and the API's answer is built from that text.
_INSERT = assessments.insert().values(
    answers=type_coerce(bindparam("answers"), _SerialisedJSON),
    assessment=type_coerce(bindparam("assessment"), _SerialisedJSON))
_INSERT_AUDIT = audit.insert()
#: The inserts of one intake (see :class:`_Inserts`), each with the keys its values have.
_WRITES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "assessment": (_INSERT, ("id", "created_at", "patient_ref", "encounter_ref", "rules_version",
                             "answers", "assessment", "status", "version", "triage_level",
                             "created_by", "episode_id", "visit", "authored")),
    "episode": (episodes.insert(), ("id", "patient_ref", "opened_at", "opened_by", "status")),
    "audit": (_INSERT_AUDIT, ("assessment_id", "at", "user_id", "action", "version")),
    "key": (idempotency_keys.insert(), ("key", "fingerprint", "assessment_id")),
}


class _Inserts:
    """An intake's INSERTs compiled once for one dialect, run with ``exec_driver_sql``.

    ``Connection.execute`` looks a Core statement up in the compiled cache and
    binds it on every call: about 50 µs an insert, inside the write lock. This
    keeps what the one compilation made (the SQL, the parameters' order, type
    conversions such as SQLite's datetimes) and runs it on the same connection,
    so the transaction, error classes, ``handle_error`` and ``hide_parameters``
    are the engine's as before.
    """

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect
        self._made: dict[str, tuple[Any, dict[str, Any]]] = {}

    def run(self, conn: Any, name: str, values: dict[str, Any]) -> None:
        if name not in self._made:
            statement, keys = _WRITES[name]
            compiled = statement.compile(dialect=self.dialect, column_keys=list(keys))
            self._made[name] = compiled, {
                bind: p for bind, param in compiled.binds.items()
                if (p := param.type.dialect_impl(self.dialect).bind_processor(self.dialect))}
        compiled, processors = self._made[name]
        params = compiled.construct_params(values)
        for bind, process in processors.items():
            params[bind] = process(params[bind])
        order = compiled.positiontup
        conn.exec_driver_sql(compiled.string, params if order is None
                             else tuple(params[bind] for bind in order))


@dataclass(frozen=True)
class Stored:
    """A record just written, with the same record as the JSON document the API sends."""

    record: dict[str, Any]
    document: str


def sqlite_url(instance_path: str, filename: str) -> str:
    """The default database: a file in the host's instance folder."""
    return "sqlite:///" + os.path.join(instance_path, filename)


#: Seconds a request waits for the store by default (``ANKLE_INTAKE_DATABASE_TIMEOUT``).
DEFAULT_TIMEOUT = 5.0
#: Seconds a client should wait before retrying after the store did not answer.
RETRY_AFTER = 5
#: The exceptions a store outage raises, for the blueprints' error handlers
#: (which still ask :func:`is_outage`: DBAPIError covers integrity errors too).
STORE_ERRORS: tuple[type[Exception], ...] = (DBAPIError, PoolTimeout)


def is_outage(exc: BaseException) -> bool:
    """True for an error of the store itself: locked, full, read-only, corrupt, unreachable.

    Such a request answers 503 with ``Retry-After``. An integrity or data error
    is not one: it means the request or the code is wrong, and a retry would
    fail the same way, so it stays a 500.
    """
    if isinstance(exc, PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and not isinstance(exc, (IntegrityError, DataError))


def describe(exc: BaseException) -> str:
    """The store error's class and the database's own first line, never the statement's values.

    The engine hides bound parameters (``hide_parameters=True``) everywhere, so
    no message of SQLAlchemy's carries an answer; this short form is what the
    plugin logs when it answers 503.
    """
    orig = getattr(exc, "orig", None)
    detail = str(orig if orig is not None else exc).strip().splitlines()
    name = type(orig if orig is not None else exc).__name__
    return f"{type(exc).__name__} ({name}: {detail[0][:200] if detail else 'no message'})"


def _terse(context: Any) -> None:
    """Keep only the first line of the database's message (``handle_error`` event).

    PostgreSQL adds DETAIL and CONTEXT lines that can quote the row itself
    ("Failing row contains (...)": a name, the answers); ``hide_parameters``
    cannot hide those, so they are dropped before any log can see them. The
    error's class and SQLSTATE stay.
    """
    orig = context.original_exception
    args = getattr(orig, "args", None)
    if not (args and isinstance(args[0], str) and "\n" in args[0]):
        return
    full, first = args[0], args[0].split("\n", 1)[0]
    orig.args = (first, *args[1:])
    wrapped = context.sqlalchemy_exception  # its message was made from the full text
    if wrapped is not None and wrapped.args and isinstance(wrapped.args[0], str):
        wrapped.args = (wrapped.args[0].replace(full, first), *wrapped.args[1:])


def _sqlite_pragmas(busy_ms: int, dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the result page read while another intake is written. FULL sync:
    # a 201 means the record survives a power cut too, not only a crash.
    # (Measured under load: NORMAL with our own fdatasync after the commit,
    # outside the write lock, was no faster, so the simpler FULL stays.)
    # busy_timeout bounds the wait for a writer outside the plugin (a backup).
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    finally:
        cursor.close()


def _postgres_args(url: Any, timeout: float, *, bounded: bool) -> dict[str, Any]:
    """libpq options bounding every wait: connecting, each lock, each statement.

    A value the URL already sets (``?options=-c statement_timeout=...``,
    ``?connect_timeout=...``) wins; the URL's other options are kept.
    ``bounded=False`` (migrations) leaves lock and statement waits unbounded:
    another worker's migration or a long one must not fail half-way.
    """
    query = url.query
    options = query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    parts = [options] if options else []
    if bounded:
        if "lock_timeout" not in options:
            parts.append(f"-c lock_timeout={int(timeout * 1000)}")
        if "statement_timeout" not in options:
            parts.append(f"-c statement_timeout={int(timeout * 2000)}")
    args: dict[str, Any] = {}
    if parts:
        args["options"] = " ".join(parts)
    if "connect_timeout" not in query:
        args["connect_timeout"] = max(1, round(timeout))
    return args


def parse_id(value: str) -> str | None:
    """The canonical form of a record id, or None when ``value`` is no UUID."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class Storage(Decisions, Episodes):
    """The intake store of one app; thread-safe, engine made lazily on first use."""

    def __init__(self, url: str, *, make_dirs: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout
        self._make_dirs = make_dirs
        self._engine: Engine | None = None
        self._tables_ready = False
        self._lock = threading.RLock()
        self._writer: WriterLock | None = None
        self._compiled: _Inserts | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._create_engine()
        return self._engine

    def _create_engine(self, *, bounded: bool = True) -> Engine:
        """The engine: parameters hidden from every message, every wait bounded.

        ``hide_parameters``: a failed statement's message (logged by Flask, by
        the host, by SQLAlchemy's echo) names the SQL but never its values, so
        no answer or name reaches a log. Waits are bounded by ``self.timeout``:
        SQLite's busy timeout, PostgreSQL's ``lock_timeout`` (statements:
        twice it) and connect timeout, and the wait for a pooled connection.
        ``bounded=False`` is the migrations' engine (see :func:`_postgres_args`).
        """
        if self._make_dirs:
            os.makedirs(self._make_dirs, exist_ok=True)
        url = make_url(self.url)
        kwargs: dict[str, Any] = {"hide_parameters": True}
        if url.get_backend_name() == "postgresql" and url.get_driver_name() in (
                "psycopg", "psycopg2"):
            kwargs["connect_args"] = _postgres_args(url, self.timeout, bounded=bounded)
        try:  # a QueuePool waits this long for a free connection (default 30 s)
            engine = create_engine(url, pool_timeout=self.timeout, **kwargs)
        except TypeError:  # a pool without a wait (SQLite in memory)
            engine = create_engine(url, **kwargs)
        event.listen(engine, "handle_error", _terse)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", partial(_sqlite_pragmas, int(self.timeout * 1000)))
            database = engine.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                self._writer = WriterLock(database + "-writer.lock")
        return engine

    def _inserts(self, engine: Engine) -> _Inserts:
        inserts = self._compiled
        if inserts is None or inserts.dialect is not engine.dialect:
            inserts = self._compiled = _Inserts(engine.dialect)
        return inserts

    def _writing(self) -> AbstractContextManager[None]:
        return self._writer.hold() if self._writer is not None else nullcontext()

    def create_tables(self) -> str:
        """Migrate the store to the newest schema; safe to repeat. The revision reached.

        On PostgreSQL the migration runs on an engine of its own without the
        lock and statement timeouts, so a long migration, or a worker waiting
        for another's, is never cancelled half-way.
        """
        engine = self.engine
        if engine.dialect.name == "postgresql":
            engine = self._create_engine(bounded=False)
        try:
            revision = migrate.upgrade(engine, self._writing())
        finally:
            if engine is not self.engine:
                engine.dispose()
        self._tables_ready = True
        return revision

    def health(self) -> str:
        """Read the store as a request would: its schema revision and the intake table.

        Migrates a new store first (as the first request would). Raises the
        store's own error when it cannot be read (corrupt, a table missing,
        unreachable), and :class:`LookupError` when it records no revision.
        """
        with self._ready().connect() as conn:
            revision = conn.exec_driver_sql(
                f"SELECT version_num FROM {VERSION_TABLE}").scalar()
            conn.execute(select(literal(1)).select_from(assessments).limit(1)).all()
        if not revision:
            raise LookupError("the store records no schema revision")
        return str(revision)

    def _ready(self) -> Engine:
        if not self._tables_ready:
            with self._lock:
                if not self._tables_ready:
                    self.create_tables()
        return self.engine

    def add(self, answers: dict[str, Any], assessment: dict[str, Any],
            claim: Claim | None = None, user_id: str | None = None,
            episode_id: str | None = None, authored: str | None = None) -> Stored:
        """Store one intake, a draft, in one transaction; the record and its JSON document.

        With an idempotency ``claim`` its key is stored in the same transaction;
        :class:`KeyTaken` when another request holds the key (nothing is stored).
        The audit row ("create", by ``user_id``) is part of the same transaction.
        Everything is serialised, and the connection taken from the pool, before
        the write starts, so the write lock is held only for the inserts and their
        commit (the pool's reset on return is outside it too).

        Without ``episode_id`` the intake opens an episode (its first visit);
        with one it is the episode's next visit, numbered in the same
        transaction, and :class:`EpisodeClosed` when the episode is unknown or
        discharged (nothing is stored). ``authored`` is a FHIR client's
        ``QuestionnaireResponse.authored``, kept as it was sent.
        """
        stored_at = now()
        record_id = str(uuid.uuid4())
        record = {
            "id": record_id, "created_at": stored_at,
            "patient_ref": answers.get("patient_ref"),
            "encounter_ref": answers.get("encounter_ref"),
            "rules_version": str(assessment.get("rules_version", "")), "status": "draft",
            "version": 1, "triage_level": (assessment.get("triage") or {}).get("level"),
            "created_by": user_id,
            "episode_id": episode_id or str(uuid.uuid4()), "visit": 1,
            "authored": authored,
        }
        answers_json, assessment_json = to_json(answers), to_json(assessment)
        row = {**record, "answers": answers_json, "assessment": assessment_json}
        entry = {"assessment_id": record["id"], "at": stored_at, "user_id": user_id,
                 "action": "create", "version": 1}
        engine = self._ready()
        inserts = self._inserts(engine)
        try:
            with engine.connect() as conn, self._writing(), conn.begin():
                if episode_id is None:
                    inserts.run(conn, "episode", {
                        "id": record["episode_id"], "patient_ref": record["patient_ref"],
                        "opened_at": stored_at, "opened_by": user_id, "status": "open"})
                else:
                    row["visit"] = record["visit"] = next_visit(conn, episode_id)
                inserts.run(conn, "assessment", row)
                inserts.run(conn, "audit", entry)
                if claim is not None:
                    inserts.run(conn, "key", {"key": claim.key, "fingerprint": claim.fingerprint,
                                              "assessment_id": record["id"]})
        except IntegrityError:
            if claim is None:
                raise
            raise KeyTaken(claim.key) from None
        public = _public({**record, "answers": answers, "assessment": assessment, "plan": None,
                          "signed_by_id": None, "signed_by_name": None, "signed_at": None},
                         addenda=[])
        head = to_json({k: v for k, v in public.items() if k not in ("answers", "assessment")})
        document = f'{head[:-1]},"answers":{answers_json},"assessment":{assessment_json}}}'
        return Stored(public, document)

    def get(self, record_id: str) -> dict[str, Any] | None:
        """The stored record, or None for an unknown or malformed id."""
        canonical = parse_id(record_id)
        if canonical is None:
            return None
        with self._ready().connect() as conn:
            row = conn.execute(
                select(assessments).where(assessments.c.id == canonical)
            ).mappings().first()
            if row is None:
                return None
            addenda = conn.execute(
                select(versions.c.version, versions.c.reason, versions.c.signed_by_id,
                       versions.c.signed_by_name, versions.c.signed_at)
                .where(versions.c.assessment_id == canonical, versions.c.version > 1)
                .order_by(versions.c.version)
            ).mappings().all()
        return _public(dict(row), addenda=[_addendum(dict(a)) for a in addenda])

    def find_claim(self, key: str) -> Claim | None:
        """The claim stored under an idempotency key, with the record it made."""
        with self._ready().connect() as conn:
            row = conn.execute(
                select(idempotency_keys).where(idempotency_keys.c.key == key)
            ).first()
        return None if row is None else Claim(row.key, row.fingerprint, row.assessment_id)

    def delete(self, record_id: str, user_id: str | None = None) -> bool:
        """Erase one intake, its versions and keys in one transaction; False if unknown."""
        canonical = parse_id(record_id)
        if canonical is None:
            return False
        engine = self._ready()
        with self._writing(), engine.begin() as conn:
            conn.execute(idempotency_keys.delete()
                         .where(idempotency_keys.c.assessment_id == canonical))
            conn.execute(versions.delete().where(versions.c.assessment_id == canonical))
            episode_id = conn.execute(select(assessments.c.episode_id)
                                      .where(assessments.c.id == canonical)).scalar()
            erased = conn.execute(assessments.delete().where(assessments.c.id == canonical))
            if episode_id is not None:
                self.drop_empty_episodes(conn, episode_id)
            if erased.rowcount == 1:  # the audit rows stay: they hold no patient data
                conn.execute(_INSERT_AUDIT, {"assessment_id": canonical, "at": now(),
                                             "user_id": user_id, "action": "erase",
                                             "version": None})
        return erased.rowcount == 1

    def purge(self, before: dt.datetime, *, dry_run: bool = False) -> int:
        """Erase every intake stored before ``before`` (with its keys); how many.

        One transaction, so a purge stopped half-way erases nothing. ``dry_run``
        only counts.
        """
        old = assessments.c.created_at < before.astimezone(dt.timezone.utc)
        engine = self._ready()
        if dry_run:
            with engine.connect() as conn:
                count = select(func.count()).select_from(assessments).where(old)
                return int(conn.execute(count).scalar_one())
        with self._writing(), engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # a large purge may take long: let it
                conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
            doomed = select(assessments.c.id).where(old)
            conn.execute(audit.insert().from_select(
                ["assessment_id", "at", "action"],
                select(assessments.c.id, literal(now(), audit.c.at.type),
                       literal("erase", audit.c.action.type)).where(old)))
            conn.execute(idempotency_keys.delete().where(
                idempotency_keys.c.assessment_id.in_(doomed)))
            conn.execute(versions.delete().where(versions.c.assessment_id.in_(doomed)))
            erased = int(conn.execute(assessments.delete().where(old)).rowcount)
            self.drop_empty_episodes(conn)
            return erased

    def count(self) -> int:
        with self._ready().connect() as conn:
            return int(conn.execute(select(func.count()).select_from(assessments)).scalar_one())

    def drop_tables(self) -> None:
        """Drop every table of the plugin, its version table too (tests and tear-down only)."""
        metadata.drop_all(self.engine, checkfirst=True)
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {VERSION_TABLE}")
        self._tables_ready = False

    def dispose(self) -> None:
        """Close every pooled connection; the engine is made again on next use."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
            if self._writer is not None:
                self._writer.close()
            self._writer = None
            self._tables_ready = False


def _signer(user_id: str | None, name: str | None) -> dict[str, Any] | None:
    return None if user_id is None and name is None else {"id": user_id, "name": name}


def _addendum(row: dict[str, Any]) -> dict[str, Any]:
    return {"version": row["version"], "reason": row["reason"],
            "signed_by": _signer(row["signed_by_id"], row["signed_by_name"]),
            "signed_at": iso(row["signed_at"])}


def _public(row: dict[str, Any], addenda: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_at": iso(row["created_at"]),
        "patient_ref": row["patient_ref"],
        "encounter_ref": row["encounter_ref"],
        "rules_version": row["rules_version"],
        "status": row["status"],
        "version": row["version"],
        "created_by": row["created_by"],
        "plan": row["plan"],
        "signed_by": _signer(row["signed_by_id"], row["signed_by_name"]),
        "signed_at": iso(row["signed_at"]),
        "addenda": addenda,
        "episode_id": row.get("episode_id"),
        "visit": row.get("visit"),
        "authored": row.get("authored"),
        "answers": row["answers"],
        "assessment": row["assessment"],
    }
