"""The FHIR endpoints in the OpenAPI document.

The resources are described by their outline only (resourceType, canonical,
status, items): the full rules are FHIR's and the Questionnaire's, and a
response that breaks them gets a 422 naming the linkId.
"""

from __future__ import annotations

from apispec import APISpec

from ..api.openapi import (
    AUDIT_UNAVAILABLE,
    CREATE_ERRORS,
    CREATED,
    ID_PARAMETER,
    IDEMPOTENCY_PARAMETER,
    error_response,
)
from . import FHIR_JSON, QUESTIONNAIRE_URL
from .response import ASSESSABLE_STATUSES

R4_RESPONSE_STATUSES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


QUESTIONNAIRE = {
    "type": "object",
    "description": "A FHIR R4 Questionnaire (https://hl7.org/fhir/R4/questionnaire.html).",
    "required": ["resourceType", "url", "version", "status", "item"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["Questionnaire"]},
        "url": {"type": "string", "enum": [QUESTIONNAIRE_URL]},
        "version": {"type": "string"},
        "status": {"type": "string", "enum": ["active"]},
        "item": {"type": "array", "items": {"type": "object"}},
    },
}
RESPONSE_ITEM = {
    "type": "object",
    "required": ["linkId"],
    "properties": {
        "linkId": {"type": "string", "description": (
            "An answer key, a section (group.<name>), an Ottawa finding (ottawa.<finding>) "
            "or a special test (special_tests.<test>)."
        )},
        "text": {"type": "string"},
        "answer": {"type": "array", "items": {"type": "object"}},
        "item": {"type": "array", "items": _ref("QuestionnaireResponseItem")},
    },
}
RESPONSE = {
    "type": "object",
    "description": (
        "A FHIR R4 QuestionnaireResponse (https://hl7.org/fhir/R4/questionnaireresponse.html) "
        f"answering {QUESTIONNAIRE_URL}; only {' and '.join(ASSESSABLE_STATUSES)} responses "
        "are assessed."
    ),
    "required": ["resourceType", "questionnaire", "status"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["QuestionnaireResponse"]},
        "id": {"type": "string"},
        "questionnaire": {
            "type": "string",
            "description": f"{QUESTIONNAIRE_URL}, optionally followed by |version.",
        },
        "status": {"type": "string", "enum": list(R4_RESPONSE_STATUSES)},
        "authored": {"type": "string"},
        "author": {"type": "object", "description": (
            "Reference(Practitioner): identifier.value the user id, display the name.")},
        "item": {"type": "array", "items": _ref("QuestionnaireResponseItem")},
    },
}


def add_fhir_paths(spec: APISpec, url_prefix: str) -> None:
    """Add the FHIR schemas and paths to ``spec`` (which already has Record and Error)."""
    spec.components.schema("Questionnaire", component=QUESTIONNAIRE)
    spec.components.schema("QuestionnaireResponseItem", component=RESPONSE_ITEM)
    spec.components.schema("QuestionnaireResponse", component=RESPONSE)
    prefix = url_prefix.rstrip("/")
    fhir_response = {FHIR_JSON: {"schema": "QuestionnaireResponse"}}
    spec.path(
        path=f"{prefix}/fhir/Questionnaire",
        operations={"get": {
            "operationId": "getFhirQuestionnaire",
            "summary": "The intake as a FHIR R4 Questionnaire.",
            "responses": {
                "200": {"description": "The Questionnaire.",
                        "content": {FHIR_JSON: {"schema": "Questionnaire"}}},
                "403": {"description": "The host's authorize hook said no (an HTML page)."},
            },
        }},
    )
    spec.path(
        path=f"{prefix}/api/fhir/QuestionnaireResponse",
        operations={"post": {
            "operationId": "createAssessmentFromFhir",
            "summary": "Assess and store an intake sent as a QuestionnaireResponse.",
            "parameters": [IDEMPOTENCY_PARAMETER],
            "requestBody": {"required": True, "content": {
                FHIR_JSON: {"schema": "QuestionnaireResponse"},
                "application/json": {"schema": "QuestionnaireResponse"},
            }},
            "responses": {
                "201": CREATED,
                **{code: error_response(text) for code, text in CREATE_ERRORS.items()},
                "422": error_response("Refused (errors are keyed by linkId: the answer key, "
                                      "or special_tests.<test> for a special test), "
                                      "or the Idempotency-Key was used for another body."),
            },
        }},
    )
    spec.path(
        path=f"{prefix}/api/assessments/{{assessment_id}}/fhir",
        operations={"get": {
            "operationId": "getAssessmentFhir",
            "summary": "A stored intake as a QuestionnaireResponse (the export is audited): "
                       "in-progress while a draft, completed once signed, amended after an "
                       "addendum; author is the signer (a Practitioner reference), authored "
                       "the time of the latest signature.",
            "parameters": [ID_PARAMETER],
            "responses": {
                "200": {"description": "The QuestionnaireResponse.", "content": fhir_response},
                "403": error_response("The host's authorize hook said no."),
                "404": error_response("No record has this id."),
                "503": AUDIT_UNAVAILABLE,
            },
        }},
    )
