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

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from ..api.views import _json, read_json_body
from ..config import clinic, setting
from ..forms import InvalidAnswers
from ..i18n import N_, gettext
from ..state import state
from ..store import review
from ..store.decisions import Unknown
from ..store.intake import log_refused
from .review import record_or_404

PDF = "application/pdf"
TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"", "0", "false", "no", "off"})
#: The values a yes/no parameter may take, as the OpenAPI document lists them.
FLAG_VALUES = ("1", "0", "true", "false", "yes", "no", "on", "off")


#: A yes/no parameter's refusal; the API's JSON says it in English, a page in its language.
BAD_FLAG = N_("%(name)s must be 1 or 0 (or true/false, yes/no, on/off).")


class BadFlag(ValueError):
    """A yes/no query parameter with a value that is neither."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(BAD_FLAG % {"name": name})


def _flag(name: str) -> bool:
    """``?name=1`` and the like; absent or empty is no; :class:`BadFlag` for anything else.

    Refused rather than read as no: a misspelt ``large_print=ture`` would otherwise
    print small type without a word.
    """
    value = request.args.get(name, "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise BadFlag(name)


def _page_flag(name: str) -> bool:
    """:func:`_flag` on a page route: 400 naming the parameter."""
    try:
        return _flag(name)
    except BadFlag as exc:
        abort(400, gettext(BAD_FLAG, name=exc.name))


def _options(flag: Callable[[str], bool] = _page_flag) -> dict[str, Any]:
    """Clinic name and paper size from config; large print per request (``?large_print=1``)."""
    return {
        "clinic_name": setting("CLINIC_NAME") or None,
        "page_size": setting("PAGE_SIZE"),
        "large_print": flag("large_print"),
    }


def _pdf(data: bytes, filename: str, download: bool = False) -> Response:
    """Shown in the browser's viewer to print; saved as a file with ``?download=1``."""
    response = current_app.response_class(data, status=200, mimetype=PDF)
    disposition = "attachment" if download else "inline"
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
    review.audited(record["id"], action, number or record["version"])


def stored_handout(assessment_id: str) -> Response:
    """The handout of a stored intake: a signed version's PDF as given, or the draft's.

    ``?version=N`` reprints version N byte for byte; ``?download=1`` is an export.
    """
    download = _page_flag("download")
    options = _options()
    record = record_or_404(assessment_id)
    number = _version(record)
    _audit_print(record, number, "export" if download else "print")
    try:
        data = review.handout(record, number, large_print=options["large_print"])
    except Unknown:
        abort(404)
    suffix = f"-v{number}" if number else ""
    return _pdf(data, f"ankle-handout-{record['id']}{suffix}.pdf", download)


def stored_handout_page(assessment_id: str) -> str:
    """The same handout as a web page with a print stylesheet, for screen readers."""
    options = _options()
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

    place = clinic()
    handout = render_assessment_html(record["answers"], record["assessment"],
                                     plan=plan, signoff=signoff, clinic=place,
                                     clinic_name=place["name"] or None,
                                     large_print=options["large_print"],
                                     video_url=setting("EXERCISE_VIDEO_URL"),
                                     progress=review.progress(record))
    extra = {"version": number} if number else {}
    return render_template(
        "ankle_intake/handout.html", handout=handout,
        pdf_url=url_for(".handout", assessment_id=record["id"], **extra),
        large_pdf_url=url_for(".handout", assessment_id=record["id"], large_print=1, **extra),
        review_url=url_for(".result", assessment_id=record["id"]),
    )


def handout_from_answers() -> Response:
    """JSON answers in, PDF out, nothing stored; 422 names each refused field or parameter."""
    try:
        options, download = _options(_flag), _flag("download")
    except BadFlag as exc:
        return _json({"errors": {exc.name: [str(exc)]}}, 422)
    raw = read_json_body()
    from ..reports import render_handout

    try:
        data = render_handout(raw, **options)
    except InvalidAnswers as exc:
        log_refused("handout API", exc.errors)
        return _json({"errors": exc.errors}, 422)
    return _pdf(data, "ankle-handout.pdf", download)


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
                "tags": ["handout"],
                "summary": "Print the handout for one intake; nothing is stored.",
                "parameters": [
                    {"name": "large_print", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": list(FLAG_VALUES)},
                     "description": "1 = large print (body text 14 pt or more); 0 or absent: "
                                    "normal. Any other value is refused (422)."},
                    {"name": "download", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": list(FLAG_VALUES)},
                     "description": "1 = save as a file (Content-Disposition: attachment); "
                                    "0 or absent: shown inline. Any other value is refused "
                                    "(422)."},
                ],
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
                    "422": error("Answers refused (errors name each field), or large_print "
                                 "or download is neither yes nor no (errors name it)."),
                },
            }
        },
    )
