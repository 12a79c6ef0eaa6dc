"""The OpenAPI 3 document, generated with apispec from the same marshmallow schemas.

apispec is used directly rather than flask-smorest's ``Api(app)``, which would
install app-wide JSON error handlers on the host.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from ..forms import AnswersSchema
from ..version import __version__
from .schemas import AssessmentSchema, ErrorSchema, RecordSchema

#: The record id in a path, shared by every operation on one stored intake.
ID_PARAMETER: dict[str, Any] = {"name": "assessment_id", "in": "path", "required": True,
                                "schema": {"type": "string", "format": "uuid"}}


#: The optional ``Idempotency-Key`` of both create operations (see ``idempotency.py``).
IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Optional. A retry with the same key and body answers with the record "
                   "already stored (header Idempotent-Replayed: true) instead of storing "
                   "it twice; the same key with another body is refused (422).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255,
               "pattern": "^[\\x21-\\x7e]+$"},
}

#: The answers a create operation may give besides 201 and 422.
CREATE_ERRORS: dict[str, str] = {
    "400": "The body is empty or not JSON, or the Idempotency-Key is malformed.",
    "403": "The host's authorize hook said no.",
    "409": "The Idempotency-Key belongs to a record that no longer exists.",
    "413": "The body is over ANKLE_INTAKE_MAX_BODY_BYTES.",
    "415": "The content type is not JSON.",
}


def error_response(description: str) -> dict[str, Any]:
    """An error answer whose body is the plugin's ``Error`` schema."""
    return {"description": description,
            "content": {"application/json": {"schema": "Error"}}}


#: A create operation's 201: the stored record, whether new or replayed.
CREATED: dict[str, Any] = {
    "description": "Stored; Location names the record.",
    "headers": {"Location": {"schema": {"type": "string"}},
                "Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]},
                                        "description": "Present on a replay only."}},
    "content": {"application/json": {"schema": "Record"}},
}


def build_spec(url_prefix: str, parts: Sequence[Callable[[APISpec, str], None]] = ()
               ) -> dict[str, Any]:
    """The OpenAPI document for the API mounted under ``url_prefix``.

    ``parts`` are the other surfaces' contributions, each called with the spec
    and the prefix; the API never imports them.
    """
    spec = APISpec(
        title="ankle-intake API",
        version=__version__,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Ankle-pain intake for runners: answers in, assessment out."},
    )
    spec.components.schema("Answers", schema=AnswersSchema)
    spec.components.schema("Assessment", schema=AssessmentSchema)
    spec.components.schema("Record", schema=RecordSchema)
    spec.components.schema("Error", schema=ErrorSchema)
    base = url_prefix.rstrip("/") + "/api"
    record = {"application/json": {"schema": "Record"}}
    spec.path(
        path=f"{base}/assessments",
        operations={
            "post": {
                "summary": "Assess and store one intake.",
                "parameters": [IDEMPOTENCY_PARAMETER],
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": "Answers"}}},
                "responses": {
                    "201": CREATED,
                    **{code: error_response(text) for code, text in CREATE_ERRORS.items()},
                    "422": error_response("Answers refused (errors name each field), or "
                                          "the Idempotency-Key was used for other answers."),
                },
            }
        },
    )
    spec.path(
        path=f"{base}/assessments/{{assessment_id}}",
        operations={
            "get": {
                "summary": "The stored answers and assessment.",
                "parameters": [ID_PARAMETER],
                "responses": {
                    "200": {"description": "The stored record.", "content": record},
                    "403": error_response("The host's authorize hook said no."),
                    "404": error_response("No record has this id."),
                },
            }
        },
    )
    spec.path(
        path=f"{base}/openapi.json",
        operations={"get": {"summary": "This document.",
                            "responses": {"200": {"description": "OpenAPI 3 document."}}}},
    )
    for part in parts:
        part(spec, url_prefix)
    return spec.to_dict()
