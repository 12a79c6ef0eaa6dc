"""The FHIR endpoints in the OpenAPI document.

The resources the server sends are described by their outline only
(resourceType, canonical, status, items): the full rules are FHIR's and the
Questionnaire's. A request body is described by ``NewQuestionnaireResponse``,
which allows only what :func:`~ankle_intake.fhir.response.raw_answers` can
accept: the canonical, an assessable status, the Questionnaire's linkIds,
answers of one value[x] each, well-formed References and ``authored``. What
JSON Schema in OpenAPI 3.0 cannot say (which value[x] and option each linkId
takes, nesting, required items, the JSON path's ranges) still gets a 422
naming the linkId.
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec

from ..api.openapi import (
    AUDIT_UNAVAILABLE,
    CREATE_ERRORS,
    CREATED,
    ID_PARAMETER,
    IDEMPOTENCY_PARAMETER,
    error_response,
)
from ..forms.vocabulary import spec as field_spec
from . import FHIR_JSON, QUESTIONNAIRE_URL
from .questionnaire import VALUE_KEYS, definitions
from .response import _DATE_TIME, ASSESSABLE_STATUSES, FHIR_INTEGER_RANGE, REFERENCES

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
        "authored": {"type": "string", "description": (
            "A FHIR dateTime. A client's is kept with the record, as sent (the record's "
            "authored): a draft's response gives it back, else the time it was stored; a "
            "signed or amended one is authored when it was signed or amended.")},
        "author": {"type": "object", "description": (
            "Reference(Practitioner): identifier.value the user id, display the name. "
            "Not kept from a client: a stored intake's author is its signer.")},
        "subject": {"type": "object", "description": (
            "Reference(Patient): identifier.value (or reference Patient/<ref>) is "
            "patient_ref.")},
        "encounter": {"type": "object", "description": (
            "Reference(Encounter): identifier.value (or reference Encounter/<ref>) is "
            "encounter_ref.")},
        "item": {"type": "array", "items": _ref("QuestionnaireResponseItem")},
    },
}


def _literal(text: str) -> str:
    """``text`` as an ECMA-262 pattern that matches it literally."""
    return re.sub(r"([\\^$.|?*+()\[\]{}])", r"\\\1", text)


def _new_answer() -> dict[str, Any]:
    """One answer as raw_answers takes it: exactly one value[x], and no nested items."""
    options = [opt["valueCoding"] for definition, _ in definitions().values()
               for opt in definition.get("answerOption", [])]
    values: dict[str, dict[str, Any]] = {
        "valueBoolean": {"type": "boolean"},
        "valueCoding": {
            "type": "object",
            "description": "One of the item's answerOption codings (system and code; "
                           "display is not checked).",
            "required": ["system", "code"],
            "properties": {
                "system": {"type": "string", "enum": sorted({o["system"] for o in options})},
                "code": {"type": "string", "enum": sorted({o["code"] for o in options})},
                "display": {"type": "string"},
            },
        },
        "valueDate": {"type": "string", "format": "date"},
        "valueDecimal": {"type": "number"},
        "valueInteger": {"type": "integer", "minimum": FHIR_INTEGER_RANGE[0],
                         "maximum": FHIR_INTEGER_RANGE[1]},
        "valueString": {"type": "string"},
    }
    return {
        "type": "object",
        "description": "One answer: exactly one value[x], the one of the item's type "
                       "(valueCoding for a choice); an answer has no nested items.",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
        "properties": {key: values[key] for key in sorted(set(VALUE_KEYS.values()))},
    }


def _new_item() -> dict[str, Any]:
    answerable = sorted(link for link, (definition, _) in definitions().items()
                        if definition["type"] != "display")
    return {
        "type": "object",
        "description": "An item: a group holds items, any other item holds answers (one "
                       "unless the Questionnaire's item repeats), each linkId once, where "
                       "the Questionnaire puts it.",
        "required": ["linkId"],
        "properties": {
            "linkId": {"type": "string", "enum": answerable},
            "text": {"type": "string"},
            "answer": {"type": "array", "items": _ref("NewQuestionnaireResponseAnswer")},
            "item": {"type": "array", "items": _ref("NewQuestionnaireResponseItem")},
        },
    }


def _new_reference(element: str) -> dict[str, Any]:
    """subject or encounter: identifier.value, or reference <Type>/<ref>, or both alike."""
    key, kind = REFERENCES[element]
    longest = field_spec(key).max_length
    return {
        "type": "object",
        "description": (
            f"Reference({kind}): identifier.value, or reference {kind}/<ref>, is {key}; "
            f"when both are given, and when the item {key} is too, they must agree."),
        "anyOf": [{"required": ["identifier"]}, {"required": ["reference"]}],
        "properties": {
            "type": {"type": "string", "description": "Not checked."},
            "identifier": {"type": "object", "required": ["value"], "properties": {
                "value": {"type": "string", "maxLength": longest}}},
            "reference": {"type": "string",
                          "pattern": f"^{_literal(kind)}/[^/]{{1,{longest}}}$"},
            "display": {"type": "string"},
        },
    }


def _new_response() -> dict[str, Any]:
    ignored = "Ignored: not kept from a client."
    return {
        "type": "object",
        "description": (
            f"A QuestionnaireResponse sent to be assessed: it answers {QUESTIONNAIRE_URL} "
            f"(optionally |version) and is {' or '.join(ASSESSABLE_STATUSES)}. Only "
            "resourceType, questionnaire, status, item, subject, encounter, authored and "
            "author are read; any other top-level element (id, meta, text, extension, ...) "
            "is ignored, not refused, so the object stays open."),
        "required": ["resourceType", "questionnaire", "status", "item"],
        "properties": {
            "resourceType": {"type": "string", "enum": ["QuestionnaireResponse"]},
            "id": {"type": "string", "description": "Ignored: the server assigns the id."},
            "meta": {"type": "object", "description": ignored},
            "text": {"type": "object", "description": ignored},
            "questionnaire": {
                "type": "string",
                "description": f"{QUESTIONNAIRE_URL}, optionally followed by |version.",
                "pattern": f"^{_literal(QUESTIONNAIRE_URL)}(\\|[\\s\\S]*)?$",
            },
            "status": {"type": "string", "enum": list(ASSESSABLE_STATUSES)},
            "authored": {"type": "string", "pattern": f"^(?:{_DATE_TIME.pattern})$",
                         "description": "A FHIR dateTime (a time needs its zone); checked, "
                                        "not kept."},
            "author": {"type": "object", "description": "A Reference; not checked further, "
                                                        "not kept."},
            "subject": _new_reference("subject"),
            "encounter": _new_reference("encounter"),
            "item": {"type": "array", "minItems": 1,
                     "description": "The Questionnaire's required items must be answered.",
                     "items": _ref("NewQuestionnaireResponseItem")},
        },
    }


OPERATION_OUTCOME = {
    "type": "object",
    "description": "A FHIR R4 OperationOutcome: every error on the FHIR base is one. An issue "
                   "about one item names it in expression (item.where(linkId='...')).",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["severity", "code"],
            "properties": {
                "severity": {"type": "string", "enum": ["fatal", "error", "warning",
                                                       "information"]},
                "code": {"type": "string"},
                "diagnostics": {"type": "string"},
                "expression": {"type": "array", "items": {"type": "string"}},
            },
        }},
    },
}


def _resource(name: str, description: str) -> dict[str, Any]:
    return {"type": "object", "description": description, "required": ["resourceType"],
            "properties": {"resourceType": {"type": "string", "enum": [name]}}}


CAPABILITY_STATEMENT = _resource(
    "CapabilityStatement", "A FHIR R4 CapabilityStatement: what this FHIR base does.")
CODE_SYSTEM = _resource("CodeSystem", "A FHIR R4 CodeSystem: the codes of one answer key.")
OBSERVATION = _resource("Observation", "A FHIR R4 Observation: one outcome measure's score.")
BUNDLE = {
    **_resource("Bundle", "A FHIR R4 searchset Bundle of Questionnaires."),
    "required": ["resourceType", "type"],
}
BUNDLE["properties"] = {**BUNDLE["properties"],
                        "type": {"type": "string", "enum": ["searchset"]},
                        "total": {"type": "integer", "minimum": 0},
                        "entry": {"type": "array", "items": {"type": "object"}}}


def _new_response_body() -> dict[str, Any]:
    """The request body of both create operations: what the server may accept."""
    return {"required": True, "content": {
        FHIR_JSON: {"schema": "NewQuestionnaireResponse"},
        "application/json": {"schema": "NewQuestionnaireResponse"},
    }}


#: Tags of the FHIR operations in the OpenAPI document.
TAGS = ["FHIR"]


def _outcome(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {FHIR_JSON: {"schema": "OperationOutcome"}}}


#: The errors any operation on the FHIR base may give.
BASE_ERRORS: dict[str, dict[str, Any]] = {
    "403": _outcome("The host's authorize hook said no."),
    "405": _outcome("The method is not allowed here (Allow lists those that are)."),
}
#: The FHIR base's own errors of a create, besides 403 and 405.
CREATE_OUTCOMES: dict[str, str] = {
    **{code: text for code, text in CREATE_ERRORS.items() if code != "403"},
    "422": "Refused: one issue per problem, the linkId in expression; or the "
           "Idempotency-Key was used for another body.",
    "503": "The store or the audit trail did not answer; Retry-After says when to retry.",
}


def _read(operation_id: str, summary: str, schema: str,
          parameters: list[dict[str, Any]] | None = None, **errors: str) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id, "tags": TAGS, "summary": summary,
        "responses": {
            "200": {"description": summary, "content": {FHIR_JSON: {"schema": schema}}},
            **BASE_ERRORS,
            **{code.lstrip("_"): _outcome(text) for code, text in errors.items()},
        },
    }
    if parameters:
        operation["parameters"] = parameters
    return operation


def _path_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


def add_fhir_base_paths(spec: APISpec, prefix: str) -> None:
    """The FHIR REST base at ``<prefix>/fhir``, whose every error is an OperationOutcome."""
    base = f"{prefix}/fhir"
    search = [{"name": name, "in": "query", "required": False, "description": text,
               "schema": {"type": "string"}}
              for name, text in (("url", "The canonical URL, optionally |version."),
                                 ("_id", "The logical id."), ("version", "The version."))]
    spec.path(path=f"{base}/metadata", operations={"get": _read(
        "getFhirCapabilityStatement", "The CapabilityStatement of this FHIR base.",
        "CapabilityStatement")})
    spec.path(path=f"{base}/Questionnaire", operations={"get": {
        **_read("getFhirQuestionnaire",
                "With any of url, _id or version: a searchset Bundle (other parameters "
                "are ignored); with no parameter at all: the Questionnaire itself.",
                "Questionnaire", search),
        "responses": {
            "200": {"description": "The Questionnaire, or a searchset Bundle.",
                    "content": {FHIR_JSON: {"schema": {"oneOf": [
                        _ref("Questionnaire"), _ref("Bundle")]}}}},
            **BASE_ERRORS,
        },
    }})
    spec.path(path=f"{base}/Questionnaire/{{resource_id}}", operations={"get": _read(
        "readFhirQuestionnaire", "The Questionnaire by its id: ankle-intake, or an outcome "
        "measure (cait, faam-adl, faam-sports, lefs).",
        "Questionnaire", [_path_parameter("resource_id", "ankle-intake")],
        _404="No Questionnaire has this id.")})
    spec.path(path=f"{base}/CodeSystem/{{key}}", operations={"get": _read(
        "readFhirCodeSystem", "The CodeSystem of one answer key's codes, at the path of its "
        "canonical URL (pain_locations) or of its id (pain-locations).", "CodeSystem",
        [_path_parameter("key", "An answer key whose answers are codes.")],
        _404="No answer key with codes has this name.")})
    spec.path(path=f"{base}/CodeSystem/measures/{{measure}}", operations={"get": _read(
        "readFhirMeasureCodeSystem", "The CodeSystem of an outcome measure's option codes "
        "(its printed scores; na: not applicable).", "CodeSystem",
        [_path_parameter("measure", "cait, faam-adl, faam-sports or lefs.")],
        _404="No measure has this id.")})
    spec.path(path=f"{base}/QuestionnaireResponse/{{assessment_id}}", operations={"get": _read(
        "readFhirQuestionnaireResponse", "A stored intake as a QuestionnaireResponse (the "
        "export is audited), as getAssessmentFhir.", "QuestionnaireResponse", [ID_PARAMETER],
        _404="No record has this id.",
        _503="The audit trail or the store did not answer; Retry-After says when.")})
    spec.path(path=f"{base}/Observation/{{observation_id}}", operations={"get": _read(
        "readFhirObservation", "One outcome measure's score in a stored record (the export "
        "is audited).", "Observation",
        [_path_parameter("observation_id", "<record id>-<measure>, e.g. <id>-faam-adl.")],
        _404="No record has this id, or it has no score for that measure.",
        _503="The audit trail or the store did not answer; Retry-After says when.")})
    spec.path(path=f"{base}/QuestionnaireResponse", operations={"post": {
        "operationId": "createFhirQuestionnaireResponse",
        "tags": TAGS,
        "summary": "Assess and store an intake (as createAssessmentFromFhir); the answer is "
                   "the stored QuestionnaireResponse, Location its read URL.",
        "parameters": [IDEMPOTENCY_PARAMETER],
        "requestBody": _new_response_body(),
        "responses": {
            "201": {**CREATED, "content": {FHIR_JSON: {"schema": "QuestionnaireResponse"}}},
            **BASE_ERRORS,
            **{code: _outcome(text) for code, text in CREATE_OUTCOMES.items()},
        },
    }})


def add_fhir_paths(spec: APISpec, url_prefix: str) -> None:
    """Add the FHIR schemas and paths to ``spec`` (which already has Record and Error)."""
    spec.components.schema("Questionnaire", component=QUESTIONNAIRE)
    spec.components.schema("QuestionnaireResponseItem", component=RESPONSE_ITEM)
    spec.components.schema("QuestionnaireResponse", component=RESPONSE)
    spec.components.schema("NewQuestionnaireResponseAnswer", component=_new_answer())
    spec.components.schema("NewQuestionnaireResponseItem", component=_new_item())
    spec.components.schema("NewQuestionnaireResponse", component=_new_response())
    spec.components.schema("OperationOutcome", component=OPERATION_OUTCOME)
    spec.components.schema("CapabilityStatement", component=CAPABILITY_STATEMENT)
    spec.components.schema("CodeSystem", component=CODE_SYSTEM)
    spec.components.schema("Observation", component=OBSERVATION)
    spec.components.schema("Bundle", component=BUNDLE)
    prefix = url_prefix.rstrip("/")
    fhir_response = {FHIR_JSON: {"schema": "QuestionnaireResponse"}}
    add_fhir_base_paths(spec, prefix)
    spec.path(
        path=f"{prefix}/api/fhir/QuestionnaireResponse",
        operations={"post": {
            "operationId": "createAssessmentFromFhir",
            "summary": "Assess and store an intake sent as a QuestionnaireResponse.",
            "parameters": [IDEMPOTENCY_PARAMETER],
            "requestBody": _new_response_body(),
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
