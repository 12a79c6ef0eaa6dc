"""FHIR R4 for the intake: the Questionnaire, and answers in and out as QuestionnaireResponses.

Pure (no Flask): the views, the JSON API and the CLI all call these. The
resources are plain dicts of FHIR JSON; see :mod:`ankle_intake.fhir_questionnaire`
for the canonical URLs and the linkId scheme, and
:mod:`ankle_intake.fhir_response` for how a response is checked.
"""

from __future__ import annotations

from flask import Blueprint

from .questionnaire import (
    CANONICAL_BASE,
    CODE_SYSTEM_BASE,
    COULD_NOT_RUN,
    QUESTIONNAIRE_URL,
    QUESTIONNAIRE_VERSION,
    code_system,
    questionnaire,
)
from .response import answers_from_response, raw_answers, response_from_answers, stored_response

#: The media type of FHIR JSON, for responses that carry a resource.
FHIR_JSON = "application/fhir+json"



def register(bp: Blueprint, api: Blueprint) -> None:
    """Add the FHIR routes, the note and the CLI commands (imported here: they need Flask)."""
    from .views import register as register_views

    register_views(bp, api)


__all__ = [
    "CANONICAL_BASE",
    "CODE_SYSTEM_BASE",
    "COULD_NOT_RUN",
    "FHIR_JSON",
    "QUESTIONNAIRE_URL",
    "QUESTIONNAIRE_VERSION",
    "answers_from_response",
    "code_system",
    "questionnaire",
    "raw_answers",
    "response_from_answers",
    "stored_response",
]
