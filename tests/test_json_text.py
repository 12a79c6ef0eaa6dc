"""The stored and answered JSON text: orjson's, the same as the standard encoder's."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ankle_intake.forms import load_answers
from ankle_intake.guidance import evaluate
from ankle_intake.store import to_json

from casebook import casebook_cases, vignette_answers, vignette_cases


def _standard(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_every_casebook_assessment_encodes_as_the_standard_encoder_does() -> None:
    checked = 0
    for case in [*casebook_cases(), *vignette_cases()]:
        try:
            answers = load_answers(vignette_answers(case))
        except ValueError:
            continue
        for value in (answers, evaluate(answers)):
            assert to_json(value) == _standard(value), case.get("name")
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("value", [
    {"big": 2**70},                    # beyond 64 bits: orjson refuses it
    {1: "a key that is not text"},     # orjson refuses it; the standard encoder writes "1"
    {"text": "bidi \u202e, zero-width \u200b, line \u2028, quote \" and \\"},
    {"nested": [[], {}, None, True, False, -0.0, 0.5, 1e16]},
])
def test_what_orjson_refuses_is_written_by_the_standard_encoder(value: Any) -> None:
    assert to_json(value) == _standard(value)


def test_a_tiny_float_is_spelt_differently_but_reads_back_the_same() -> None:
    value = {"small": 1e-7, "distance": 12.3}
    assert to_json(value) != _standard(value)  # "1e-7", not "1e-07"
    assert json.loads(to_json(value)) == value
