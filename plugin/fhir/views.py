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
from flask import Blueprint, Response, abort, current_app

from ..api import create_from_body
from ..forms import InvalidAnswers, load_answers
from ..guidance import evaluate
from ..reports.note import clinician_note
from ..state import state
from . import FHIR_JSON, answers_from_response, questionnaire, response_from_answers


def _fhir(resource: dict[str, Any]) -> Response:
    return current_app.response_class(
        json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n",
        status=200,
        mimetype=FHIR_JSON,
    )


def _record_or_404(assessment_id: str) -> dict[str, Any]:
    record = state().storage.get(assessment_id)
    if record is None:
        abort(404, "No assessment has this id.")
    return record


def get_questionnaire() -> Response:
    """The intake as a FHIR R4 Questionnaire."""
    return _fhir(questionnaire())


def create_from_response() -> Response:
    """A QuestionnaireResponse in; from there exactly ``POST /api/assessments``."""
    return create_from_body(answers_from_response, "FHIR")


def get_response(assessment_id: str) -> Response:
    """A stored intake as a QuestionnaireResponse (its id is the record id)."""
    record = _record_or_404(assessment_id)
    return _fhir(response_from_answers(
        record["answers"], id=record["id"], authored=record["created_at"]
    ))


def get_note(assessment_id: str) -> Response:
    """The clinician's note of a stored intake, as plain text to paste into the record."""
    record = _record_or_404(assessment_id)
    note = clinician_note(record["answers"], record["assessment"])
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

    validated = _load_file(answers)
    pdf = render_assessment(
        validated, evaluate(validated),
        clinic_name=current_app.config["ANKLE_INTAKE_CLINIC_NAME"] or None,
        page_size=current_app.config["ANKLE_INTAKE_PAGE_SIZE"], large_print=large_print,
    )
    folder = os.path.dirname(os.path.abspath(output))
    handle, partial = tempfile.mkstemp(dir=folder, prefix=".ankle-intake-", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pdf)
        os.replace(partial, output)
    except BaseException:
        os.unlink(partial)
        raise
    click.echo(f"ankle-intake: handout written to {output} ({len(pdf)} bytes)")


def questionnaire_command() -> None:
    """Print the intake as a FHIR R4 Questionnaire."""
    click.echo(json.dumps(questionnaire(), ensure_ascii=False, indent=2))


def register(bp: Blueprint, api: Blueprint) -> None:
    """Add the FHIR routes, the note and the CLI commands to the plugin's blueprints."""
    bp.add_url_rule("/fhir/Questionnaire", "fhir_questionnaire", get_questionnaire)
    bp.add_url_rule("/assessments/<assessment_id>/note.txt", "note", get_note)
    api.add_url_rule("/fhir/QuestionnaireResponse", "create_from_fhir", create_from_response,
                     methods=["POST"])
    api.add_url_rule("/assessments/<assessment_id>/fhir", "get_fhir", get_response)
    bp.cli.command("assess")(assess_command)
    bp.cli.command("questionnaire")(questionnaire_command)
    bp.cli.command("handout")(handout_command)
