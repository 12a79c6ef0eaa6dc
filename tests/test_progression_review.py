"""The clinician decides a follow-up's progression on review (contract 5 and 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import make_host

from ankle_intake.extension import state

RUNNING = {"side": "left", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 1,
           "pain_running": 1, "injury_date": "2026-09-01", "assessment_date": "2026-11-02",
           "weekly_distance": 30, "pain_walking": False, "swelling": "none"}
GOOD = {"runs": 3, "pain_during_max": 1, "worse_next_morning": False}


@pytest.fixture
def app(tmp_path: Path) -> Any:
    host = make_host(tmp_path / "h", ANKLE_INTAKE_CURRENT_USER=lambda: {"id": "u1", "name": "A"})
    yield host
    state(host).storage.dispose()


def _follow_up(client: Any) -> dict[str, Any]:
    first = client.post("/ankle/api/assessments", json=RUNNING).get_json()
    return client.post(f"/ankle/api/episodes/{first['episode_id']}/visits",
                       json={**RUNNING, "assessment_date": "2026-11-09",
                             "last_week": GOOD}).get_json()


def test_the_review_page_offers_the_progression_with_the_suggestion_chosen(client) -> None:
    visit = _follow_up(client)
    page = client.get(f"/ankle/assessments/{visit['id']}").get_data(as_text=True)
    assert '<select class="ai-input" id="progression" name="progression"' in page
    assert '<option value="advance" selected>' in page
    first = client.post("/ankle/api/assessments", json=RUNNING).get_json()
    assert 'name="progression"' not in client.get(
        f"/ankle/assessments/{first['id']}").get_data(as_text=True)


def test_the_clinicians_progression_is_saved_and_printed(client) -> None:
    visit = _follow_up(client)
    form = {"triage_level": visit["assessment"]["triage"]["level"], "progression": "hold"}
    saved = client.post(f"/ankle/assessments/{visit['id']}/plan", data=form)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:500]
    record = client.get(f"/ankle/api/assessments/{visit['id']}").get_json()
    assert record["plan"]["progression"] == "hold"
    note = client.get(f"/ankle/assessments/{visit['id']}/note.txt").get_data(as_text=True)
    assert "- Progression chosen: hold (suggested advance)." in note


def test_a_first_visits_plan_refuses_a_progression(client) -> None:
    first = client.post("/ankle/api/assessments", json=RUNNING).get_json()
    plan = {"triage_level": first["assessment"]["triage"]["level"], "exercises": [],
            "progression": "advance"}
    response = client.put(f"/ankle/api/assessments/{first['id']}/plan", json=plan)
    assert response.status_code == 422 and "progression" in response.get_json()["errors"]
