"""An episode's visits as the pages and the handout read them: numbers over time.

One mapping per visit, in order, with what the charts draw: pain now and
during running, the weekly running planned at the last visit against what was
run, and each measure's score. The episode page (``web.episodes``) and the
handout's "Your progress" (``reports.progress``) both read it, so they agree.
"""

from __future__ import annotations

from typing import Any

from ..forms.measures import measure


def _measures(assessment: dict[str, Any]) -> dict[str, Any]:
    """A visit's measure scores as the page draws them."""
    out = {}
    for key, scored in (assessment.get("measures") or {}).items():
        if not isinstance(scored, dict):
            continue
        try:
            spec = measure(key)
        except KeyError:  # a measure no longer offered: drawn from what was stored
            spec = {}
        mcid = (spec.get("mcid") or {}).get("points")
        out[key] = {"name": scored.get("title") or scored.get("name"),
                    "short": scored.get("name"),
                    "score": scored.get("score"), "max": scored.get("max"),
                    "min": scored.get("min", 0), "unit": scored.get("unit"),
                    "mcid": mcid, "higher_is_better": spec.get("higher_is_better", True),
                    "change": scored.get("change")}
    return out


def _planned(previous: dict[str, Any] | None) -> float | None:
    """The weekly distance the last visit planned for the week that followed it."""
    if previous is None:
        return None
    weeks = (previous["assessment"].get("return_to_run") or {}).get("weeks") or []
    return weeks[0]["distance"] if weeks else None


def view_model(episode: dict[str, Any]) -> dict[str, Any]:
    """The episode as the page (and the handout's progress) reads it, visits in order."""
    visits = []
    previous = None
    for record in episode["visits"]:
        answers, assessment = record["answers"], record["assessment"]
        rtr = assessment.get("return_to_run") or {}
        week = answers.get("last_week") or {}
        visits.append({
            "id": record["id"], "number": record["visit"],
            "date": answers.get("assessment_date"), "status": record["status"],
            "triage_level": record["triage_level"],
            "likely": [c.get("name") for c in assessment.get("conditions", [])
                       if c.get("confidence") == "likely"],
            "pain_now": answers.get("pain_now"),
            "pain_during_run": week.get("pain_during_max", answers.get("pain_running")),
            "progression": rtr.get("progression"),
            "progression_reasons": [r["clinician"] for r in rtr.get("progression_reasons", [])],
            "planned_distance": _planned(previous), "completed_distance": week.get("distance"),
            "unit": answers.get("distance_unit", "km"),
            "measures": _measures(assessment),
        })
        previous = record
    first = episode["visits"][0]
    offered = first["assessment"].get("measures_offered") or []
    return {
        "id": episode["id"], "status": episode["status"],
        "patient_name": episode["visits"][-1]["answers"].get("patient_name")
        or first["answers"].get("patient_name"),
        "patient_ref": episode["patient_ref"],
        "opened_at": (episode["opened_at"] or "")[:10],
        "discharged_at": (episode["discharged_at"] or "")[:10] or None,
        "discharge_reason": episode["discharge_reason"],
        "offered_measures": offered, "visits": visits,
    }


def progress_of(episode: dict[str, Any], record_id: str) -> list[dict[str, Any]]:
    """The runner's visits up to and including ``record_id``'s, for the handout."""
    visits = view_model(episode)["visits"]
    upto = next((i for i, v in enumerate(visits) if v["id"] == record_id), len(visits) - 1)
    return visits[:upto + 1]
