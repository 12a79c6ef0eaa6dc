"""Stored intakes, with SQLAlchemy Core so the plugin never collides with a host's ORM.

One row per intake, written in one transaction: either the answers and the
assessment are stored together or nothing is. Ids are random UUIDs (uuid4),
so a record cannot be found by guessing. The engine is created and the table
made on first use; ``flask ankle-intake init-db`` does the latter up front.
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

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    select,
    type_coerce,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator

from .claims import Claim
from .writer_lock import WriterLock

metadata = MetaData()

assessments = Table(
    "ankle_intake_assessments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("patient_ref", String(64), nullable=True),
    Column("encounter_ref", String(64), nullable=True),
    Column("rules_version", String(64), nullable=False),
    Column("answers", JSON, nullable=False),
    Column("assessment", JSON, nullable=False),
    Index("ix_ankle_intake_assessments_patient_ref", "patient_ref"),
)

#: ``Idempotency-Key`` values, each written in the same transaction as its record.
#: A table of its own, so ``create_all`` adds it to a store made by an older version.
idempotency_keys = Table(
    "ankle_intake_idempotency_keys",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("assessment_id", String(36), ForeignKey("ankle_intake_assessments.id"),
           nullable=False),
)

#: Compact JSON, as stored and as the API answers (``ensure_ascii=False``: UTF-8 end to end).
to_json = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


class _SerialisedJSON(TypeDecorator[Any]):
    """A JSON column's bind that takes text already serialised by :func:`to_json`."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Any) -> None:
        return None


#: Built once (a fresh ``insert().values(...)`` per call costs a new cache key). The
#: JSON goes in as text serialised once, and the API's answer is built from that text.
_INSERT = assessments.insert().values(
    answers=type_coerce(bindparam("answers"), _SerialisedJSON),
    assessment=type_coerce(bindparam("assessment"), _SerialisedJSON),
)


_INSERT_KEY = idempotency_keys.insert()


class KeyTaken(Exception):
    """Another request stored its intake under this idempotency key first."""


@dataclass(frozen=True)
class Stored:
    """A record just written, with the same record as the JSON document the API sends."""

    record: dict[str, Any]
    document: str


def sqlite_url(instance_path: str, filename: str) -> str:
    """The default database: a file in the host's instance folder."""
    return "sqlite:///" + os.path.join(instance_path, filename)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the result page read while another intake is written. FULL sync:
    # a 201 means the record survives a power cut too, not only a crash.
    # (Measured under load: NORMAL with our own fdatasync after the commit,
    # outside the write lock, was no faster, so the simpler FULL stays.)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


def parse_id(value: str) -> str | None:
    """The canonical form of a record id, or None when ``value`` is no UUID."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class Storage:
    """The intake store of one app; thread-safe, engine made lazily on first use."""

    def __init__(self, url: str, *, make_dirs: str | None = None) -> None:
        self.url = url
        self._make_dirs = make_dirs
        self._engine: Engine | None = None
        self._tables_ready = False
        self._lock = threading.RLock()
        self._writer: WriterLock | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._create_engine()
        return self._engine

    def _create_engine(self) -> Engine:
        if self._make_dirs:
            os.makedirs(self._make_dirs, exist_ok=True)
        engine = create_engine(self.url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            database = engine.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                self._writer = WriterLock(database + "-writer.lock")
        return engine

    def _writing(self) -> AbstractContextManager[None]:
        return self._writer.hold() if self._writer is not None else nullcontext()

    def create_tables(self) -> None:
        """Create the table if it is missing; safe to call more than once."""
        metadata.create_all(self.engine, checkfirst=True)
        self._tables_ready = True

    def _ready(self) -> Engine:
        if not self._tables_ready:
            with self._lock:
                if not self._tables_ready:
                    metadata.create_all(self.engine, checkfirst=True)
                    self._tables_ready = True
        return self.engine

    def add(self, answers: dict[str, Any], assessment: dict[str, Any],
            claim: Claim | None = None) -> Stored:
        """Store one intake in one transaction; the record and its JSON document.

        With an idempotency ``claim`` its key is stored in the same transaction;
        :class:`KeyTaken` when another request holds the key (nothing is stored).
        Everything is serialised before the write starts, so the write lock is
        held only for the insert and its commit.
        """
        record = {
            "id": str(uuid.uuid4()),
            "created_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
            "patient_ref": answers.get("patient_ref"),
            "encounter_ref": answers.get("encounter_ref"),
            "rules_version": str(assessment.get("rules_version", "")),
        }
        answers_json, assessment_json = to_json(answers), to_json(assessment)
        engine = self._ready()
        try:
            with self._writing(), engine.begin() as conn:
                conn.execute(_INSERT, {**record, "answers": answers_json,
                                       "assessment": assessment_json})
                if claim is not None:
                    conn.execute(_INSERT_KEY, {"key": claim.key,
                                               "fingerprint": claim.fingerprint,
                                               "assessment_id": record["id"]})
        except IntegrityError:
            if claim is None:
                raise
            raise KeyTaken(claim.key) from None
        public = _public({**record, "answers": answers, "assessment": assessment})
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
        return None if row is None else _public(dict(row))

    def find_claim(self, key: str) -> Claim | None:
        """The claim stored under an idempotency key, with the record it made."""
        with self._ready().connect() as conn:
            row = conn.execute(
                select(idempotency_keys).where(idempotency_keys.c.key == key)
            ).first()
        return None if row is None else Claim(row.key, row.fingerprint, row.assessment_id)

    def delete(self, record_id: str) -> bool:
        """Erase one intake and its idempotency keys in one transaction; False if unknown."""
        canonical = parse_id(record_id)
        if canonical is None:
            return False
        engine = self._ready()
        with self._writing(), engine.begin() as conn:
            conn.execute(idempotency_keys.delete()
                         .where(idempotency_keys.c.assessment_id == canonical))
            erased = conn.execute(assessments.delete().where(assessments.c.id == canonical))
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
            conn.execute(idempotency_keys.delete().where(
                idempotency_keys.c.assessment_id.in_(select(assessments.c.id).where(old))))
            return int(conn.execute(assessments.delete().where(old)).rowcount)

    def count(self) -> int:
        with self._ready().connect() as conn:
            return int(conn.execute(select(func.count()).select_from(assessments)).scalar_one())

    def drop_tables(self) -> None:
        """Drop the table (tests and tear-down only)."""
        metadata.drop_all(self.engine, checkfirst=True)
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


def _public(row: dict[str, Any]) -> dict[str, Any]:
    created = row["created_at"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.timezone.utc)
    return {
        "id": row["id"],
        "created_at": created.isoformat(),
        "patient_ref": row["patient_ref"],
        "encounter_ref": row["encounter_ref"],
        "rules_version": row["rules_version"],
        "answers": row["answers"],
        "assessment": row["assessment"],
    }
