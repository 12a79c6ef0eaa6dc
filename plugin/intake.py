"""The one path an intake takes, shared by the form and the JSON API."""

from __future__ import annotations

from typing import Any

from flask import current_app

from .extension import state
from .guidance import evaluate
from .signals import assessment_created


def submit(answers: dict[str, Any]) -> dict[str, Any]:
    """Assess validated answers, store them in one transaction, then tell subscribers.

    The assessment is made before anything is written, so a failure in the
    rules stores nothing; the signal is sent only after the commit.
    """
    assessment = evaluate(answers)
    record = state().storage.add(answers, assessment)
    assessment_created.send(current_app._get_current_object(), record=record)
    return record
