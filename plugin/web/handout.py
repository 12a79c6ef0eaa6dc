"""The handout routes: a stored intake's PDF and web page, and a PDF for unstored answers.

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
from ..config import setting
from ..forms import InvalidAnswers
from ..state import state
from ..store.intake import log_refused

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


def stored_handout(assessment_id: str) -> Response:
    """The handout of a stored intake, printed from the stored assessment."""
    record = state().storage.get(assessment_id)
    if record is None:
        abort(404)
    from ..reports.handout import render_assessment

    data = render_assessment(record["answers"], record["assessment"], **_options())
    return _pdf(data, f"ankle-handout-{record['id']}.pdf")


def stored_handout_page(assessment_id: str) -> str:
    """The same handout as a web page with a print stylesheet, for screen readers."""
    record = state().storage.get(assessment_id)
    if record is None:
        abort(404)
    from ..reports.html import render_assessment_html

    options = _options()
    handout = render_assessment_html(record["answers"], record["assessment"],
                                     clinic_name=options["clinic_name"],
                                     large_print=options["large_print"])
    return render_template(
        "ankle_intake/handout.html", handout=handout,
        pdf_url=url_for(".handout", assessment_id=record["id"]),
        large_pdf_url=url_for(".handout", assessment_id=record["id"], large_print=1),
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
