"""The clinical core: guidance content as data and the pure ``assess()``.

PLACEHOLDER: the real rules land in the next commits; the shape is final.
"""

from __future__ import annotations

from typing import Any

from ..forms import load_answers

RULES_VERSION = "0.0.0-placeholder"


def evaluate(answers: dict[str, Any]) -> dict[str, Any]:
    """The assessment of answers that :func:`load_answers` already validated."""
    return {
        "rules_version": RULES_VERSION,
        "phase": "acute",
        "triage": {"level": "stop", "label": "Stop running", "summary": "Do not run for now.",
                   "reasons": ["Placeholder reason."]},
        "stop_running": True,
        "conditions": [{"id": "ankle_sprain", "name": "Ankle sprain", "confidence": "likely",
                        "summary": "A stretched or torn ligament.", "reasons": ["Sudden onset."]}],
        "red_flags": [],
        "imaging": {"ottawa": "not_assessed", "advice": "Placeholder."},
        "healing": {"min_days": 14, "max_days": 21, "note": "Placeholder."},
        "return_to_run": {"earliest_date": None, "criteria": ["Walk without pain."],
                          "run_walk": ["Jog 1 minute, walk 2 minutes."], "pain_rule": ["0-2 is okay."],
                          "weeks": []},
        "rice": None,
        "exercises": [{"id": "ankle_alphabet", "name": "Ankle alphabet", "dose": "Once a day",
                       "how": "Trace the alphabet.", "steps": ["Trace the alphabet."],
                       "stop_if": "Sharp pain."}],
        "advice": [],
    }


def assess(answers: Any) -> dict[str, Any]:
    """Validate raw answers and assess them; raises ``InvalidAnswers`` naming bad fields."""
    return evaluate(load_answers(answers))


__all__ = ["RULES_VERSION", "assess", "evaluate"]
