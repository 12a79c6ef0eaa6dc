"""The one path an intake takes, shared by the form and the JSON API."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from ..auth import current_user
from ..forms import BY_KEY
from ..forms.vocabulary import TEST_KEYS
from ..guidance import evaluate
from ..signals import assessment_created
from ..state import state
from .claims import Claim
from .records import KeyTaken, Stored

log = logging.getLogger("ankle_intake")


def submit(answers: dict[str, Any], claim: Claim | None = None,
           authored: str | None = None) -> Stored:
    """Assess validated answers, store them in one transaction, then tell subscribers.

    The assessment is made before anything is written, so a failure in the
    rules stores nothing; the signal is sent only after the commit. With an
    idempotency ``claim``, :class:`~.storage.KeyTaken` when the key is taken.
    ``authored``: a FHIR client's, kept with the record.
    """
    assessment = evaluate(answers)
    user = current_user()
    stored = state().storage.add(answers, assessment, claim, user.id if user else None,
                                 authored=authored)
    record = stored.record
    # Only the id, the version and the triage level: never an answer.
    log.info(
        "ankle-intake stored assessment %s (rules %s, triage %s)",
        record["id"], record["rules_version"], assessment.get("triage", {}).get("level"),
    )
    _notify(record)
    return stored


@dataclass(frozen=True)
class Outcome:
    """What :func:`submit_once` did: stored a new record, found the earlier one, or refused."""

    stored: Stored | None = None
    earlier: dict[str, Any] | None = None
    conflict: bool = False  # the key was used before for a different request


def submit_once(answers: dict[str, Any], claim: Claim | None,
                store: Callable[..., Stored] | None = None) -> Outcome:
    """``store`` (default :func:`submit`), unless ``claim``'s key already holds this record.

    Checked before storing, so a retry costs one lookup and no assessment; and
    again after :class:`~.storage.KeyTaken`, when a twin committed first (then
    re-raised only if that record cannot be found).
    """
    store = store or submit
    if claim is None:
        return Outcome(stored=store(answers))
    earlier = _earlier(claim)
    if earlier is not None:
        return earlier
    try:
        return Outcome(stored=store(answers, claim))
    except KeyTaken:
        earlier = _earlier(claim)
        if earlier is None:
            raise
        return earlier


def _earlier(claim: Claim) -> Outcome | None:
    storage = state().storage
    found = storage.find_claim(claim.key)
    if found is None or found.record_id is None:
        return None
    if found.fingerprint != claim.fingerprint:
        return Outcome(conflict=True)
    record = storage.get(found.record_id)
    if record is None:
        return None
    log.info("ankle-intake answered a repeated request with stored assessment %s", record["id"])
    return Outcome(earlier=record)


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


#: Error keys the plugin itself makes (never a client's words), logged like vocabulary keys.
_OWN_KEYS = frozenset({"_body", "_schema", "_csrf"})
#: Every vocabulary key an error may be filed under: answers, special tests (bare and as linkIds).
_VOCABULARY = frozenset(BY_KEY) | frozenset(TEST_KEYS) | {f"special_tests.{k}" for k in TEST_KEYS}


def log_refused(source: str, errors: dict[str, list[str]]) -> None:
    """Log which fields were refused, by vocabulary key only; the rest are only counted.

    Messages and unknown keys are left out: both come from what was sent, and
    a key a client made up (``_Ingrid Zwölfer``, say) could be a patient's name.
    """
    known = sorted(key for key in errors if key in _VOCABULARY or key in _OWN_KEYS)
    log.info("ankle-intake %s refused answers: %d field(s) %s, %d other(s)",
             source, len(errors), known, len(errors) - len(known))
