"""The FHIR REST base at ``<prefix>/fhir``: read, search, create and the CapabilityStatement.

A blueprint nested in the plugin's, so the authorize hook, ``no-store`` and the
security headers apply as everywhere, while every error on the base, including
the hook's 403, an unknown path and a wrong method, is an OperationOutcome
(``application/fhir+json``). The interactions:

- ``GET metadata``: the CapabilityStatement of this server;
- ``GET Questionnaire/ankle-intake``, and ``GET Questionnaire?url=...`` (or
  ``_id``, ``version``), a searchset Bundle. ``GET Questionnaire`` with no
  parameter at all answers with the Questionnaire itself, as it always has;
- ``GET CodeSystem/<answer key>``: the codes of one answer, at the path of
  its canonical URL (``pain_locations``) and of its id (``pain-locations``);
- ``GET Questionnaire/<measure>``: an outcome measure's Questionnaire (``cait``,
  ``faam-adl``, ...), found by ``url`` too; ``GET Observation/<id>-<measure>``: a
  stored score, audited as an export (see :mod:`.measures`);
- ``GET QuestionnaireResponse/<id>``: a stored intake, audited as an export,
  exactly as ``GET /api/assessments/<id>/fhir``;
- ``POST QuestionnaireResponse``: exactly ``POST /api/fhir/QuestionnaireResponse``
  (same body reader, idempotency and 422s), answered with the stored response
  (201, ``Location`` its read URL) or an OperationOutcome whose issues name
  the linkId in ``expression``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from ..api import create_from_body
from ..guidance.measures import assess_measures
from ..state import state
from ..store import review
from ..store.decisions import AuditFailed
from ..store.records import RETRY_AFTER, STORE_ERRORS, describe, is_outage
from ..version import __version__
from . import FHIR_JSON
from .codesystems import code_system_keys, code_system_resource
from .episodes import converter
from .measures import (
    measure_code_system,
    measure_for,
    measure_observation,
    measure_questionnaire,
    measure_questionnaires,
    split_observation_id,
)
from .questionnaire import QUESTIONNAIRE_ID, definitions, questionnaire
from .response import stored_response

log = logging.getLogger("ankle_intake")

#: OperationOutcome ``issue.code`` per HTTP status (http://hl7.org/fhir/issue-type).
ISSUE_CODES: dict[int, str] = {
    400: "structure", 403: "forbidden", 404: "not-found", 405: "not-supported",
    409: "conflict", 411: "structure", 413: "too-costly", 415: "not-supported",
    422: "invalid", 503: "transient",
}
#: Search parameters of ``Questionnaire`` this server understands; others are ignored.
QUESTIONNAIRE_SEARCH = ("url", "_id", "version")
#: When this process started: the CapabilityStatement's ``date`` (it describes this instance).
STARTED = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def fhir_response(resource: dict[str, Any], status: int = 200) -> Response:
    """A resource as ``application/fhir+json``."""
    return current_app.response_class(
        json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n",
        status=status, mimetype=FHIR_JSON,
    )


def expression(key: str) -> list[str]:
    """The FHIRPath of what an error key names: an item by its linkId, or an element."""
    defs = definitions()
    if key in defs:
        path: list[str] = []
        link: str | None = key
        while link is not None:
            path.insert(0, f"item.where(linkId='{link}')")
            link = defs[link][1]
        return ["QuestionnaireResponse." + ".".join(path)]
    if key.isidentifier() and not key.startswith("_"):
        return [f"QuestionnaireResponse.{key}"]
    return []


def operation_outcome(status: int, errors: dict[str, list[str]]) -> dict[str, Any]:
    """An OperationOutcome with one error issue per message, located where the key says."""
    code = ISSUE_CODES.get(status, "processing" if status < 500 else "exception")
    issues = []
    for key, messages in errors.items():
        for message in messages:
            issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": message}
            where = expression(key)
            if where:
                issue["expression"] = where
            issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def _outcome(status: int, message: str) -> Response:
    return fhir_response(operation_outcome(status, {"_request": [message]}), status)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    response = _outcome(status, exc.description or exc.name)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    retry = getattr(exc, "retry_after", None)
    if retry is not None:
        response.headers["Retry-After"] = str(retry)
    return response


def _audit_failed(exc: AuditFailed) -> Response:
    response = _outcome(503, "The audit trail could not record this request; try again shortly.")
    response.headers["Retry-After"] = "5"
    return response


def _store_error(exc: Exception) -> Response:
    """A store outage as a 503 OperationOutcome; any other database error stays a 500."""
    if not is_outage(exc):
        raise exc
    log.error("ankle-intake: the store did not answer, 503: %s", describe(exc))
    response = _outcome(503, "The intake store is not answering (busy or unavailable), so "
                             "nothing was stored or read; retry after Retry-After seconds.")
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def capability_statement() -> dict[str, Any]:
    """What this base does, for ``GET metadata`` (kind ``instance``: this server)."""
    base = url_for(".metadata", _external=True).rsplit("/", 1)[0]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": STARTED,
        "publisher": "ankle-intake",
        "kind": "instance",
        "software": {"name": "ankle-intake", "version": __version__},
        "implementation": {"description": "The ankle intake's FHIR base.", "url": base},
        "fhirVersion": "4.0.1",
        "format": [FHIR_JSON, "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Access is decided by the host's authorize hook; a refusal is a "
                             "403 OperationOutcome.",
            "resource": [
                {"type": "Questionnaire",
                 "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": [
                     {"name": "url", "type": "uri"},
                     {"name": "_id", "type": "token"},
                     {"name": "version", "type": "token"},
                 ]},
                {"type": "QuestionnaireResponse",
                 "interaction": [{"code": "read"}, {"code": "create"}]},
                {"type": "CodeSystem", "interaction": [{"code": "read"}]},
                {"type": "Observation", "interaction": [{"code": "read"}],
                 "documentation": "An outcome measure's score: Observation/<record id>-<measure>."},
            ],
        }],
    }


def metadata() -> Response:
    """The CapabilityStatement."""
    return fhir_response(capability_statement())


def _matches(resource: dict[str, Any], args: dict[str, str]) -> bool:
    url = args.get("url")
    if url is not None:
        canonical, _, version = url.partition("|")
        if canonical != resource["url"] or (version and version != resource["version"]):
            return False
    if "_id" in args and args["_id"] != resource["id"]:
        return False
    return "version" not in args or args["version"] == resource["version"]


def search_questionnaire() -> Response:
    """A searchset Bundle; with no parameter at all, the Questionnaire itself (as always)."""
    resource = questionnaire()
    if not request.args:
        return fhir_response(resource)
    args = {name: request.args[name] for name in QUESTIONNAIRE_SEARCH if name in request.args}
    found = [r for r in (resource, *measure_questionnaires()) if _matches(r, args)]
    return fhir_response({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(found),
        "link": [{"relation": "self", "url": request.url}],
        "entry": [
            {"fullUrl": url_for(".read_questionnaire", resource_id=r["id"], _external=True),
             "resource": r, "search": {"mode": "match"}}
            for r in found
        ],
    })


def read_questionnaire(resource_id: str) -> Response:
    """The Questionnaire by its id."""
    measure_id = measure_for(resource_id)
    if measure_id is not None:
        return fhir_response(measure_questionnaire(measure_id))
    if resource_id != QUESTIONNAIRE_ID:
        abort(404, f"No Questionnaire has this id; the intake is {QUESTIONNAIRE_ID}.")
    return fhir_response(questionnaire())


def read_code_system(key: str) -> Response:
    """One answer's CodeSystem, by its key (the canonical path) or by its id."""
    resource = code_system_resource(key.replace("-", "_"))
    if resource is None:
        known = ", ".join(code_system_keys())
        abort(404, f"No CodeSystem has this name; the answer keys with codes are {known}.")
    return fhir_response(resource)


def read_measure_code_system(measure: str) -> Response:
    """A measure's option codes (its printed scores), at their canonical path."""
    resource = measure_code_system(measure)
    if resource is None:
        abort(404, "No measure has this id.")
    return fhir_response(resource)


def get_assessment(assessment_id: str) -> Response:
    """A stored intake as a QuestionnaireResponse, audited as an export first.

    Named ``get_assessment`` on purpose: the API's ``create_from_body`` sets
    ``Location`` to the current blueprint's ``.get_assessment``, which on this
    base is this read, as FHIR wants.
    """
    record = state().storage.get(assessment_id)
    if record is None:
        abort(404, "No QuestionnaireResponse has this id.")
    review.audited(record["id"], "export", record["version"])
    return fhir_response(stored_response(record))


def read_observation(observation_id: str) -> Response:
    """One outcome measure's score in a stored record, audited as an export like the response.

    Read from the assessment's ``measures``; a record stored before the
    assessment carried them is scored from its answers (the same scorer).
    """
    parts = split_observation_id(observation_id)
    record = state().storage.get(parts[0]) if parts else None
    if parts is None or record is None:
        abort(404, "No Observation has this id; ids are <record id>-<measure>.")
    measure_id = parts[1]
    assessment = record.get("assessment") or {}
    scored = (assessment.get("measures") if "measures" in assessment
              else assess_measures(record.get("answers", {}).get("measures") or {}))
    if not scored or measure_id not in scored:
        abort(404, "This record has no score for that measure.")
    review.audited(record["id"], "export", record["version"])
    answers = record.get("answers", {})
    return fhir_response(measure_observation(
        record["id"], measure_id, scored[measure_id], subject=answers.get("patient_ref"),
        encounter=answers.get("encounter_ref"), effective=answers.get("assessment_date"),
        issued=record.get("created_at")))


def create_response() -> Response:
    """``POST /api/fhir/QuestionnaireResponse``'s logic, answered in FHIR."""
    convert, store = converter()
    answer = create_from_body(convert, "FHIR", store)
    body = json.loads(answer.get_data())
    if answer.status_code == 201:
        created = fhir_response(stored_response(body), 201)
        for header in ("Location", "Idempotent-Replayed"):
            if header in answer.headers:
                created.headers[header] = answer.headers[header]
        return created
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict):
        errors = {"_request": [body.get("message", "Refused.") if isinstance(body, dict)
                               else "Refused."]}
    return fhir_response(operation_outcome(answer.status_code, errors), answer.status_code)


#: Methods the catch-all takes, so that an unknown path is never an HTML page.
_ANY = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def unknown(rest: str = "") -> Response:
    """404 for a path the base does not serve; 405 (with Allow) for a known path's wrong method."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed: set[str] = set()
    for method in _ANY:
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != request.endpoint:
            allowed.add(method)
    if allowed:
        if "GET" in allowed:
            allowed |= {"HEAD", "OPTIONS"}
        raise MethodNotAllowed(valid_methods=sorted(allowed),
                               description=f"{request.method} is not allowed here.")
    abort(404, "This FHIR base has no such resource type or interaction (see metadata).")


def create_fhir_blueprint() -> Blueprint:
    """The FHIR base, to be nested in the plugin's blueprint at ``/fhir``."""
    fhir = Blueprint("fhir", __name__, url_prefix="/fhir")
    fhir.register_error_handler(HTTPException, _http_error)
    fhir.register_error_handler(AuditFailed, _audit_failed)
    for error in STORE_ERRORS:
        fhir.register_error_handler(error, _store_error)
    fhir.add_url_rule("/metadata", "metadata", metadata)
    fhir.add_url_rule("/Questionnaire", "search_questionnaire", search_questionnaire)
    fhir.add_url_rule("/Questionnaire/<resource_id>", "read_questionnaire", read_questionnaire)
    fhir.add_url_rule("/CodeSystem/<key>", "read_code_system", read_code_system)
    fhir.add_url_rule("/CodeSystem/measures/<measure>", "read_measure_code_system",
                      read_measure_code_system)
    fhir.add_url_rule("/QuestionnaireResponse", "create_response", create_response,
                      methods=["POST"])
    fhir.add_url_rule("/QuestionnaireResponse/<assessment_id>", "get_assessment",
                      get_assessment)
    fhir.add_url_rule("/Observation/<observation_id>", "read_observation", read_observation)
    fhir.add_url_rule("/", "unknown", unknown, methods=_ANY)
    fhir.add_url_rule("/<path:rest>", "unknown", unknown, methods=_ANY)
    return fhir

