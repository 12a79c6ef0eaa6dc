"""From validated answers to the assessment (contract section 4).

Pure and deterministic: the only date it knows is ``assessment_date``. The
rules themselves are data (``data/*.json``); this module only evaluates them in
order: facts, conditions, healing, red flags, triage, then the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..forms.vocabulary import OTTAWA_KEYS, SEVERITY
from .content import LEVELS, Content
from .plan import pick_advice, pick_exercises, texts, weekly_plan
from .predicates import CONDITION_IDS

_RANK = {level: i for i, level in enumerate(LEVELS)}
_ORDER = {cid: i for i, cid in enumerate(CONDITION_IDS)}
ACUTE_DAYS = 3  # "First 48-72 hours: R.I.C.E."


def ottawa_result(findings: Mapping[str, bool | None] | None) -> str:
    """Ankle and foot rules together: any finding positive; all five examined and clear negative."""
    if not findings:
        return "not_assessed"
    values = [findings.get(k) for k in OTTAWA_KEYS]
    if any(v is True for v in values):
        return "positive"
    if all(v is False for v in values):
        return "negative"
    return "not_assessed"


def _facts(answers: Mapping[str, Any]) -> dict[str, Any]:
    facts = dict(answers)
    assessed = dt.date.fromisoformat(answers["assessment_date"])
    injury = answers.get("injury_date")
    days = (assessed - dt.date.fromisoformat(injury)).days if injury else None
    facts["days_since_injury"] = days
    facts["swelling_level"] = SEVERITY.get(answers.get("swelling", "none"), 0)
    facts["ottawa_result"] = ottawa_result(answers.get("ottawa"))
    facts["acute_window"] = (
        answers.get("onset") == "sudden" and days is not None and days <= ACUTE_DAYS
    )
    return facts


def _conditions(content: Content, facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = []
    for cid, cond in content.conditions.items():
        if not cond["requires"](facts):
            continue
        matched = [sign for sign in cond["signs"] if sign["when"](facts)]
        score = sum(sign["weight"] for sign in matched)
        if score >= cond["likely_at"]:
            confidence = "likely"
        elif score >= cond["possible_at"]:
            confidence = "possible"
        else:
            continue
        healing = next(h for h in cond["healing"] if h["when"](facts))
        found.append(
            (
                confidence != "likely",
                -score,
                _ORDER[cid],
                {
                    "id": cid,
                    "name": cond["name"],
                    "confidence": confidence,
                    "summary": cond["summary"],
                    "reasons": [sign["reason"] for sign in matched],
                    "healing": {
                        "min_days": healing["min_days"],
                        "max_days": healing["max_days"],
                        "note": healing["note"],
                    },
                },
            )
        )
    return [entry for *_, entry in sorted(found, key=lambda f: f[:3])]


def _triage(
    content: Content, facts: Mapping[str, Any], red_flags: list[dict]
) -> dict[str, Any]:
    matched = [rule for rule in content.triage_rules if rule["when"](facts)]
    if red_flags:
        level = "see_clinician"
        template = content.red_flag_reason["text"]
        reasons = [template.format(name=flag["name"]) for flag in red_flags]
    elif matched:
        level = max((rule["level"] for rule in matched), key=_RANK.__getitem__)
        reasons = [rule["reason"] for rule in matched if rule["level"] == level]
    else:
        level = "continue"
        reasons = [content.default_reason["text"]]
    info = content.levels[level]
    return {"level": level, "label": info["label"], "summary": info["summary"], "reasons": reasons}


def evaluate_with(content: Content, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The assessment of validated answers against the given content."""
    facts = _facts(answers)
    conditions = _conditions(content, facts)
    facts["conditions"] = [c["id"] for c in conditions]
    facts["likely"] = [c["id"] for c in conditions if c["confidence"] == "likely"]

    healing = conditions[0]["healing"] if conditions else None
    injury = answers.get("injury_date")
    earliest = None
    if healing and injury and healing["min_days"] is not None:
        earliest = dt.date.fromisoformat(injury) + dt.timedelta(days=healing["min_days"])
        facts["before_earliest_return"] = (
            dt.date.fromisoformat(answers["assessment_date"]) < earliest
        )

    red_flags = [
        {key: flag[key] for key in ("id", "name", "text", "blocks_exercise")}
        for flag in content.red_flags
        if flag["when"](facts)
    ]
    triage = _triage(content, facts, red_flags)
    stop_running = triage["level"] in ("stop", "see_clinician")
    rice_applies = facts["acute_window"] or facts["swelling_level"] >= 1
    phase = "acute" if rice_applies else "rehab" if stop_running else "return"

    plan_for = facts["likely"] or facts["conditions"][:1]
    # Week 1 starts on the earliest return date, but never before the assessment;
    # a runner cleared to run with no dated injury starts on the assessment date.
    assessed = dt.date.fromisoformat(answers["assessment_date"])
    first_week = max(earliest, assessed) if earliest else None if stop_running else assessed
    blocked = any(flag["blocks_exercise"] for flag in red_flags)
    ottawa = facts["ottawa_result"]
    return {
        "rules_version": content.version,
        "phase": phase,
        "triage": triage,
        "stop_running": stop_running,
        "conditions": conditions,
        "red_flags": red_flags,
        "imaging": {"ottawa": ottawa, "advice": content.ottawa[ottawa]["advice"]},
        "healing": healing,
        "return_to_run": {
            "earliest_date": earliest.isoformat() if earliest else None,
            "criteria": texts(content.criteria),
            "run_walk": texts(content.run_walk),
            "pain_rule": texts(content.pain_rule),
            "weekly_rule": content.weekly["text"],
            "weeks": weekly_plan(
                content, answers.get("weekly_distance"), answers.get("distance_unit", "km"),
                first_week,
            ),
        },
        "rice": {"when": content.rice_when["text"], "steps": texts(content.rice)}
        if rice_applies
        else None,
        "exercises": [] if blocked else pick_exercises(content, plan_for, phase),
        "exercises_on_hold": blocked,
        "advice": pick_advice(content, plan_for, phase, answers.get("risk_factors", ())),
    }
