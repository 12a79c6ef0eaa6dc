"""The FHIR endpoints, the clinician's note and the FHIR-aware CLI commands.

Registered on the plugin's own blueprints by :func:`register`, so every route
goes through the same authorize hook, ``no-store`` header and JSON error
handling as the rest. A QuestionnaireResponse takes exactly the JSON path once
converted: the same body reader, the same ``submit``, the same 201 and 422.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, TextIO

import click
from flask import Blueprint, Response, abort, current_app, request

from ..api import create_from_body
from ..forms import InvalidAnswers, load_answers
from ..guidance import evaluate
from ..reports.note import clinician_note
from ..state import state
from ..store import review
from ..store.decisions import Unknown
from . import answers_from_response, questionnaire
from .episodes import converter
from .response import stored_response
from .rest import create_fhir_blueprint, fhir_response


def _record_or_404(assessment_id: str) -> dict[str, Any]:
    record = state().storage.get(assessment_id)
    if record is None:
        abort(404, "No assessment has this id.")
    return record


def create_from_response() -> Response:
    """A QuestionnaireResponse in; from there exactly ``POST /api/assessments``."""
    convert, store = converter()
    return create_from_body(convert, "FHIR", store)


def get_response(assessment_id: str) -> Response:
    """A stored intake as a QuestionnaireResponse (its id is the record id); an "export".

    ``status``, ``authored`` and ``author`` follow the review (see ``stored_response``).
    The export is audited first: 503 if that fails (the API's handler answers).
    """
    record = _record_or_404(assessment_id)
    review.audited(record["id"], "export", record["version"])
    return fhir_response(stored_response(record))


def _version_arg() -> int | None:
    """``?version=N`` (a whole number from 1); 404 for anything else, as for a missing one."""
    value = request.args.get("version")
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        abort(404, "No such version.")
    return int(value)


def get_note(assessment_id: str) -> Response:
    """The clinician's note of a stored intake, as plain text to paste into the record.

    It prints the plan and signature of the current version, or of
    ``?version=N``; a draft's says draft. Writing it out is an "export" in the
    audit trail, written first: if that fails nothing is served (503).
    """
    record = _record_or_404(assessment_id)
    number = _version_arg()
    if number is not None and number > record["version"]:
        abort(404, "No such version.")
    try:
        plan, signoff = review.plan_for_version(record, number)
        review.audited(record["id"], "export", signoff["version"])
    except Unknown:
        abort(404, "No such version.")
    note = clinician_note(record["answers"], record["assessment"], plan=plan, signoff=signoff)
    return current_app.response_class(note, status=200, mimetype="text/plain")


def _load_file(source: TextIO) -> dict[str, Any]:
    """Validated answers from a JSON file of answers or of a QuestionnaireResponse."""
    name = getattr(source, "name", "the input")
    try:
        raw = json.load(source)
    except (ValueError, RecursionError) as exc:
        raise click.ClickException(f"{name} is not valid JSON ({exc}).") from None
    try:
        if isinstance(raw, dict) and "resourceType" in raw:
            return answers_from_response(raw)
        return load_answers(raw)
    except InvalidAnswers as exc:
        lines = [f"{key}: {message}" for key, messages in exc.errors.items()
                 for message in messages]
        raise click.ClickException(f"{name} was refused:\n" + "\n".join(lines)) from None


@click.argument("answers", type=click.File("r", encoding="utf-8"))
def assess_command(answers: TextIO) -> None:
    """Print the assessment of ANSWERS (answers JSON or a QuestionnaireResponse; - is stdin)."""
    result = evaluate(_load_file(answers))
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@click.argument("answers", type=click.File("r", encoding="utf-8"))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF.")
@click.option("--large-print", is_flag=True, help="Body text of 14 pt or more.")
def handout_command(answers: TextIO, output: str, large_print: bool) -> None:
    """Write the handout PDF for ANSWERS (answers JSON or a QuestionnaireResponse).

    The PDF is made in memory and moved into place in one step, so a refused
    input or a failure never leaves a half-written file at OUTPUT.
    """
    from ..reports.handout import render_assessment

    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise click.ClickException(f"the folder {folder} does not exist; create it first.")
    validated = _load_file(answers)
    pdf = render_assessment(
        validated, evaluate(validated),
        clinic_name=current_app.config["ANKLE_INTAKE_CLINIC_NAME"] or None,
        page_size=current_app.config["ANKLE_INTAKE_PAGE_SIZE"], large_print=large_print,
        video_url=current_app.config["ANKLE_INTAKE_EXERCISE_VIDEO_URL"],
    )
    try:
        handle, partial = tempfile.mkstemp(dir=folder, prefix=".ankle-intake-", suffix=".pdf")
    except OSError as exc:
        raise click.ClickException(f"cannot write into {folder} ({exc.strerror}).") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pdf)
        os.replace(partial, output)
    except BaseException as exc:
        os.unlink(partial)
        if isinstance(exc, OSError):
            raise click.ClickException(f"cannot write {output} ({exc.strerror}).") from None
        raise
    click.echo(f"ankle-intake: handout written to {output} ({len(pdf)} bytes)")


def questionnaire_command() -> None:
    """Print the intake as a FHIR R4 Questionnaire."""
    click.echo(json.dumps(questionnaire(), ensure_ascii=False, indent=2))


def register(bp: Blueprint, api: Blueprint) -> None:
    """Add the FHIR routes, the note and the CLI commands to the plugin's blueprints.

    The FHIR base (``/fhir/...``, OperationOutcome errors) is a blueprint of its
    own nested in ``bp``; the JSON API keeps its two FHIR routes, JSON errors and all.
    """
    bp.register_blueprint(create_fhir_blueprint())
    bp.add_url_rule("/assessments/<assessment_id>/note.txt", "note", get_note)
    api.add_url_rule("/fhir/QuestionnaireResponse", "create_from_fhir", create_from_response,
                     methods=["POST"])
    api.add_url_rule("/assessments/<assessment_id>/fhir", "get_fhir", get_response)
    bp.cli.command("assess")(assess_command)
    bp.cli.command("questionnaire")(questionnaire_command)
    bp.cli.command("handout")(handout_command)
