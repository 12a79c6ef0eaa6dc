"""The clinical core: guidance content as data and the pure ``assess()``.

No Flask here: the web plugin, the handout, FHIR and the CLI all call these.
"""

from __future__ import annotations

from typing import Any

from ..forms import load_answers
from .content import Content, load_content
from .engine import evaluate_with, ottawa_result
from .predicates import CONDITION_IDS, ContentError

CONTENT: Content = load_content()
RULES_VERSION: str = CONTENT.version


def evaluate(answers: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The assessment of answers that :func:`ankle_intake.forms.load_answers` validated.

    ``previous`` is the last visit of the episode (its ``answers``, ``assessment``
    and ``plan``) for a follow-up: it adds the progression (contract 6).
    """
    return evaluate_with(CONTENT, answers, previous)


def assess(answers: Any) -> dict[str, Any]:
    """Validate raw answers and assess them.

    Raises :class:`ankle_intake.InvalidAnswers` naming each bad field. Without an
    ``assessment_date`` the schema fills in today's date; with one, the result
    depends on the answers alone.
    """
    return evaluate_with(CONTENT, load_answers(answers))


__all__ = [
    "CONDITION_IDS",
    "CONTENT",
    "Content",
    "ContentError",
    "RULES_VERSION",
    "assess",
    "evaluate",
    "load_content",
    "ottawa_result",
]
