"""What the runner does next: exercises, advice and the week-by-week return plan.

Kept apart from the triage so the rules that decide (``engine``) stay short;
everything here only picks and arranges items of the guidance content.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from .content import Content

#: Most exercises handed out at once, by phase. Fewer in the first phase,
#: because adherence falls as the list grows.
MAX_EXERCISES = {"acute": 4, "rehab": 5, "return": 5}


def pick_exercises(
    content: Content, condition_ids: Sequence[str], phase: str, held: Collection[str] = ()
) -> list[dict]:
    """Exercises for the conditions in rank order, then by priority, capped per phase.

    ``held`` names the kinds of load (``loading``, ``impact``, ...) a red flag or
    the acute phase holds back; no exercise of those kinds is picked.
    """
    tags = list(condition_ids) or ["general"]
    chosen: dict[str, dict] = {}
    for tag in tags:
        matching = [
            ex for ex in content.exercises
            if tag in ex["conditions"] and phase in ex["phases"] and ex["load"] not in held
        ]
        for ex in sorted(matching, key=lambda e: e["priority"]):
            chosen.setdefault(ex["id"], ex)
    return [
        {
            "id": ex["id"],
            "name": ex["name"],
            "dose": ex["dose"],
            "how": ex["how"],
            "steps": list(ex["steps"]),
            "stop_if": ex["stop_if"],
            "load": ex["load"],
            "default_dose": dict(ex["default_dose"]),
        }
        for ex in list(chosen.values())[: MAX_EXERCISES[phase]]
    ]


def pick_advice(
    content: Content, condition_ids: Sequence[str], phase: str, risk_factors: Sequence[str]
) -> list[dict]:
    """Advice items for this phase: general ones, and those for the runner's conditions."""
    out = []
    for item in content.advice:
        if phase not in item["phases"]:
            continue
        if item["conditions"] and not set(item["conditions"]) & set(condition_ids):
            continue
        if item.get("risk_factors") and not set(item["risk_factors"]) & set(risk_factors):
            continue
        out.append({"id": item["id"], "topic": item["topic"], "text": item["text"]})
    return out


def weekly_plan(
    content: Content,
    weekly_distance: float | None,
    unit: str,
    first_day: dt.date | None,
    start_week: int = 1,
) -> list[dict[str, Any]]:
    """Weeks of continuous running, from half the usual distance back to all of it.

    The 50% rule, then +10-15% a week: ``distance`` grows by the low rate and
    ``distance_max`` by the high one, both rounded to the nearest half unit a
    runner can measure and capped at the pre-injury distance; the table ends the
    first week the low rate reaches it. ``first_day`` is None when the weeks
    start after the run-walk steps, whose pace the runner's next days set.
    """
    if not weekly_distance:
        return []
    rule = content.weekly
    fraction, slow, fast = rule["start_fraction"], rule["growth_low"], rule["growth_high"]
    sessions = {s["week"]: s["text"] for s in content.week_sessions}
    last_session = sessions[max(sessions)]
    # Weeks until the slow growth reaches the full distance, whatever the distance.
    count = weekly_plan_length(content)
    start = weekly_distance * fraction
    return [
        {
            "week": week,
            "distance": _half(min(start * (1 + slow) ** (week - 1), weekly_distance)),
            "distance_max": _half(min(start * (1 + fast) ** (week - 1), weekly_distance)),
            "unit": unit,
            "sessions": sessions.get(week, last_session),
            "starts": (first_day + dt.timedelta(weeks=week - start_week)).isoformat()
            if first_day else None,
        }
        for week in range(min(max(start_week, 1), count), count + 1)
    ]


def weekly_plan_length(content: Content) -> int:
    """How many weeks the weekly plan has, whatever the distance (its last week)."""
    rule = content.weekly
    return math.ceil(math.log(1 / rule["start_fraction"]) / math.log(1 + rule["growth_low"])) + 1


def _half(value: float) -> float:
    """To the nearest 0.5 km or mi (halves round up), never below half a unit."""
    return max(0.5, math.floor(value * 2 + 0.5) / 2)


def texts(items: Sequence[Mapping[str, Any]]) -> list[str]:
    return [item["text"] for item in items]


def suggested_plan(assessment: Mapping[str, Any]) -> dict[str, Any]:
    """The plan a review starts from: the suggested level and exercises, their default doses.

    A follow-up's plan starts from the suggested progression too.
    """
    progression = (assessment.get("return_to_run") or {}).get("progression")
    return {
        "triage_level": assessment["triage"]["level"],
        "override_reason": None,
        "exercises": [
            {"id": ex["id"], **_dose(ex.get("default_dose") or {})}
            for ex in assessment.get("exercises", [])
        ],
        "patient_note": "",
        "record_note": "",
        "review_date": None,
        **({"progression": progression} if progression else {}),
    }


def _dose(dose: Mapping[str, Any]) -> dict[str, Any]:
    return {key: dose.get(key) for key in ("sets", "reps", "hold_seconds", "times", "per")}
