"""Signals a host can subscribe to; the plugin's own flow never depends on a receiver."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

assessment_created = _signals.signal("assessment-created")
# Sent by the form view and the JSON API after an intake was committed to storage.
# sender: the Flask app; keyword ``record``: the stored record as a dict
# (id, created_at, patient_ref, encounter_ref, rules_version, answers, assessment).
# Receivers run inside the request; an exception in a receiver propagates.

__all__ = ["assessment_created"]
