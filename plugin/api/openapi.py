"""The OpenAPI 3 document, generated with apispec from the same marshmallow schemas.

apispec is used directly rather than flask-smorest's ``Api(app)``, which would
install app-wide JSON error handlers on the host. :func:`finish` then gives every
operation what a client generator and a linter expect (an ``operationId``,
tags, the host's login as its security) whatever a surface's part left out,
and marks the answers' choice lists as sets (``uniqueItems``). Redocly's
``recommended`` and Spectral's ``oas`` rulesets pass over the result
(``tests/test_openapi_lint.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from ..forms import FIELDS, AnswersSchema
from ..store.decisions import MAX_PAGE
from ..version import __version__
from .schemas import (
    AddendumSchema,
    AssessmentSchema,
    AuditEntrySchema,
    ErrorSchema,
    NewAddendumSchema,
    PlanSchema,
    RecordSchema,
    WorklistPageSchema,
)

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


#: The one security scheme: the host's login, whatever it is. The plugin checks no
#: credential itself; its authorize hook asks the host about every request.
LOGIN = "hostLogin"
SECURITY_SCHEMES: dict[str, Any] = {
    LOGIN: {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": (
            "The host application's own login: its session cookie (Flask's default name is "
            "`session`), or whatever its proxy or SSO sets. The plugin checks no credential "
            "itself: the host's authorize hook (ANKLE_INTAKE_AUTHORIZE) decides every "
            "request, and the answer is 403 when it says no or when there is no hook."
        ),
    },
}

#: The document's tags, in the order a reader meets them.
TAGS: list[dict[str, str]] = [
    {"name": "assessments", "description": "Store an intake and read it back; the worklist."},
    {"name": "review", "description": "The clinician's plan, signature, addenda and the "
                                      "audit trail (contract 5)."},
    {"name": "episodes", "description": "Episodes of care: follow-up visits, progression "
                                        "and discharge (contract 6)."},
    {"name": "handout", "description": "The patient's handout as a PDF."},
    {"name": "FHIR", "description": "The same intake as FHIR R4 resources."},
    {"name": "meta", "description": "This document."},
]


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
        info={"description": "Ankle-pain intake for runners: answers in, assessment out.",
              "license": {"name": "MIT", "url": "https://opensource.org/license/mit"}},
        servers=[server(url_prefix)],
    )
    spec.components.security_scheme(LOGIN, SECURITY_SCHEMES[LOGIN])
    spec.components.schema("Answers", schema=AnswersSchema)
    spec.components.schema("Assessment", schema=AssessmentSchema)
    spec.components.schema("Plan", schema=PlanSchema)
    spec.components.schema("Addendum", schema=AddendumSchema)
    spec.components.schema("NewAddendum", schema=NewAddendumSchema)
    spec.components.schema("Record", schema=RecordSchema)
    spec.components.schema("Error", schema=ErrorSchema)
    base = url_prefix.rstrip("/") + "/api"
    record = {"application/json": {"schema": "Record"}}
    spec.path(
        path=f"{base}/assessments",
        operations={
            "get": {
                "operationId": "listAssessments",
                "tags": ["assessments"],
                "summary": "The worklist: stored intakes newest first, filtered, paged.",
                "parameters": WORKLIST_PARAMETERS,
                "responses": {
                    "200": {"description": "One page; next is the cursor of the next.",
                            "content": {"application/json": {"schema": "WorklistPage"}}},
                    "403": error_response("The host's authorize hook said no."),
                    "422": error_response("A parameter is refused; errors name it."),
                },
            },
            "post": {
                "operationId": "createAssessment",
                "tags": ["assessments"],
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
                "operationId": "getAssessment",
                "tags": ["assessments"],
                "summary": "The stored answers and assessment (the view is audited).",
                "parameters": [ID_PARAMETER],
                "responses": {
                    "200": {"description": "The stored record.", "content": record},
                    "403": error_response("The host's authorize hook said no."),
                    "404": error_response("No record has this id."),
                    "503": AUDIT_UNAVAILABLE,
                },
            }
        },
    )
    add_review_paths(spec, base)
    from .episodes_openapi import add_episode_paths  # it builds on this module's parts

    add_episode_paths(spec, base)
    spec.path(
        path=f"{base}/openapi.json",
        operations={"get": {"operationId": "getOpenApi",
                            "tags": ["meta"],
                            "summary": "This document.",
                            "responses": {
                                "200": {"description": "OpenAPI 3 document.",
                                        "content": {"application/json": {
                                            "schema": {"type": "object"}}}},
                                "403": error_response("The host's authorize hook said no."),
                            }}},
    )
    for part in parts:
        part(spec, url_prefix)
    return finish(spec.to_dict(), url_prefix)


def server(url_prefix: str) -> dict[str, str]:
    """The host's own origin: every path below already begins with the URL prefix."""
    prefix = url_prefix.rstrip("/") or "/"
    return {"url": "/", "description": (
        f"The host application's origin. The plugin is mounted under its URL prefix "
        f"(ANKLE_INTAKE_URL_PREFIX, here {prefix}), which every path below includes.")}


#: 503 of a route whose audit row could not be written: nothing was served.
AUDIT_UNAVAILABLE: dict[str, Any] = {
    **error_response("The audit trail could not record the request, so it was not served."),
    "headers": {"Retry-After": {"schema": {"type": "string"},
                                "description": "Seconds to wait before retrying."}},
}

WORKLIST_PARAMETERS: list[dict[str, Any]] = [
    {"name": "patient_ref", "in": "query", "required": False,
     "description": "Only this patient's intakes (exact match; empty: all).",
     "schema": {"type": "string", "maxLength": 64}},
    {"name": "status", "in": "query", "required": False,
     "schema": {"type": "string", "enum": ["draft", "signed"]}},
    {"name": "clinician", "in": "query", "required": False,
     "description": "A user id: who signed, or for a draft who stored it.",
     "schema": {"type": "string", "maxLength": 128}},
    {"name": "since", "in": "query", "required": False,
     "description": "Stored on or after this day (UTC).",
     "schema": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}},
    {"name": "until", "in": "query", "required": False,
     "description": "Stored on or before this day (UTC).",
     "schema": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 25}},
    {"name": "cursor", "in": "query", "required": False,
     "description": "The next of the page before (opaque).",
     "schema": {"type": "string", "minLength": 1}},
]


def add_review_paths(spec: APISpec, base: str) -> None:
    """The clinician's routes (contract 5): plan, sign, addenda, audit."""
    spec.components.schema("WorklistPage", schema=WorklistPageSchema)
    spec.components.schema("AuditEntry", schema=AuditEntrySchema)
    one = f"{base}/assessments/{{assessment_id}}"
    record = {"application/json": {"schema": "Record"}}
    forbidden = error_response("The host's authorize hook said no, or (signing) "
                               "ANKLE_INTAKE_CURRENT_USER names nobody.")
    missing = error_response("No record has this id.")
    body_errors = {
        "400": error_response("The body is empty or not JSON."),
        "413": error_response("The body is over ANKLE_INTAKE_MAX_BODY_BYTES."),
        "415": error_response("The content type is not JSON."),
    }
    spec.path(path=f"{one}/plan", operations={"put": {
        "operationId": "savePlan",
        "tags": ["review"],
        "summary": "Save the clinician's plan on a draft (it stays a draft).",
        "parameters": [ID_PARAMETER],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "Plan"}}},
        "responses": {
            "200": {"description": "The record with its plan.", "content": record},
            **body_errors, "403": forbidden, "404": missing,
            "409": error_response("The record is signed: it changes only by addendum."),
            "422": error_response("The plan is refused; errors name each field "
                                  "(exercises.<n>.<field>, override_reason)."),
        },
    }})
    spec.path(path=f"{one}/sign", operations={"post": {
        "operationId": "signAssessment",
        "tags": ["review"],
        "summary": "Sign the draft's plan as the current user: version 1, locked.",
        "parameters": [ID_PARAMETER],
        "responses": {
            "200": {"description": "The signed record.", "content": record},
            "403": forbidden, "404": missing,
            "409": error_response("The record is already signed."),
            "422": error_response("The plan saved on the draft no longer passes."),
        },
    }})
    spec.path(path=f"{one}/addenda", operations={"post": {
        "operationId": "addAddendum",
        "tags": ["review"],
        "summary": "Amend a signed record: a new version signed by the current user.",
        "parameters": [ID_PARAMETER, {
            **IDEMPOTENCY_PARAMETER,
            "description": "Optional. A retry with the same key and body answers 201 with "
                           "the record as that addendum left it (Idempotent-Replayed: true) "
                           "and adds nothing; the same key with another body or record: "
                           "422; while the first is still being made: 409."}],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": "NewAddendum"}}},
        "responses": {
            "201": {**CREATED, "description": "Amended; Location names the record."},
            **body_errors,
            "400": error_response("The body is empty or not JSON, or the Idempotency-Key "
                                  "is malformed."),
            "403": forbidden, "404": missing,
            "409": error_response("The record is a draft (save its plan instead), or a "
                                  "request with this Idempotency-Key is still being made."),
            "422": error_response("Refused; errors name each field (reason, plan.<field>), "
                                  "or the Idempotency-Key was used for another request."),
        },
    }})
    spec.path(path=f"{one}/audit", operations={"get": {
        "operationId": "getAuditTrail",
        "tags": ["review"],
        "summary": "Who created, viewed, planned, signed, amended, printed, exported or "
                   "erased the record, and when; kept after an erase.",
        "parameters": [ID_PARAMETER],
        "responses": {
            "200": {"description": "Oldest first; user ids, never names or answers.",
                    "content": {"application/json": {"schema": {
                        "type": "array", "items": "AuditEntry"}}}},
            "403": error_response("The host's authorize hook said no."),
            "404": error_response("Nothing is recorded for this id."),
        },
    }})


_WORD = re.compile(r"[A-Za-z0-9]+")
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def finish(doc: dict[str, Any], url_prefix: str = "") -> dict[str, Any]:
    """What every operation needs, whichever surface added it, and the answers' sets marked."""
    name_operations(doc, url_prefix)
    tag_operations(doc, url_prefix)
    secure_operations(doc)
    mark_choice_sets(doc)
    return doc


def _each_operation(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, operation) for path, operations in doc.get("paths", {}).items()
            for method, operation in operations.items()
            if method in _METHODS and isinstance(operation, dict)]


def tag_operations(doc: dict[str, Any], url_prefix: str = "") -> dict[str, Any]:
    """Tag an untagged operation by its path, and list every tag used at the top.

    A FHIR path is ``FHIR``; any other is tagged with its first word after the
    prefix (and ``api``). Tags of :data:`TAGS` keep their descriptions.
    """
    for path, operation in _each_operation(doc):
        if operation.get("tags"):
            continue
        words = [w for w in _WORD.findall(path[len(url_prefix.rstrip("/")):]) if w != "api"]
        operation["tags"] = ["FHIR" if "fhir" in words else (words[:1] or ["meta"])[0]]
    used = {tag for _, operation in _each_operation(doc) for tag in operation["tags"]}
    known = [tag for tag in TAGS if tag["name"] in used]
    named = {tag["name"] for tag in known}
    doc["tags"] = known + [{"name": tag, "description": f"The {tag} operations."}
                           for tag in sorted(used - named)]
    return doc


def secure_operations(doc: dict[str, Any]) -> dict[str, Any]:
    """The host's login on the document and on every operation that names no other."""
    requirement = [{LOGIN: []}]
    schemes = doc.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes.setdefault(LOGIN, SECURITY_SCHEMES[LOGIN])
    doc["security"] = requirement
    for _, operation in _each_operation(doc):
        operation.setdefault("security", requirement)
    return doc


def mark_choice_sets(doc: dict[str, Any]) -> dict[str, Any]:
    """``uniqueItems`` on each list of choices in the Answers schema.

    Those lists are sets: the schema keeps each choice once, however often it is
    sent. The marshmallow field cannot say so itself, so it is added here.
    """
    properties = doc["components"]["schemas"]["Answers"]["properties"]
    for spec in FIELDS:
        if spec.kind == "choices":
            prop = properties[spec.key]
            if prop.get("type") != "array":
                raise ValueError(f"Answers.{spec.key} is a list of choices but not an array")
            prop["uniqueItems"] = True
    return doc


def name_operations(doc: dict[str, Any], url_prefix: str = "") -> dict[str, Any]:
    """Give an ``operationId`` to any operation a part left without one (method + path).

    The surfaces name their own; this keeps the document valid for client
    generators whatever a part forgets. Refuses a duplicate, which a generator
    would silently mangle.
    """
    seen: set[str] = set()
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS or not isinstance(operation, dict):
                continue
            if "operationId" not in operation:
                local = path[len(url_prefix.rstrip("/")):]
                words = [w for w in _WORD.findall(local) if w != "api"]
                operation["operationId"] = method + "".join(w[:1].upper() + w[1:]
                                                            for w in words)
            if operation["operationId"] in seen:
                raise ValueError(f"operationId {operation['operationId']} is used twice")
            seen.add(operation["operationId"])
    return doc
