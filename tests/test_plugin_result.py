"""The result page: red flags first, triage in words and colour, everything escaped."""

from __future__ import annotations

import copy
import html
from typing import Any

import pytest

from ankle_intake import intake as intake_module
from ankle_intake.guidance import evaluate

HOSTILE = "<script>alert(1)</script>"


def _rich(answers: dict[str, Any], level: str) -> dict[str, Any]:
    """The real assessment with every optional section filled in."""
    assessment = copy.deepcopy(evaluate(answers))
    assessment["triage"]["level"] = level
    assessment["stop_running"] = level in ("stop", "see_clinician")
    assessment["red_flags"] = [{"id": "night_pain", "name": "Night pain", "blocks_exercise": False,
                                "text": "Pain at night " + HOSTILE}]
    assessment["conditions"] = [
        {"id": "ankle_sprain", "name": "Ankle sprain", "confidence": "likely",
         "summary": "A stretched ligament.", "reasons": ["Rolled the ankle."]},
        {"id": "stress_fracture", "name": "Stress fracture", "confidence": "possible",
         "summary": "A crack in the bone.", "reasons": ["Point tenderness."]},
    ]
    assessment["imaging"] = {"ottawa": "positive", "advice": "X-ray advised."}
    assessment["healing"] = {"min_days": 28, "max_days": 42, "note": "Most heal by then."}
    assessment["return_to_run"]["earliest_date"] = "2026-12-25"
    assessment["return_to_run"]["weeks"] = [
        {"week": 1, "distance": 10.0, "distance_max": 12.0, "unit": "km",
         "sessions": "3 run-walk sessions", "starts": "2026-12-25"},
        {"week": 2, "distance": 15.0, "distance_max": None, "unit": "km",
         "sessions": "3 easy runs", "starts": "2027-01-01"},
    ]
    assessment["rice"] = {"when": "For the first 72 hours.",
                          "steps": ["Rest the ankle.", "Ice for 15 minutes."]}
    assessment["exercises"] = [{"id": "calf_raises", "name": "Calf raises", "dose": "3 x 15 daily",
                                "how": "Rise onto the toes.", "steps": ["Stand.", "Rise."],
                                "stop_if": "Sharp pain."}]
    return assessment


@pytest.fixture
def show(client, monkeypatch, valid):
    def render(level: str, **answers: Any) -> str:
        monkeypatch.setattr(intake_module, "evaluate", lambda a: _rich(a, level))
        created = client.post("/ankle/api/assessments", json={**valid, **answers})
        assert created.status_code == 201
        page = client.get(f"/ankle/assessments/{created.json['id']}")
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store"
        return page.get_data(as_text=True)

    return render


@pytest.mark.parametrize(
    ("level", "words", "css"),
    [
        ("continue", "Carry on with changes", "ai-triage--continue"),
        ("caution", "Carry on with changes, with care", "ai-triage--caution"),
        ("stop", "Stop running", "ai-triage--stop"),
        ("see_clinician", "See a clinician", "ai-triage--see-clinician"),
    ],
)
def test_triage_in_words_and_colour(show, level, words, css) -> None:
    html = show(level)
    assert css in html
    assert f'<span class="ai-triage__tag">{words}</span>' in html
    running = "stop running for now" if level in ("stop", "see_clinician") else "may carry on"
    assert running in html


def test_sections_in_order_and_content_shown(show) -> None:
    html = show("stop")
    order = ["Red flags", "ai-triage--stop", "Likely", "Possible", "Ottawa ankle and foot rules",
             "Healing and return", "Return-to-run plan", "RICE", "Exercises"]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    for text in ("Rolled the ankle.", "Point tenderness.", "X-ray advised.", "28 to 42 days",
                 "2026-12-25", "10 to 12 km", "15 km", "3 easy runs", "Ice for 15 minutes.",
                 "3 x 15 daily", "Sharp pain."):
        assert text in html, text


def test_patient_data_and_guidance_text_are_escaped(show) -> None:
    html = show("caution", patient_name="Zoë " + HOSTILE)
    assert HOSTILE not in html
    assert "Zoë &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Pain at night &lt;script&gt;" in html


def test_the_clinicians_note_is_on_the_page_with_a_copy_button(client, valid) -> None:
    created = client.post("/ankle/api/assessments",
                          json={**valid, "patient_name": "Zoë <b>Notetest</b>"})
    page = client.get(f"/ankle/assessments/{created.json['id']}").get_data(as_text=True)
    note = client.get(f"/ankle/assessments/{created.json['id']}/note.txt").get_data(as_text=True)
    assert f'href="/ankle/assessments/{created.json["id"]}/note.txt"' in page
    assert 'data-ai-copy="ai-clinician-note" hidden' in page
    assert 'id="ai-clinician-note"' in page and "ankle_intake.js" in page
    first_line = note.splitlines()[0]
    assert html.escape(first_line, quote=False) in page
    assert "Zoë &lt;b&gt;Notetest&lt;/b&gt;" in page and "<b>Notetest" not in page
