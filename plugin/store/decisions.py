"""The clinician's side of a record: the plan, signing, addenda, the audit trail, the worklist.

A record is a ``draft`` until signed; its plan may change only then. Signing
locks it as version 1 and keeps the PDF as printed; after that it changes only
by addendum, each a new signed version with its own PDF, so every version
reprints exactly as it was given. Every change writes its audit row in the
same transaction; a view or a print writes its own, and a failure there
refuses the request (:class:`AuditFailed`) rather than serving it unrecorded.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..auth import User
from .claims import Claim
from .tables import AUDIT_ACTIONS, CLINICIAN, assessments, audit, idempotency_keys, versions


class KeyTaken(Exception):
    """Another request stored its intake (or addendum) under this idempotency key first."""

#: Largest worklist page.
MAX_PAGE = 100


class Locked(Exception):
    """The status forbids this change: a plan on a signed record, an addendum on a draft."""


class Unknown(Exception):
    """No record has this id."""


class AuditFailed(Exception):
    """The audit row could not be written, so the request it records must not be served."""


@dataclass(frozen=True)
class Signed:
    """A version just signed: its number and when."""

    version: int
    signed_at: str


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next: str | None


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def iso(moment: dt.datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC (SQLite hands it back without a zone)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.isoformat()


class Decisions:
    """Mixed into :class:`~.records.Storage`, which supplies the engine and the write lock."""

    def _ready(self) -> Engine:  # pragma: no cover - supplied by Storage
        raise NotImplementedError

    def _writing(self) -> AbstractContextManager[None]:  # pragma: no cover
        raise NotImplementedError

    def _status(self, conn: Connection, record_id: str) -> tuple[str, int]:
        row = conn.execute(
            select(assessments.c.status, assessments.c.version)
            .where(assessments.c.id == record_id)
        ).first()
        if row is None:
            raise Unknown(record_id)
        return str(row.status), int(row.version)

    def save_plan(self, record_id: str, plan: dict[str, Any], user_id: str | None) -> None:
        """Keep the clinician's plan on a draft (it stays a draft); :class:`Locked` once signed."""
        with self._writing(), self._ready().begin() as conn:
            status, version = self._status(conn, record_id)
            if status != "draft":
                raise Locked("A signed record changes only by addendum.")
            conn.execute(update(assessments).where(assessments.c.id == record_id)
                         .values(plan=plan))
            _audit(conn, record_id, user_id, "plan", version)

    def sign(self, record_id: str, plan: dict[str, Any], user: User, at: dt.datetime,
             render: Callable[[int], bytes]) -> Signed:
        """Sign a draft as version 1: who and when, the plan, and the PDF as printed.

        ``render(version)`` prints the signed handout; it runs before the write
        so a failure there signs nothing. :class:`Locked` when already signed.
        """
        pdf = render(1)
        with self._writing(), self._ready().begin() as conn:
            status, _ = self._status(conn, record_id)
            if status != "draft":
                raise Locked("This record is already signed.")
            conn.execute(update(assessments).where(assessments.c.id == record_id).values(
                status="signed", version=1, plan=plan, signed_by_id=user.id,
                signed_by_name=user.name, signed_at=at))
            conn.execute(versions.insert().values(
                assessment_id=record_id, version=1, plan=plan, reason=None,
                signed_by_id=user.id, signed_by_name=user.name, signed_at=at, pdf=pdf))
            _audit(conn, record_id, user.id, "sign", 1)
        return Signed(1, at.isoformat())

    def amend(self, record_id: str, reason: str, plan: dict[str, Any], user: User,
              at: dt.datetime, render: Callable[[int], bytes],
              claim: Claim | None = None) -> Signed:
        """Add an addendum: a new signed version; :class:`Locked` on a draft.

        The version number is read and written under the write lock (SQLite) or
        a row lock (``FOR UPDATE``), so two addenda at once get 2 and 3, not 2 twice.
        With an idempotency ``claim`` its key is written in the same transaction,
        its fingerprint ending ``:v<version>``; :class:`~.records.KeyTaken` (and
        nothing written) when a twin request holds the key.
        """
        with self._writing(), self._ready().begin() as conn:
            row = conn.execute(
                select(assessments.c.status, assessments.c.version)
                .where(assessments.c.id == record_id).with_for_update()
            ).first()
            if row is None:
                raise Unknown(record_id)
            if row.status != "signed":
                raise Locked("A draft is changed by saving its plan, not by an addendum.")
            version = int(row.version) + 1
            pdf = render(version)
            conn.execute(update(assessments).where(assessments.c.id == record_id).values(
                version=version, plan=plan))
            conn.execute(versions.insert().values(
                assessment_id=record_id, version=version, plan=plan, reason=reason,
                signed_by_id=user.id, signed_by_name=user.name, signed_at=at, pdf=pdf))
            _audit(conn, record_id, user.id, "amend", version)
            if claim is not None:
                try:
                    with conn.begin_nested():
                        conn.execute(idempotency_keys.insert().values(
                            key=claim.key, fingerprint=f"{claim.fingerprint}:v{version}",
                            assessment_id=record_id))
                except IntegrityError:
                    raise KeyTaken(claim.key) from None
        return Signed(version, at.isoformat())

    def version(self, record_id: str, number: int) -> dict[str, Any] | None:
        """One signed version: its plan, reason, signer, time and PDF; None if there is none."""
        with self._ready().connect() as conn:
            row = conn.execute(select(versions).where(
                versions.c.assessment_id == record_id, versions.c.version == number)
            ).mappings().first()
        if row is None:
            return None
        return {"version": row["version"], "plan": row["plan"], "reason": row["reason"],
                "signed_by": {"id": row["signed_by_id"], "name": row["signed_by_name"]}
                if row["signed_by_id"] or row["signed_by_name"] else None,
                "signed_at": iso(row["signed_at"]), "pdf": row["pdf"]}

    def log_event(self, record_id: str, user_id: str | None, action: str,
                  version: int | None = None) -> None:
        """Record a view, print or export in its own transaction; :class:`AuditFailed` if not."""
        try:
            with self._writing(), self._ready().begin() as conn:
                _audit(conn, record_id, user_id, action, version)
        except SQLAlchemyError as exc:
            raise AuditFailed(type(exc).__name__) from None

    def audit_trail(self, record_id: str) -> list[dict[str, Any]]:
        """Every audit row of a record, oldest first (kept after the record is erased)."""
        with self._ready().connect() as conn:
            rows = conn.execute(
                select(audit.c.at, audit.c.user_id, audit.c.action, audit.c.version)
                .where(audit.c.assessment_id == record_id).order_by(audit.c.id)
            ).all()
        return [{"at": iso(r.at), "user": r.user_id, "action": r.action, "version": r.version}
                for r in rows]

    def worklist(self, *, patient_ref: str | None = None, status: str | None = None,
                 clinician: str | None = None, since: dt.datetime | None = None,
                 until: dt.datetime | None = None, limit: int = 25,
                 cursor: str | None = None) -> Page:
        """Records newest first, filtered, one page at a time by keyset (``cursor``).

        Each filter has an index that starts with its column and ends with
        ``(created_at, id)``, so a page is an index range scan however many
        records are stored. ``clinician`` matches who signed or, for a draft,
        who stored it (one expression index, :data:`~.tables.CLINICIAN`).
        """
        limit = max(1, min(limit, MAX_PAGE))
        c = assessments.c
        query = select(c.id, c.created_at, c.patient_ref, c.status, c.version, c.triage_level,
                       c.created_by, c.signed_by_id, c.signed_by_name, c.signed_at, c.plan,
                       c.answers, c.episode_id, c.visit)
        if patient_ref:
            query = query.where(c.patient_ref == patient_ref)
        if status:
            # Beside a patient or a clinician, whose indexes are far more selective, the
            # status is compared as an expression so SQLite without statistics does not
            # pick the status index (measured: 1.8 s against 0.2 ms at 1,000,000 rows).
            # (PostgreSQL plans by its statistics and needs no such help: measured, the
            # expression there made status+clinician 170 ms instead of about 2.)
            narrow = bool(patient_ref or clinician) and self._ready().dialect.name == "sqlite"
            query = query.where((c.status + "" if narrow else c.status) == status)
        if clinician:
            query = query.where(CLINICIAN == clinician)
        if since is not None:
            query = query.where(c.created_at >= since)
        if until is not None:
            query = query.where(c.created_at < until)
        if cursor:
            at, last_id = decode_cursor(cursor)
            # Written so both databases read it as an index range, not a filter on a scan.
            query = query.where(c.created_at <= at,
                                or_(c.created_at < at, c.id < last_id))
        query = query.order_by(c.created_at.desc(), c.id.desc()).limit(limit + 1)
        with self._ready().connect() as conn:
            rows = conn.execute(query).mappings().all()
        more = len(rows) > limit
        rows = rows[:limit]
        items = [{
            "id": r["id"], "created_at": iso(r["created_at"]), "patient_ref": r["patient_ref"],
            "patient_name": (r["answers"] or {}).get("patient_name"),
            "status": r["status"], "version": r["version"],
            "suggested_level": r["triage_level"],
            "level": (r["plan"] or {}).get("triage_level") or r["triage_level"],
            "clinician": r["signed_by_id"] or r["created_by"],
            "signed_by_name": r["signed_by_name"], "signed_at": iso(r["signed_at"]),
            "episode_id": r["episode_id"], "visit": r["visit"],
        } for r in rows]
        nxt = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more and rows else None
        return Page(items, nxt)


def _audit(conn: Connection, record_id: str, user_id: str | None, action: str,
           version: int | None) -> None:
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(audit.insert().values(assessment_id=record_id, at=now(), user_id=user_id,
                                       action=action, version=version))


def encode_cursor(created_at: dt.datetime, record_id: str) -> str:
    """An opaque cursor: the last row's time and id, url-safe."""
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=dt.timezone.utc)
    raw = json.dumps([created_at.isoformat(), record_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class BadCursor(ValueError):
    """The cursor was not made by :func:`encode_cursor`."""


def decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, record_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = dt.datetime.fromisoformat(at)
        if not isinstance(record_id, str) or len(record_id) > 36:
            raise ValueError(record_id)
    except (ValueError, TypeError, UnicodeError) as exc:
        raise BadCursor("The cursor is not one this list gave out.") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment, record_id
