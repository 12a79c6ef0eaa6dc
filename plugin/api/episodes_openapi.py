"""The episodes' part of the OpenAPI document (contract 6): visits, episode, discharge."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from ..store.tables import DISCHARGE_REASONS
from .openapi import CREATED, IDEMPOTENCY_PARAMETER, error_response

EPISODE_ID: dict[str, Any] = {"name": "episode_id", "in": "path", "required": True,
                              "description": "The episode's id (a UUID), as a record's "
                                             "episode_id names it.",
                              "schema": {"type": "string", "maxLength": 64}}
_NULLABLE_TEXT = {"type": "string", "nullable": True}
_STAGE = {"type": "object", "nullable": True,
          "description": "Where the runner is on the way back: paused, a run-walk step "
                         "(1-3) or a week of the weekly plan.",
          "properties": {"kind": {"type": "string", "enum": ["paused", "run_walk", "weekly"]},
                         "step": {"type": "integer", "minimum": 1, "maximum": 3},
                         "week": {"type": "integer", "minimum": 1}}}
VISIT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "The visit's record id."},
        "visit": {"type": "integer", "minimum": 1},
        "assessment_date": {"type": "string", "format": "date"},
        "created_at": {"type": "string", "format": "date-time"},
        "status": {"type": "string", "enum": ["draft", "signed"]},
        "triage_level": _NULLABLE_TEXT,
        "pain_now": {"type": "integer", "nullable": True, "minimum": 0, "maximum": 10},
        "last_week": {"type": "object", "nullable": True,
                      "allOf": [{"$ref": "#/components/schemas/LastWeek"}]},
        "progression": {"type": "string", "nullable": True,
                        "enum": ["advance", "hold", "back_off", None]},
        "progression_reasons": {"type": "array", "items": {"type": "string"}},
        "clinician_progression": {"type": "string", "nullable": True,
                                  "enum": ["advance", "hold", "back_off", None]},
        "stage": _STAGE,
        "measures": {"type": "object", "additionalProperties": {"type": "object"},
                     "description": "Each measure's score, interpretation and change."},
    },
}
EPISODE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "patient_ref": _NULLABLE_TEXT,
        "status": {"type": "string", "enum": ["open", "discharged"]},
        "opened_at": {"type": "string", "format": "date-time"},
        "discharged_at": {"type": "string", "format": "date-time", "nullable": True},
        "discharge_reason": {"type": "string", "nullable": True,
                             "enum": [*DISCHARGE_REASONS, None]},
        "visits": {"type": "array", "items": {"$ref": "#/components/schemas/EpisodeVisit"}},
    },
}
DISCHARGE: dict[str, Any] = {
    "type": "object", "required": ["reason"], "additionalProperties": False,
    "properties": {"reason": {"type": "string", "enum": list(DISCHARGE_REASONS)}},
}


def add_episode_paths(spec: APISpec, base: str) -> None:
    """``/episodes/{id}``, ``/episodes/{id}/visits`` and ``/episodes/{id}/discharge``."""
    spec.components.schema("EpisodeVisit", component=VISIT)
    spec.components.schema("Episode", component=EPISODE)
    spec.components.schema("Discharge", component=DISCHARGE)
    one = f"{base}/episodes/{{episode_id}}"
    episode = {"application/json": {"schema": "Episode"}}
    forbidden = error_response("The host's authorize hook said no.")
    missing = error_response("No episode has this id.")
    body_errors = {
        "400": error_response("The body is empty or not JSON, or the Idempotency-Key is "
                              "malformed."),
        "413": error_response("The body is over ANKLE_INTAKE_MAX_BODY_BYTES."),
        "415": error_response("The content type is not JSON."),
    }
    spec.path(path=one, operations={"get": {
        "operationId": "getEpisode", "tags": ["episodes"],
        "summary": "The episode with its visits in order, each with its progression and "
                   "measure scores.",
        "parameters": [EPISODE_ID],
        "responses": {"200": {"description": "The episode.", "content": episode},
                      "403": forbidden, "404": missing},
    }})
    spec.path(path=f"{one}/visits", operations={"post": {
        "operationId": "addVisit", "tags": ["episodes"],
        "summary": "A follow-up visit: the answers again (contract 3 and 3b) with last_week; "
                   "assessed against the episode's last visit (progression).",
        "parameters": [EPISODE_ID, IDEMPOTENCY_PARAMETER],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": "Answers"}}},
        "responses": {
            "201": {**CREATED, "description": "Stored as the episode's next visit; Location "
                                              "names the record."},
            **body_errors, "403": forbidden, "404": missing,
            "409": error_response("The episode is discharged, or a request with this "
                                  "Idempotency-Key is still being made."),
            "422": error_response("Refused; errors name each field (last_week.<part>, "
                                  "patient_ref when it is not the episode's, "
                                  "assessment_date before the last visit)."),
        },
    }})
    spec.path(path=f"{one}/discharge", operations={"post": {
        "operationId": "dischargeEpisode", "tags": ["episodes"],
        "summary": "Close the episode with a reason; it takes no more visits.",
        "parameters": [EPISODE_ID],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": "Discharge"}}},
        "responses": {
            "200": {"description": "The discharged episode.", "content": episode},
            **{k: v for k, v in body_errors.items() if k != "400"},
            "400": error_response("The body is empty or not JSON."),
            "403": error_response("The host's authorize hook said no, or "
                                  "ANKLE_INTAKE_CURRENT_USER names nobody."),
            "404": missing,
            "409": error_response("The episode is already discharged."),
            "422": error_response("The reason is missing or not one of the listed ones."),
        },
    }})
