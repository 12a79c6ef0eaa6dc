"""``last_week`` (contract 6): how the week since the last visit went, at a follow-up.

Kept apart from the intake vocabulary because it is not an examination
finding: it is the runner's own account of the plan they were given, which is
what the article's progression rule reads ("pain during a run 0-2? probably
okay; worse the next morning? not okay"). Every part is optional; absent
means "not asked", which progression never reads as "fine".
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from .schemas import _StrictBoolean, _StrictInteger, _StrictNumber
from .vocabulary import N_

#: The parts of ``last_week``, with the words an error names them by.
LAST_WEEK_LABELS = {
    "runs": N_("Runs last week"),
    "minutes": N_("Minutes run last week"),
    "distance": N_("Distance run last week"),
    "pain_during_max": N_("Worst pain during a run last week"),
    "worse_next_morning": N_("Worse the next morning"),
}
#: Upper bounds that only catch typing mistakes (a week has 10,080 minutes).
_MAX_RUNS, _MAX_MINUTES, _MAX_DISTANCE = 50, 10_080, 1_000


def _whole(key: str, low: int, high: int) -> fields.Field:
    msg = f"{LAST_WEEK_LABELS[key]} must be a whole number from {low} to {high}."
    return _StrictInteger(allow_none=True, validate=validate.Range(low, high, error=msg),
                          error_messages={"invalid": msg, "null": msg},
                          metadata={"title": LAST_WEEK_LABELS[key]})


def _number(key: str, high: int) -> fields.Field:
    msg = f"{LAST_WEEK_LABELS[key]} must be a number from 0 to {high}."
    return _StrictNumber(allow_none=True, validate=validate.Range(0, high, error=msg),
                         error_messages={"invalid": msg},
                         metadata={"title": LAST_WEEK_LABELS[key]})


class LastWeekSchema(Schema):
    """The runner's last week; unknown keys refused, nulls dropped (not asked)."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "Unknown part of last week: it is not part of the follow-up.",
        "type": "Last week must be an object of runs, minutes, distance, "
                "pain_during_max and worse_next_morning.",
    }

    runs = _whole("runs", 0, _MAX_RUNS)
    minutes = _number("minutes", _MAX_MINUTES)
    distance = _number("distance", _MAX_DISTANCE)
    pain_during_max = _whole("pain_during_max", 0, 10)
    worse_next_morning = _StrictBoolean(
        allow_none=True,
        error_messages={"invalid": "Worse the next morning must be true, false or null."},
        metadata={"title": LAST_WEEK_LABELS["worse_next_morning"]})

    @pre_load
    def _mapping(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationError(self.error_messages["type"], field_name="_schema")
        return data

    def load(self, data: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        loaded = super().load(data, **kwargs)
        return {k: v for k, v in loaded.items() if v is not None}
