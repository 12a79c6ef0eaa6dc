"""The clinician's side of the JSON API (contract 5): worklist, plan, sign, addenda, audit.

Every route calls :mod:`ankle_intake.store.review`, the one service the pages
and the command line call too, so the three cannot disagree about what a
signature locks. The service's exceptions become this blueprint's answers:
no current user 403, an unknown record 404, a change the status forbids 409,
a refused plan 422 naming the field, an audit row that could not be written
503 (the request is not served unrecorded).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import Blueprint, Response, abort, request, url_for

from ..forms import InvalidAnswers
from ..state import state
from ..store import review
from ..store.decisions import MAX_PAGE, AuditFailed, BadCursor, KeyTaken, Locked, Unknown
from ..store.records import RETRY_AFTER as STORE_RETRY_AFTER
from ..store.records import parse_id
from . import idempotency
from .views import REQUEST, _json, read_json_body

log = logging.getLogger("ankle_intake")

STATUSES = ("draft", "signed")
DEFAULT_PAGE = 25
#: The longest filter values the store keeps (patient_ref 64, user ids 128).
FILTER_LENGTHS = {"patient_ref": 64, "clinician": 128}
#: Seconds a client should wait before retrying after a failed audit write.
RETRY_AFTER = str(STORE_RETRY_AFTER)


def register(api: Blueprint) -> None:
    """Add the review routes and the answers for the review service's exceptions."""
    api.add_url_rule("/assessments", "worklist", worklist, methods=["GET"])
    api.add_url_rule("/assessments/<assessment_id>/plan", "save_plan", save_plan,
                     methods=["PUT"])
    api.add_url_rule("/assessments/<assessment_id>/sign", "sign", sign, methods=["POST"])
    api.add_url_rule("/assessments/<assessment_id>/addenda", "add_addendum", add_addendum,
                     methods=["POST"])
    api.add_url_rule("/assessments/<assessment_id>/audit", "audit_trail", audit_trail)
    api.register_error_handler(review.NoUser, lambda exc: _error(403, str(exc)))
    api.register_error_handler(Unknown, lambda exc: _error(404, "No assessment has this id."))
    api.register_error_handler(Locked, lambda exc: _error(409, str(exc)))
    api.register_error_handler(AuditFailed, audit_failed)
    api.register_error_handler(InvalidAnswers, lambda exc: _json({"errors": exc.errors}, 422))


def _error(status: int, message: str, key: str = REQUEST) -> Response:
    return _json({"status": status, "message": message, "errors": {key: [message]}}, status)


def audit_failed(exc: AuditFailed) -> Response:
    """503: the audit row could not be written, so nothing was served (retry shortly)."""
    log.error("ankle-intake: an audit row could not be written (%s); request refused", exc)
    response = _error(503, "The audit trail could not record this request; try again shortly.")
    response.headers["Retry-After"] = RETRY_AFTER
    return response


class _BadQuery(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def _date(name: str, value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise _BadQuery(name, f"{name} must be a date written as YYYY-MM-DD.")
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def _limit(value: str) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise _BadQuery("limit", f"limit must be a whole number from 1 to {MAX_PAGE}.")
    return int(value)


def _filters() -> dict[str, Any]:
    """The worklist's query, checked: each bad parameter is a 422 naming it.

    ``since`` and ``until`` are days (UTC), both included; ``patient_ref`` and
    ``clinician`` are matched exactly and an empty one means no filter.
    """
    args = request.args
    out: dict[str, Any] = {"limit": DEFAULT_PAGE}
    for name, longest in FILTER_LENGTHS.items():
        value = args.get(name)
        if value is not None and len(value) > longest:
            raise _BadQuery(name, f"{name} must be at most {longest} characters.")
        out[name] = value or None
    if "status" in args:
        if args["status"] not in STATUSES:
            raise _BadQuery("status", f"status must be one of: {', '.join(STATUSES)}.")
        out["status"] = args["status"]
    if "limit" in args:
        out["limit"] = _limit(args["limit"])
    if "since" in args:
        out["since"] = _date("since", args["since"])
    if "until" in args:
        out["until"] = _date("until", args["until"]) + dt.timedelta(days=1)
    if out.get("since") and out.get("until") and out["since"] >= out["until"]:
        raise _BadQuery("until", "until must not be before since.")
    if "cursor" in args:
        if not args["cursor"]:
            raise _BadQuery("cursor", "cursor is empty: send the next of the page before.")
        out["cursor"] = args["cursor"]
    return out


def worklist() -> Response:
    """Stored intakes newest first, filtered, one page at a time (``next`` is the cursor)."""
    try:
        page = state().storage.worklist(**_filters())
    except _BadQuery as exc:
        return _json({"errors": {exc.name: [str(exc)]}}, 422)
    except BadCursor as exc:
        return _json({"errors": {"cursor": [str(exc)]}}, 422)
    return _json({"items": page.items, "next": page.next}, 200)


def _record_id(assessment_id: str) -> str:
    """The canonical id, or 404 before anything is read (a malformed id never gets further)."""
    canonical = parse_id(assessment_id)
    if canonical is None:
        abort(404, "No assessment has this id.")
    return canonical


def save_plan(assessment_id: str) -> Response:
    """Keep the clinician's plan on a draft: 200 with the record; 409 once signed."""
    record_id = _record_id(assessment_id)
    review.get(record_id)  # 404 before the body is judged
    return _json(review.save_plan(record_id, read_json_body()), 200)


def sign(assessment_id: str) -> Response:
    """Sign as the current user: 200 with the locked record; 409 when already signed."""
    return _json(review.sign(_record_id(assessment_id)), 200)


def add_addendum(assessment_id: str) -> Response:
    """A new signed version ``{"reason", "plan"}``: 201; 409 on a draft.

    With an ``Idempotency-Key`` a retry answers 201 with the record as that
    addendum left it (``Idempotent-Replayed: true``) and adds nothing.
    """
    record_id = _record_id(assessment_id)
    try:
        key = idempotency.read_key()
    except idempotency.BadKey as exc:
        return _json({"errors": {idempotency.HEADER: [str(exc)]}}, 400)
    raw = read_json_body()
    if key is None:
        return _amended(review.amend(record_id, raw))
    record = review.get(record_id)
    claim = idempotency.addendum_claim(key, record["id"], raw)
    earlier = idempotency.earlier_addendum(claim)
    if earlier is not None:
        return _replayed(record, earlier)
    try:
        return _amended(review.amend(record["id"], raw, claim))
    except KeyTaken:  # a twin request made the addendum first: answer as its replay
        earlier = idempotency.earlier_addendum(claim)
        if earlier is None:
            raise
        return _replayed(review.get(record["id"]), earlier)


def _amended(record: dict[str, Any]) -> Response:
    response = _json(record, 201)
    response.headers["Location"] = url_for(".get_assessment", assessment_id=record["id"])
    return response


def _replayed(record: dict[str, Any], earlier: idempotency.Replay) -> Response:
    if earlier.conflict:
        return _json({"errors": {idempotency.HEADER: [idempotency.reused_message()]}}, 422)
    log.info("ankle-intake answered a repeated addendum with version %d of %s",
             earlier.version, record["id"])
    response = _amended(as_of(record, earlier.version))
    response.headers[idempotency.REPLAYED] = "true"
    return response


def as_of(record: dict[str, Any], number: int) -> dict[str, Any]:
    """The record as version ``number`` left it: its plan, and the addenda up to it."""
    if number >= record["version"]:
        return record
    version = state().storage.version(record["id"], number) or {}
    return {**record, "version": number, "plan": version.get("plan", record["plan"]),
            "addenda": [a for a in record["addenda"] if a["version"] <= number]}


def audit_trail(assessment_id: str) -> Response:
    """Who did what and when; readable after an erase (404 only when nothing was recorded)."""
    rows = state().storage.audit_trail(_record_id(assessment_id))
    if not rows:
        abort(404, "Nothing is recorded for this id.")
    return _json(rows, 200)
