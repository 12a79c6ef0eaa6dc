"""The result page: the clinician's words, the referral first, everything escaped."""

from __future__ import annotations

import copy
import html
import re
from typing import Any

import pytest

from ankle_intake import load_answers
from ankle_intake.guidance import evaluate
from ankle_intake.store import intake as intake_module

from casebook import days_ago, intake

HOSTILE = "<script>alert(1)</script>"


def _rich(answers: dict[str, Any], level: str) -> dict[str, Any]:
    """The real assessment with every optional section filled in."""
    assessment = copy.deepcopy(evaluate(answers))
    assessment["triage"]["level"] = level
    del assessment["triage"]["clinician_label"]  # as stored before it had one: TRIAGE_STYLE's
    assessment["stop_running"] = level in ("stop", "see_clinician")
    assessment["red_flags"] = [{
        "id": "night_pain", "name": "Night pain", "blocks_exercise": False, "holds": ["impact"],
        "text": "Pain at night " + HOSTILE, "urgency": "within_1_working_day",
        "action": "Medical referral " + HOSTILE, "refer_to": "the GP", "findings": ["night pain"],
        "clinician_text": "Medical referral: night pain " + HOSTILE,
        "source": {"citation": "A citation " + HOSTILE}}]
    referral = {"urgency": "within_1_working_day", "urgency_label": "Within one working day",
                "to": "the GP", "reasons": ["Medical referral: night pain"],
                "patient_text": ["Pain at night"]}
    assessment["referral"] = referral if level == "see_clinician" else None
    assessment["conditions"] = [
        {"id": "ankle_sprain", "name": "Ankle sprain", "confidence": "likely",
         "summary": "A stretched ligament.", "clinician_summary": "Lateral ligament sprain.",
         "reasons": ["Rolled the ankle."]},
        {"id": "stress_fracture", "name": "Stress fracture", "confidence": "possible",
         "summary": "A crack in the bone.", "clinician_summary": "Bone stress injury.",
         "reasons": ["Point tenderness."]},
    ]
    assessment["imaging"] = {"ottawa": "positive", "advice": "X-ray advised.",
                             "clinician_advice": "X-ray indicated.", "scope_reason": None}
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
    def render(level: str | None, **answers: Any) -> str:
        """The page for ``answers``; with a ``level``, a made-up assessment of every section."""
        if level is not None:
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
        ("continue", "Continue running", "ai-triage--continue"),
        ("caution", "Modified running", "ai-triage--caution"),
        ("stop", "No running", "ai-triage--stop"),
        ("see_clinician", "Refer on", "ai-triage--see-clinician"),
    ],
)
def test_triage_in_words_and_colour(show, level, words, css) -> None:
    html = show(level)
    assert css in html
    assert f'<span class="ai-triage__tag">{words}</span>' in html
    running = "no running for now" if level in ("stop", "see_clinician") else "may continue"
    assert running in html
    assert not re.search(r"see a clinician", html, re.IGNORECASE)


def test_sections_in_order_and_content_shown(show) -> None:
    html = show("see_clinician")
    order = ["ai-triage--see-clinician", "Referral: Within one working day",
             'id="ai-save-top"', 'id="ai-sign-top"', 'id="plan-form-title"',
             'id="findings-title"', "<h3>Examination", 'id="imaging-title"', "<h3>Likely",
             "<h3>Possible", 'id="healing-title"', 'id="plan-title"', 'id="rice-title"',
             'id="exercises-title"', 'id="note-title"']
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    for text in ("Rolled the ankle.", "Point tenderness.", "X-ray indicated.", "28 to 42 days",
                 "Lateral ligament sprain.", "Bone stress injury.",
                 "2026-12-25", "10 to 12 km", "15 km", "3 easy runs", "Ice for 15 minutes.",
                 "3 x 15 daily", "Sharp pain."):
        assert text in html, text


def test_patient_data_and_guidance_text_are_escaped(show) -> None:
    html = show("see_clinician", patient_name="Zoë " + HOSTILE)
    assert HOSTILE not in html
    assert "Zoë &lt;script&gt;alert(1)&lt;/script&gt;" in html
    for words in ("Medical referral: night pain", "Medical referral", "A citation"):
        assert f"{words} &lt;script&gt;" in html


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


REFERRED = intake(
    onset="sudden", side="right", injury_date=days_ago(1), pain_now=5,
    pain_locations=["back_of_ankle", "outer_ankle"], mechanism="push_off_or_landing",
    special_tests={"thompson_test": "positive", "squeeze_test": "negative"},
    ottawa={"tender_lateral_malleolus": True},
)


def _page_text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_a_referred_case_shows_the_clinicians_words_and_never_see_a_clinician(show) -> None:
    page = show(None, **REFERRED)
    text = _page_text(page)
    assessment = evaluate(load_answers(REFERRED))
    referral, triage = assessment["referral"], assessment["triage"]
    assert triage["level"] == "see_clinician"
    for words in (triage["clinician_label"], triage["clinician_summary"],
                  f"Referral: {referral['urgency_label']}", referral["to"]):
        assert words in text, words
    assert len(assessment["red_flags"]) == 2
    for flag in assessment["red_flags"]:
        assert flag["clinician_text"] in text
        assert f"Action {flag['action']}" in text
        assert flag["source"]["citation"] in text
        assert flag["text"] not in text  # the patient's sentence is for the handout
    (thompson,) = [t for t in assessment["examination"]["special_tests"]
                   if t["id"] == "thompson_test"]
    assert f"Thompson test positive {thompson['accuracy']}" in text
    assert thompson["source"]["citation"] in text
    squeeze = next(t for t in assessment["examination"]["special_tests"]
                   if t["id"] == "squeeze_test")
    assert squeeze["accuracy"] not in text  # accuracy beside positives only
    assert "Limping not examined" in text and "Heard a pop not examined" in text
    assert assessment["imaging"]["clinician_advice"] in text
    assert not re.search(r"see a clinician", text, re.IGNORECASE)
    assert "until a clinician" not in text


def test_the_ottawa_rules_outside_their_scope_show_why(show) -> None:
    text = _page_text(show(None, **intake(onset="gradual", pain_now=2,
                                           ottawa={"tender_navicular": True})))
    assessment = evaluate(load_answers(intake(onset="gradual", pain_now=2,
                                              ottawa={"tender_navicular": True})))
    assert "Not applicable." in text
    assert assessment["imaging"]["clinician_advice"] in text
    assert assessment["imaging"]["scope_reason"] in text


def test_return_checks_show_their_status(show) -> None:
    text = _page_text(show(None, **intake(onset="sudden", injury_date=days_ago(20),
                                           pain_walking=False, swelling="none")))
    assert "Walks pain-free met" in text
    assert "Swelling down met" in text
    assert "Pain-free single-leg hop not examined" in text
