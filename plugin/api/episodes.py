"""Episodes in the JSON API (contract 6): follow-up visits, the episode, discharge.

A follow-up takes the intake's one path (validate, assess, store, announce)
with the episode's last visit as the assessment's ``previous``, and the same
``Idempotency-Key`` handling as a first intake.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, Response, abort, url_for

from ..forms import load_answers
from ..state import state
from ..store import review
from ..store.episodes import EpisodeClosed
from ..store.followup import EpisodeNotFound, submit_visit
from ..store.records import parse_id
from ..store.tables import DISCHARGE_REASONS
from .views import REQUEST, _json, create_from_body, read_json_body

NOT_FOUND = "No episode has this id."
CLOSED = "This episode is discharged: it takes no more visits."


def register(api: Blueprint) -> None:
    """Add the episode routes and the answers for their exceptions."""
    api.add_url_rule("/episodes/<episode_id>", "get_episode", get_episode)
    api.add_url_rule("/episodes/<episode_id>/visits", "add_visit", add_visit, methods=["POST"])
    api.add_url_rule("/episodes/<episode_id>/discharge", "discharge", discharge,
                     methods=["POST"])
    api.register_error_handler(EpisodeNotFound, lambda exc: _error(404, NOT_FOUND))
    api.register_error_handler(
        EpisodeClosed, lambda exc: _error(409, CLOSED) if exc.known else _error(404, NOT_FOUND))


def _error(status: int, message: str, key: str = REQUEST) -> Response:
    return _json({"status": status, "message": message, "errors": {key: [message]}}, status)


def _episode_id(episode_id: str) -> str:
    canonical = parse_id(episode_id)
    if canonical is None:
        abort(404, NOT_FOUND)
    return canonical


def visit_summary(visit: dict[str, Any]) -> dict[str, Any]:
    """One visit as the episode lists it: what changed, not the whole record."""
    answers, assessment = visit["answers"], visit["assessment"]
    rtr = assessment.get("return_to_run") or {}
    plan = visit.get("plan") or {}
    return {
        "id": visit["id"],
        "visit": visit["visit"],
        "assessment_date": answers.get("assessment_date"),
        "created_at": visit["created_at"],
        "status": visit["status"],
        "triage_level": visit["triage_level"],
        "pain_now": answers.get("pain_now"),
        "last_week": answers.get("last_week"),
        "progression": rtr.get("progression"),
        "progression_reasons": [r["clinician"] for r in rtr.get("progression_reasons", [])],
        "clinician_progression": plan.get("progression"),
        "stage": rtr.get("stage"),
        "measures": assessment.get("measures") or {},
    }


def episode_document(episode: dict[str, Any]) -> dict[str, Any]:
    """The episode as the API answers it: its state and its visits in order."""
    return {
        "id": episode["id"],
        "patient_ref": episode["patient_ref"],
        "status": episode["status"],
        "opened_at": episode["opened_at"],
        "discharged_at": episode["discharged_at"],
        "discharge_reason": episode["discharge_reason"],
        "visits": [visit_summary(v) for v in episode["visits"]],
    }


def get_episode(episode_id: str) -> Response:
    """The episode with its visits in order; each visit read is in the audit trail."""
    episode = state().storage.episode(_episode_id(episode_id))
    if episode is None:
        abort(404, NOT_FOUND)
    for visit in episode["visits"]:
        review.audited(visit["id"], "view")
    return _json(episode_document(episode), 200)


def add_visit(episode_id: str) -> Response:
    """A follow-up visit: 201 with the stored record, 404 unknown, 409 discharged."""
    canonical = _episode_id(episode_id)
    if state().storage.episode_status(canonical) is None:  # 404 before the body is judged
        abort(404, NOT_FOUND)
    return create_from_body(load_answers, f"API visit {canonical}",
                            partial(submit_visit, canonical))


def discharge(episode_id: str) -> Response:
    """Close the episode with a reason (``{"reason": ...}``): 200 with the episode."""
    canonical = _episode_id(episode_id)
    storage = state().storage
    if storage.episode_status(canonical) is None:
        abort(404, NOT_FOUND)
    body = read_json_body()
    reason = body.get("reason") if isinstance(body, dict) else None
    if reason not in DISCHARGE_REASONS:
        message = f"Reason must be one of: {', '.join(DISCHARGE_REASONS)}."
        return _json({"errors": {"reason": [message]}}, 422)
    if not storage.discharge(canonical, reason, review._require_user().id):
        return _error(409, "This episode is already discharged.")
    response = _json(episode_document(storage.episode(canonical)), 200)
    response.headers["Content-Location"] = url_for(".get_episode", episode_id=canonical)
    return response
