"""The clinical core."""

from __future__ import annotations

from typing import Any

from ..forms import load_answers


def assess(answers: Any) -> dict:
    return load_answers(answers)
