"""Episodes of care (contract 6): the visits of one runner, from first intake to discharge.

A first intake opens an episode in the transaction that stores it; a
follow-up is the episode's next visit, numbered under the write lock (SQLite)
or a row lock on the episode (``FOR UPDATE``), so two follow-ups at once get
2 and 3, never 2 twice. A discharged episode takes no more visits.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from .decisions import _audit, iso, now
from .tables import DISCHARGE_REASONS, assessments, episodes


class EpisodeClosed(Exception):
    """The episode is unknown (``known`` False) or discharged: it takes no visit."""

    def __init__(self, episode_id: str, known: bool) -> None:
        super().__init__(episode_id)
        self.known = known


def next_visit(conn: Connection, episode_id: str) -> int:
    """The next visit number of an open episode, its row locked until the commit."""
    row = conn.execute(
        select(episodes.c.status).where(episodes.c.id == episode_id).with_for_update()
    ).first()
    if row is None or row.status != "open":
        raise EpisodeClosed(episode_id, known=row is not None)
    last = conn.execute(
        select(func.max(assessments.c.visit)).where(assessments.c.episode_id == episode_id)
    ).scalar()
    return int(last or 0) + 1


#: The columns of a visit in an episode's list (no answers beyond what the page needs).
_VISIT_COLUMNS = (assessments.c.id, assessments.c.visit, assessments.c.created_at,
                  assessments.c.status, assessments.c.triage_level, assessments.c.answers,
                  assessments.c.assessment, assessments.c.plan)


class Episodes:
    """Mixed into :class:`~.records.Storage`, which supplies the engine and the write lock."""

    def _ready(self) -> Engine:  # pragma: no cover - supplied by Storage
        raise NotImplementedError

    def _writing(self) -> AbstractContextManager[None]:  # pragma: no cover
        raise NotImplementedError

    def episode_status(self, episode_id: str) -> str | None:
        """``open`` or ``discharged``, or None for an unknown episode: no visit is read."""
        with self._ready().connect() as conn:
            return conn.execute(
                select(episodes.c.status).where(episodes.c.id == episode_id)).scalar()

    def episode(self, episode_id: str) -> dict[str, Any] | None:
        """The episode with its visits in order (each a whole record), or None."""
        with self._ready().connect() as conn:
            row = conn.execute(
                select(episodes).where(episodes.c.id == episode_id)).mappings().first()
            if row is None:
                return None
            visits = conn.execute(
                select(*_VISIT_COLUMNS).where(assessments.c.episode_id == episode_id)
                .order_by(assessments.c.visit)
            ).mappings().all()
        return {
            "id": row["id"], "patient_ref": row["patient_ref"], "status": row["status"],
            "opened_at": iso(row["opened_at"]), "opened_by": row["opened_by"],
            "discharged_at": iso(row["discharged_at"]), "discharged_by": row["discharged_by"],
            "discharge_reason": row["discharge_reason"],
            "visits": [{**dict(v), "created_at": iso(v["created_at"])} for v in visits],
        }

    def discharge(self, episode_id: str, reason: str, user_id: str | None) -> bool:
        """Close an open episode with a reason; False when it is not open (or unknown).

        The audit row is filed under the episode's last visit, in the same transaction.
        """
        if reason not in DISCHARGE_REASONS:
            raise ValueError(reason)
        with self._writing(), self._ready().begin() as conn:
            done = conn.execute(
                update(episodes).where(episodes.c.id == episode_id, episodes.c.status == "open")
                .values(status="discharged", discharged_at=now(), discharged_by=user_id,
                        discharge_reason=reason))
            if done.rowcount != 1:
                return False
            last = conn.execute(
                select(assessments.c.id).where(assessments.c.episode_id == episode_id)
                .order_by(assessments.c.visit.desc()).limit(1)).scalar()
            if last is not None:
                _audit(conn, last, user_id, "discharge", None)
        return True

    def drop_empty_episodes(self, conn: Connection, episode_id: str | None = None) -> None:
        """Erase episodes (or one) whose every visit is erased: they hold a patient reference."""
        empty = ~select(assessments.c.id).where(
            assessments.c.episode_id == episodes.c.id).exists()
        if episode_id is not None:
            empty = empty & (episodes.c.id == episode_id)
        conn.execute(episodes.delete().where(empty))
