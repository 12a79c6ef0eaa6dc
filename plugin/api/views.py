"""The JSON API (contract section 2), with JSON errors scoped to its own routes.

Bodies are read here, not through ``request.get_json``, so that the size limit
is the plugin's own (``ANKLE_INTAKE_MAX_BODY_BYTES``) without touching the
host's ``MAX_CONTENT_LENGTH``, and so that every malformed body gets a 4xx
with a sentence saying what was wrong, never a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from ..config import setting
from ..forms import InvalidAnswers, load_answers
from ..state import state
from ..store import KeyTaken, review, to_json
from ..store.intake import log_refused, submit_once
from ..store.records import RETRY_AFTER, STORE_ERRORS, describe, is_outage
from . import idempotency

log = logging.getLogger("ankle_intake")

#: Error key for problems with the body as a whole rather than one field.
BODY = "_body"
#: Error key for problems with the request itself (403, 404, 405).
REQUEST = "_request"
#: Error key for a store that did not answer (503).
STORE = "_store"
STORE_UNAVAILABLE = ("The intake store is not answering (busy or unavailable), so nothing "
                     "was stored or read; retry after the Retry-After seconds.")
BODY_STATUSES = frozenset({400, 411, 413, 415})
#: Where the app keeps the OpenAPI parts the other surfaces contributed.
SPEC_PARTS = "ankle_intake.openapi_parts"
#: A surface's part of the OpenAPI document: ``part(spec, base_path)``.
SpecPart = Callable[[Any, str], None]


def create_api_blueprint(parts: Sequence[SpecPart] = ()) -> Blueprint:
    """The API blueprint; ``parts`` add the other surfaces' paths to its OpenAPI document."""
    api = Blueprint("api", __name__, url_prefix="/api")
    api.record_once(lambda setup: setup.app.extensions.setdefault(SPEC_PARTS, list(parts)))
    api.register_error_handler(HTTPException, _json_error)
    for error in STORE_ERRORS:
        api.register_error_handler(error, _store_error)
    api.add_url_rule("/assessments", "create_assessment", create_assessment, methods=["POST"])
    api.add_url_rule("/assessments/<assessment_id>", "get_assessment", get_assessment)
    api.add_url_rule("/openapi.json", "openapi", openapi)
    from .episodes import register as register_episodes  # they build on this module's
    from .review import register as register_review  # helpers

    register_review(api)
    register_episodes(api)
    return api


def _json(payload: Any, status: int) -> Response:
    return _json_text(to_json(payload), status)


def _json_text(document: str, status: int) -> Response:
    return current_app.response_class(document + "\n", status=status,
                                      mimetype="application/json")


def _json_error(exc: HTTPException) -> Response:
    message = exc.description or exc.name
    key = BODY if exc.code in BODY_STATUSES else REQUEST
    response = _json(
        {"status": exc.code, "message": message, "errors": {key: [message]}}, exc.code or 500
    )
    if exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _store_error(exc: Exception) -> Response:
    """503 with ``Retry-After`` and ``{"errors": {"_store": [...]}}`` when the store fails.

    Only for a store outage (:func:`~..store.records.is_outage`); any other
    database error is a bug and goes on to Flask as a 500. The log names the
    error, never the statement's values.
    """
    if not is_outage(exc):
        raise exc
    log.error("ankle-intake: the store did not answer, 503: %s", describe(exc), exc_info=exc)
    response = _json({"status": 503, "message": STORE_UNAVAILABLE,
                      "errors": {STORE: [STORE_UNAVAILABLE]}}, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def read_json_body() -> Any:
    """The request's JSON document, or a 4xx that says what is wrong with the body."""
    limit = setting("MAX_BODY_BYTES")
    too_large = f"The body is larger than the limit of {limit} bytes."
    if request.content_length is not None and request.content_length > limit:
        abort(413, too_large)
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        abort(413, too_large)
    if not data.strip():
        abort(400, "The body is empty: send the answers as a JSON object.")
    if not _is_json(request.mimetype):
        shown = request.mimetype or "none"
        abort(415, f"Send the answers as application/json (the content type was {shown}).")
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        abort(400, "The body is not valid JSON: send the answers as a JSON object.")


def _location(record_id: str) -> str:
    return url_for(".get_assessment", assessment_id=record_id)


def create_from_body(convert: Callable[[Any], dict[str, Any]], source: str,
                     store: Callable[..., Any] | None = None) -> Response:
    """Read the body, turn it into validated answers, then take the one intake path.

    ``convert`` raises :class:`InvalidAnswers` naming each bad field (422); the
    JSON API and the FHIR endpoint differ only in it. An ``Idempotency-Key``
    makes a retry answer with the record already stored (see ``idempotency``).
    ``store`` replaces the first intake's path (a follow-up visit's, say).
    """
    try:
        key = idempotency.read_key()
    except idempotency.BadKey as exc:
        return _json({"errors": {idempotency.HEADER: [str(exc)]}}, 400)
    raw = read_json_body()
    try:
        answers = convert(raw)
    except InvalidAnswers as exc:
        log_refused(source, exc.errors)
        return _json({"errors": exc.errors}, 422)
    claim = None if key is None else idempotency.claim(key, source, raw)
    try:
        outcome = submit_once(answers, claim, store)
    except KeyTaken:  # a twin took the key, and its record cannot be read
        abort(409)
    except InvalidAnswers as exc:  # what only the store can judge (a visit's episode)
        log_refused(source, exc.errors)
        return _json({"errors": exc.errors}, 422)
    if outcome.conflict:
        return _json({"errors": {idempotency.HEADER: [idempotency.reused_message()]}}, 422)
    if outcome.earlier is not None:
        response = _created(to_json(outcome.earlier), outcome.earlier["id"])
        response.headers[idempotency.REPLAYED] = "true"
        return response
    assert outcome.stored is not None
    return _created(outcome.stored.document, outcome.stored.record["id"])


def _created(document: str, record_id: str) -> Response:
    """The 201 of a create operation, for a new record and for a replay alike."""
    response = _json_text(document, 201)
    response.headers["Location"] = _location(record_id)
    return response


def create_assessment() -> Response:
    """Answers in, assessment out, stored: 201 with the record and its ``Location``."""
    return create_from_body(load_answers, "API")


def get_assessment(assessment_id: str) -> Response:
    """The stored record; 404 for an unknown or malformed id.

    The view is recorded in the audit trail first; if that fails the record is
    not served (503, see :func:`~.review.audit_failed`).
    """
    record = state().storage.get(assessment_id)
    if record is None:
        abort(404, "No assessment has this id.")
    review.audited(record["id"], "view", record["version"])
    return _json(record, 200)


def openapi() -> Response:
    """The OpenAPI 3 document, generated from the marshmallow schemas once per app."""
    st = state()
    if st.openapi is None:
        from .openapi import build_spec

        st.openapi = build_spec(setting("URL_PREFIX"), current_app.extensions[SPEC_PARTS])
    return _json(st.openapi, 200)
