"""The handout routes: a stored intake's PDF and web page, and a PDF for unstored answers.

A stored intake prints the clinician's plan through :mod:`ankle_intake.store.review`
(a signed version's stored PDF, byte for byte; a draft's marked "draft"), and
every print writes its audit row first: a print that cannot be recorded is
refused with 503.

Registered on the plugin's own blueprints by :func:`register`, so both routes go
through the same authorize hook and ``no-store`` header as the rest, and the
API one through the JSON body reader and error handling: a 422 here is the same
document as ``POST /api/assessments`` sends. ReportLab is imported on the first
request that prints, not when the host starts.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from ..api.views import _json, read_json_body
from ..config import clinic, setting
from ..forms import InvalidAnswers
from ..state import state
from ..store import review
from ..store.decisions import Unknown
from ..store.intake import log_refused
from .review import audited, record_or_404

PDF = "application/pdf"
TRUE = frozenset({"1", "true", "yes", "on"})


def _options() -> dict[str, Any]:
    """Clinic name and paper size from config; large print per request (``?large_print=1``)."""
    return {
        "clinic_name": setting("CLINIC_NAME") or None,
        "page_size": setting("PAGE_SIZE"),
        "large_print": request.args.get("large_print", "").lower() in TRUE,
    }


def _pdf(data: bytes, filename: str) -> Response:
    """Shown in the browser's viewer to print; saved as a file with ``?download=1``."""
    response = current_app.response_class(data, status=200, mimetype=PDF)
    disposition = "attachment" if request.args.get("download", "").lower() in TRUE else "inline"
    # The file name carries the record id at most, never the patient's name.
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _version(record: dict[str, Any]) -> int | None:
    """``?version=N``: a signed version of the record; 404 for one it does not have."""
    text = request.args.get("version", "").strip()
    if not text:
        return None
    if (not text.isdigit() or len(text) > 6 or record["status"] != "signed"
            or not 1 <= int(text) <= record["version"]):
        abort(404)
    return int(text)


def _audit_print(record: dict[str, Any], number: int | None, action: str = "print") -> None:
    audited(record["id"], action, number or record["version"])


def stored_handout(assessment_id: str) -> Response:
    """The handout of a stored intake: a signed version's PDF as given, or the draft's.

    ``?version=N`` reprints version N byte for byte; ``?download=1`` is an export.
    """
    record = record_or_404(assessment_id)
    number = _version(record)
    download = request.args.get("download", "").lower() in TRUE
    _audit_print(record, number, "export" if download else "print")
    options = _options()
    try:
        data = review.handout(record, number, large_print=options["large_print"])
    except Unknown:
        abort(404)
    suffix = f"-v{number}" if number else ""
    return _pdf(data, f"ankle-handout-{record['id']}{suffix}.pdf")


def stored_handout_page(assessment_id: str) -> str:
    """The same handout as a web page with a print stylesheet, for screen readers."""
    record = record_or_404(assessment_id)
    number = _version(record)
    _audit_print(record, number)
    try:
        plan, signoff = review.plan_for_version(record, number)
    except Unknown:
        abort(404)
    if record["status"] == "signed":
        stored = state().storage.version(record["id"], number or record["version"])
        if stored is not None and stored["pdf"] is None:  # migrated: printed as before plans
            plan = signoff = None
    from ..reports.html import render_assessment_html

    options = _options()
    place = clinic()
    handout = render_assessment_html(record["answers"], record["assessment"],
                                     plan=plan, signoff=signoff, clinic=place,
                                     clinic_name=place["name"] or None,
                                     large_print=options["large_print"])
    extra = {"version": number} if number else {}
    return render_template(
        "ankle_intake/handout.html", handout=handout,
        pdf_url=url_for(".handout", assessment_id=record["id"], **extra),
        large_pdf_url=url_for(".handout", assessment_id=record["id"], large_print=1, **extra),
        review_url=url_for(".result", assessment_id=record["id"]),
    )


def handout_from_answers() -> Response:
    """JSON answers in, PDF out, nothing stored; 422 names each refused field."""
    raw = read_json_body()
    from ..reports import render_handout

    try:
        data = render_handout(raw, **_options())
    except InvalidAnswers as exc:
        log_refused("handout API", exc.errors)
        return _json({"errors": exc.errors}, 422)
    return _pdf(data, "ankle-handout.pdf")


def register(bp: Blueprint, api: Blueprint) -> None:
    bp.add_url_rule("/assessments/<assessment_id>/handout.pdf", "handout", stored_handout)
    bp.add_url_rule("/assessments/<assessment_id>/handout", "handout_page", stored_handout_page)
    api.add_url_rule("/handout", "handout", handout_from_answers, methods=["POST"])


def add_handout_paths(spec: Any, url_prefix: str) -> None:
    """``POST /api/handout`` in the OpenAPI document."""
    from ..api.openapi import error_response as error

    base = url_prefix.rstrip("/") + "/api"
    spec.path(
        path=f"{base}/handout",
        operations={
            "post": {
                "operationId": "printHandout",
                "summary": "Print the handout for one intake; nothing is stored.",
                "parameters": [{"name": "large_print", "in": "query", "required": False,
                                "schema": {"type": "string", "enum": ["0", "1"]},
                                "description": "1 = large print (body text 14 pt or more)."}],
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": "Answers"}}},
                "responses": {
                    "200": {"description": "The handout as a PDF.",
                            "content": {PDF: {"schema": {"type": "string",
                                                         "format": "binary"}}}},
                    "400": error("The body is empty or not JSON."),
                    "403": error("The host's authorize hook said no."),
                    "413": error("The body is over ANKLE_INTAKE_MAX_BODY_BYTES."),
                    "415": error("The content type is not application/json."),
                    "422": error("Answers refused; errors name each field."),
                },
            }
        },
    )
