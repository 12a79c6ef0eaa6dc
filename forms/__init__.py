"""The intake vocabulary and the schemas built from it."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from .schemas import LAST_WEEK_LABELS, AnswersSchema
from .vocabulary import BY_KEY, FIELDS, OTTAWA_FINDINGS, OTTAWA_KEYS, AnswerField, Choice

_SCHEMA = AnswersSchema()


class InvalidAnswers(ValueError):
    """Answers the schema refused; ``errors`` maps each answer key to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))


def flat_errors(messages: Any) -> dict[str, list[str]]:
    """marshmallow's messages as ``{key: [sentence, ...]}``, whatever their nesting."""
    if not isinstance(messages, dict):
        return {"_schema": [str(m) for m in _leaves(messages)]}
    out: dict[str, list[str]] = {}
    for key, value in messages.items():
        if key == "last_week" and isinstance(value, dict):
            for part, inner in value.items():
                # A part the client made up is never echoed: it may not even be text.
                name = f"last_week.{part}" if part in LAST_WEEK_LABELS else "last_week"
                out.setdefault(name, []).extend(str(m) for m in _leaves(inner))
        elif key in NESTED_BY_KEY and isinstance(value, dict):
            # A refused special test is named by its own key ("thompson_test").
            for sub, inner in value.items():
                out[str(sub)] = [str(m) for m in _leaves(inner)]
        else:
            out[str(key)] = [str(m) for m in _leaves(value)]
    return out


#: Nested answers whose errors are keyed by the inner key, not the answer's.
NESTED_BY_KEY = frozenset({"special_tests"})


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _leaves(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _leaves(v)]
    return [value]


def load_answers(data: Any) -> dict[str, Any]:
    """Validated, normalised answers, or :class:`InvalidAnswers` naming each bad field."""
    try:
        return _SCHEMA.load(data)
    except ValidationError as exc:
        raise InvalidAnswers(flat_errors(exc.messages)) from None


__all__ = [
    "AnswerField",
    "AnswersSchema",
    "BY_KEY",
    "Choice",
    "FIELDS",
    "InvalidAnswers",
    "OTTAWA_FINDINGS",
    "OTTAWA_KEYS",
    "flat_errors",
    "load_answers",
]
