"""The one path an intake takes, shared by the form and the JSON API."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from .extension import state
from .forms import BY_KEY
from .guidance import evaluate
from .idempotency import Claim
from .signals import assessment_created
from .storage import Stored

log = logging.getLogger("ankle_intake")


def submit(answers: dict[str, Any], claim: Claim | None = None) -> Stored:
    """Assess validated answers, store them in one transaction, then tell subscribers.

    The assessment is made before anything is written, so a failure in the
    rules stores nothing; the signal is sent only after the commit. With an
    idempotency ``claim``, :class:`~.storage.KeyTaken` when the key is taken.
    """
    assessment = evaluate(answers)
    stored = state().storage.add(answers, assessment, claim)
    record = stored.record
    # Only the id, the version and the triage level: never an answer.
    log.info(
        "ankle-intake stored assessment %s (rules %s, triage %s)",
        record["id"], record["rules_version"], assessment.get("triage", {}).get("level"),
    )
    _notify(record)
    return stored


def _notify(record: dict[str, Any]) -> None:
    """Send ``assessment-created``; a failing receiver is logged, never the caller's problem.

    The intake is already stored: answering 500 now would invite a retry and a
    duplicate record. Only the exception's type is logged, because its message
    may quote the record.
    """
    app = current_app._get_current_object()
    for receiver in assessment_created.receivers_for(app):
        try:
            receiver(app, record=record)
        except Exception as exc:  # noqa: BLE001 - a host's receiver may raise anything
            log.error(
                "ankle-intake: an assessment-created receiver raised %s for record %s",
                type(exc).__name__, record["id"],
            )


def log_refused(source: str, errors: dict[str, list[str]]) -> None:
    """Log which fields were refused, by vocabulary key only.

    Messages and unknown keys are left out: both come from what was sent, and
    a key a client made up could be a patient's name.
    """
    known = sorted(key for key in errors if key in BY_KEY or key.startswith("_"))
    log.info("ankle-intake %s refused answers: %d field(s) %s", source, len(errors), known)
