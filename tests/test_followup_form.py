"""The follow-up form starts from the last visit's answers and reads them back unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from ankle_intake.forms import InvalidAnswers, load_answers
from ankle_intake.forms.followup_form import FollowUpForm, answers_to_formdata, followup_to_raw

from casebook import vignette_answers, vignette_cases

CASEBOOK = json.loads((Path(__file__).parent / "casebook_cases.json").read_text("utf-8"))


def _valid(answers: dict[str, Any]) -> bool:
    try:
        load_answers(answers)
    except InvalidAnswers:
        return False
    return True


#: Every valid worked case: the shared vignettes and the casebook.
ANSWERS = [a for a in (vignette_answers(c) for c in vignette_cases() + CASEBOOK) if _valid(a)]


@pytest.fixture(scope="module")
def flask_app() -> Flask:
    app = Flask("followup-form")
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    return app


def _posted(app: Flask, data: Any) -> dict[str, Any]:
    with app.test_request_context(method="POST", data=data):
        return followup_to_raw(FollowUpForm())


@pytest.mark.parametrize("answers", ANSWERS, ids=range(len(ANSWERS)))
def test_every_recorded_answer_survives_the_prefill(flask_app: Flask, answers: dict) -> None:
    stored = load_answers(answers)
    again = load_answers(_posted(flask_app, answers_to_formdata(stored)))
    # The form's default handout language is what an answer without one means.
    if "handout_language" not in stored and again.get("handout_language") == "en":
        del again["handout_language"]
    # An empty set of tests and no tests both say "none examined".
    assert again == {k: v for k, v in stored.items() if v != {}}


def test_last_week_is_read_from_its_fields(flask_app: Flask) -> None:
    data = answers_to_formdata(load_answers(ANSWERS[0]))
    data.add("last_week-runs", "3")
    data.add("last_week-distance", "12,5")
    data.add("last_week-pain_during_max", "2")
    data.add("last_week-worse_next_morning", "no")
    raw = _posted(flask_app, data)
    assert raw["last_week"] == {"runs": 3, "distance": 12.5, "pain_during_max": 2,
                                "worse_next_morning": False}
    assert load_answers(raw)["last_week"] == raw["last_week"]


def test_an_untouched_last_week_is_not_recorded(flask_app: Flask) -> None:
    raw = _posted(flask_app, answers_to_formdata(load_answers(ANSWERS[0])))
    assert "last_week" not in raw
