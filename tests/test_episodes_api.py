"""Episodes of care in the JSON API (contract 6): visits, progression, discharge; both stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_host
from flask import Flask

from ankle_intake.extension import state

URL = "/ankle/api"
ANA = {"id": "u-17", "name": "Ana Silva"}
#: A runner back to easy running, pain-free, with a usual 30 km a week.
RUNNING = {
    "age": 34, "side": "left", "onset": "sudden", "pain_locations": ["outer_ankle"],
    "pain_now": 1, "pain_running": 1, "injury_date": "2026-09-01",
    "assessment_date": "2026-11-02", "weekly_distance": 30, "pain_walking": False,
    "swelling": "none", "patient_ref": "P-77",
}
GOOD_WEEK = {"runs": 3, "minutes": 75, "distance": 15, "pain_during_max": 1,
             "worse_next_morning": False}
BAD_WEEK = {"runs": 2, "minutes": 40, "distance": 8, "pain_during_max": 5,
            "worse_next_morning": True}


@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    return any_database_url


@pytest.fixture
def app(tmp_path: Path, database_url: str | None) -> Iterator[Flask]:
    host = make_host(tmp_path / "host", database_url=database_url,
                     ANKLE_INTAKE_CURRENT_USER=lambda: ANA)
    storage = state(host).storage
    if database_url:
        storage.drop_tables()
    yield host
    if database_url:
        storage.drop_tables()
    storage.dispose()


def _first(client: Any, **changes: Any) -> dict[str, Any]:
    response = client.post(f"{URL}/assessments", json={**RUNNING, **changes})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _visit(client: Any, episode: str, date: str, week: dict | None, **changes: Any) -> Any:
    body = {**RUNNING, "assessment_date": date, **changes}
    if week is not None:
        body["last_week"] = week
    return client.post(f"{URL}/episodes/{episode}/visits", json=body)


def test_a_first_intake_opens_an_episode_and_a_good_week_advances(client) -> None:
    first = _first(client)
    assert first["episode_id"] and first["visit"] == 1
    assert first["assessment"]["return_to_run"]["stage"] == {"kind": "weekly", "week": 1}
    assert first["assessment"]["return_to_run"]["progression"] is None

    response = _visit(client, first["episode_id"], "2026-11-09", GOOD_WEEK)
    assert response.status_code == 201, response.get_json()
    second = response.get_json()
    assert (second["episode_id"], second["visit"]) == (first["episode_id"], 2)
    assert second["answers"]["last_week"] == GOOD_WEEK
    rtr = second["assessment"]["return_to_run"]
    assert rtr["progression"] == "advance"
    assert rtr["stage"] == {"kind": "weekly", "week": 2}
    # The new plan runs from the visit's date and leaves out the week already run.
    assert rtr["weeks"][0]["week"] == 2 and rtr["weeks"][0]["starts"] == "2026-11-09"
    first_weeks = first["assessment"]["return_to_run"]["weeks"]
    assert rtr["weeks"][0]["distance"] == first_weeks[1]["distance"]
    assert all(r["patient"] and r["clinician"] and r["source"]
               for r in rtr["progression_reasons"])


def test_a_bad_week_backs_off_and_the_episode_lists_the_visits(client) -> None:
    first = _first(client)
    episode = first["episode_id"]
    assert _visit(client, episode, "2026-11-09", GOOD_WEEK).status_code == 201
    third = _visit(client, episode, "2026-11-16", BAD_WEEK).get_json()
    rtr = third["assessment"]["return_to_run"]
    assert rtr["progression"] == "back_off"
    assert rtr["stage"] == {"kind": "weekly", "week": 1}  # one step back from week 2
    assert any("5/10" in r["clinician"] for r in rtr["progression_reasons"])

    got = client.get(f"{URL}/episodes/{episode}")
    assert got.status_code == 200
    doc = got.get_json()
    assert doc["status"] == "open" and doc["patient_ref"] == "P-77"
    assert [v["visit"] for v in doc["visits"]] == [1, 2, 3]
    assert [v["progression"] for v in doc["visits"]] == [None, "advance", "back_off"]
    assert [v["assessment_date"] for v in doc["visits"]] == [
        "2026-11-02", "2026-11-09", "2026-11-16"]


def test_a_week_not_recorded_holds(client) -> None:
    first = _first(client)
    held = _visit(client, first["episode_id"], "2026-11-09", None).get_json()
    rtr = held["assessment"]["return_to_run"]
    assert rtr["progression"] == "hold"
    assert rtr["stage"] == first["assessment"]["return_to_run"]["stage"]


def test_last_week_errors_name_the_part(client) -> None:
    first = _first(client)
    response = _visit(client, first["episode_id"], "2026-11-09",
                      {"runs": -1, "pain_during_max": 11, "surprise": 1})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"last_week.runs", "last_week.pain_during_max", "last_week"} <= set(errors)
    assert not any("surprise" in key for key in errors)  # a made-up part is never echoed
    assert len(client.get(f"{URL}/episodes/{first['episode_id']}").get_json()["visits"]) == 1


def test_a_follow_up_must_be_the_same_runner_and_not_before_the_last_visit(client) -> None:
    first = _first(client)
    other = _visit(client, first["episode_id"], "2026-11-09", GOOD_WEEK, patient_ref="P-78")
    assert other.status_code == 422 and "patient_ref" in other.get_json()["errors"]
    early = _visit(client, first["episode_id"], "2026-10-30", GOOD_WEEK)
    assert early.status_code == 422 and "assessment_date" in early.get_json()["errors"]
    visits = client.get(f"{URL}/episodes/{first['episode_id']}").get_json()["visits"]
    assert len(visits) == 1


def test_unknown_and_discharged_episodes(client) -> None:
    assert client.get(f"{URL}/episodes/not-a-uuid").status_code == 404
    unknown = "7d1c0c39-3d6b-4d47-9d53-2f0e7a1f3c11"
    assert client.get(f"{URL}/episodes/{unknown}").status_code == 404
    assert _visit(client, unknown, "2026-11-09", GOOD_WEEK).status_code == 404

    first = _first(client)
    episode = first["episode_id"]
    bad = client.post(f"{URL}/episodes/{episode}/discharge", json={"reason": "bored"})
    assert bad.status_code == 422 and "reason" in bad.get_json()["errors"]
    done = client.post(f"{URL}/episodes/{episode}/discharge", json={"reason": "goals_met"})
    assert done.status_code == 200
    assert done.get_json()["status"] == "discharged"
    assert done.get_json()["discharge_reason"] == "goals_met"
    again = client.post(f"{URL}/episodes/{episode}/discharge", json={"reason": "goals_met"})
    assert again.status_code == 409
    late = _visit(client, episode, "2026-11-09", GOOD_WEEK)
    assert late.status_code == 409
    trail = client.get(f"{URL}/assessments/{first['id']}/audit").get_json()
    assert "discharge" in [e["action"] for e in trail]


def test_the_episode_is_served_only_when_authorized(tmp_path: Path) -> None:
    host = make_host(tmp_path / "h", authorize=lambda: "yes", ANKLE_INTAKE_CURRENT_USER=lambda: ANA)
    client = host.test_client()
    assert client.get(f"{URL}/episodes/7d1c0c39-3d6b-4d47-9d53-2f0e7a1f3c11").status_code == 403
    state(host).storage.dispose()


def test_concurrent_follow_ups_get_distinct_visit_numbers(app: Flask) -> None:
    client = app.test_client()
    first = _first(client)
    statuses: list[int] = []

    def one() -> None:
        statuses.append(_visit(app.test_client(), first["episode_id"], "2026-11-09",
                               GOOD_WEEK).status_code)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 6
    visits = client.get(f"{URL}/episodes/{first['episode_id']}").get_json()["visits"]
    assert sorted(v["visit"] for v in visits) == [1, 2, 3, 4, 5, 6, 7]


def test_erasing_every_visit_erases_the_episode(client, app: Flask) -> None:
    first = _first(client)
    second = _visit(client, first["episode_id"], "2026-11-09", GOOD_WEEK).get_json()
    storage = state(app).storage
    assert storage.delete(first["id"])
    assert storage.episode(first["episode_id"]) is not None
    assert storage.delete(second["id"])
    assert storage.episode(first["episode_id"]) is None


def test_a_purge_erases_the_episodes_it_empties(client, app: Flask) -> None:
    import datetime as dt

    first = _first(client)
    storage = state(app).storage
    assert storage.purge(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)) == 1
    assert storage.episode(first["episode_id"]) is None


def test_discharging_a_discharged_episode_on_the_page_says_so(client) -> None:
    first = _first(client)
    page = f"/ankle/episodes/{first['episode_id']}/discharge"
    assert client.post(page, data={"reason": "goals_met"}).status_code == 303
    again = client.post(page, data={"reason": "goals_met"})
    assert again.status_code == 409
    assert "already discharged" in again.get_data(as_text=True)


def test_a_discharge_without_a_clinician_is_refused_on_the_page(tmp_path: Path) -> None:
    host = make_host(tmp_path / "nobody", ANKLE_INTAKE_CURRENT_USER=lambda: None)
    client = host.test_client()
    first = _first(client)
    refused = client.post(f"/ankle/episodes/{first['episode_id']}/discharge",
                          data={"reason": "goals_met"})
    assert refused.status_code == 403
    assert "nobody is signed in" in refused.get_data(as_text=True)
    assert state(host).storage.episode(first["episode_id"])["status"] == "open"
    api = client.post(f"{URL}/episodes/{first['episode_id']}/discharge",
                      json={"reason": "goals_met"})
    assert api.status_code == 403
    state(host).storage.dispose()
