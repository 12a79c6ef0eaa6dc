"""From validated answers to the assessment (contract sections 4 and 4b).

Pure and deterministic: the only date it knows is ``assessment_date``. The
rules themselves are data (``data/*.json``); this module only evaluates them in
order: facts, conditions, healing, red flags, triage, then the plan. Every
output that speaks carries the patient's words and the clinician's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..forms.vocabulary import OTTAWA_KEYS, SEVERITY, TEST_KEYS
from .content import LEVELS, URGENCIES, Content
from .measures import assess_measures, offered
from .plan import pick_advice, pick_exercises, texts, weekly_plan, weekly_plan_length
from .predicates import CONDITION_IDS
from .progression import DECISIONS, PAUSED, decide, first_stage, moved, step_reason

_RANK = {level: i for i, level in enumerate(LEVELS)}
_ORDER = {cid: i for i, cid in enumerate(CONDITION_IDS)}
_URGENCY_RANK = {u: i for i, u in enumerate(URGENCIES)}
ACUTE_DAYS = 3  # "First 48-72 hours: R.I.C.E."
#: The refined Ottawa rules were validated for injuries up to 10 days old (Stiell 1993).
OTTAWA_SCOPE_DAYS = 10
#: Pain locations over the high-risk stress fracture sites of Boden and Osbahr (2000):
#: tibia, talus, medial malleolus, navicular (and, on the top of the foot, the metatarsals).
HIGH_RISK_LOCATIONS = frozenset({"lower_shin", "deep_ankle", "inner_ankle", "top_of_foot"})
OTTAWA_TENDER = tuple(k for k in OTTAWA_KEYS if k.startswith("tender_"))
HIGH_RISK_OTTAWA = ("tender_navicular", "tender_fifth_metatarsal_base", "tender_medial_malleolus")


def ottawa_result(findings: Mapping[str, bool | None] | None, applies: bool = True) -> str:
    """Ankle and foot rules together: any finding positive; all five examined and clear negative.

    Outside their scope (``applies`` false) the rules are ``not_applicable``,
    whatever findings were recorded.
    """
    if not applies:
        return "not_applicable"
    if not findings:
        return "not_assessed"
    values = [findings.get(k) for k in OTTAWA_KEYS]
    if any(v is True for v in values):
        return "positive"
    if all(v is False for v in values):
        return "negative"
    return "not_assessed"


def _ottawa_scope(content: Content, onset: str, days: int | None) -> tuple[bool, str | None]:
    """Whether the Ottawa rules apply, and the clinician's sentence saying why (not)."""
    if onset != "sudden":
        return False, content.ottawa_scope["ottawa_scope_gradual"]["text"]
    if days is None:
        return True, content.ottawa_scope["ottawa_scope_undated"]["text"]
    if days > OTTAWA_SCOPE_DAYS:
        return False, content.ottawa_scope["ottawa_scope_late"]["text"].format(days=days)
    return True, None


def _facts(content: Content, answers: Mapping[str, Any]) -> dict[str, Any]:
    facts = dict(answers)
    assessed = dt.date.fromisoformat(answers["assessment_date"])
    injury = answers.get("injury_date")
    days = (assessed - dt.date.fromisoformat(injury)).days if injury else None
    facts["days_since_injury"] = days
    # Swelling not recorded stays unknown: "not examined" is never "none".
    swelling = answers.get("swelling")
    facts["swelling_level"] = SEVERITY[swelling] if swelling else None
    applies, scope_reason = _ottawa_scope(content, answers["onset"], days)
    facts["ottawa_applies"] = applies
    facts["ottawa_scope_reason"] = scope_reason
    facts["ottawa_result"] = ottawa_result(answers.get("ottawa"), applies)
    facts["acute_window"] = (
        answers.get("onset") == "sudden" and days is not None and days <= ACUTE_DAYS
    )
    running = answers.get("pain_running", 0)
    facts["in_pain"] = (
        answers["pain_now"] >= 1
        or "pain_running" in answers and (running is None or running >= 1)
        or answers.get("pain_walking") is True
    )
    ottawa = answers.get("ottawa") or {}
    facts["high_risk_site"] = bool(
        HIGH_RISK_LOCATIONS.intersection(answers["pain_locations"])
        or any(ottawa.get(k) is True for k in HIGH_RISK_OTTAWA)
    )
    # Bone tenderness is bone tenderness whether the Ottawa rules apply or not; within
    # their scope the Ottawa flags speak for it.
    facts["bony_tenderness"] = answers.get("point_tenderness") is True or (
        not applies and any(ottawa.get(k) is True for k in OTTAWA_TENDER)
    )
    facts.update(answers.get("special_tests") or {})
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
                    "clinician_summary": cond["clinician_summary"],
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


def _red_flags(content: Content, facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The red flags that stand, most urgent first, each with the findings that raised it."""
    out = []
    for flag in content.red_flags:
        if not flag["when"](facts):
            continue
        findings = [f["text"] for f in flag["findings"] if f["when"](facts)]
        out.append({
            "id": flag["id"],
            "name": flag["name"],
            "text": flag["text"],
            "urgency": flag["urgency"],
            "action": flag["action"],
            "refer_to": flag["refer_to"],
            "findings": findings,
            "clinician_text": _clinician_line(flag["action"], flag["name"], findings),
            "holds": list(flag["holds"]),
            "blocks_exercise": flag["blocks_exercise"],
            "keeps_rice": flag["keeps_rice"],
            "source": dict(flag["source"]),
        })
    return sorted(out, key=lambda f: _URGENCY_RANK[f["urgency"]])


def _clinician_line(action: str, name: str, findings: list[str]) -> str:
    """ "Refer for ankle X-ray (same day): Ottawa ankle rule positive (lateral malleolus)"."""
    line = f"{action}: {name}"
    return f"{line} ({', '.join(findings)})" if findings else line


def _referral(content: Content, red_flags: list[dict]) -> dict[str, Any] | None:
    if not red_flags:
        return None
    top = red_flags[0]
    return {
        "urgency": top["urgency"],
        "urgency_label": content.urgencies[top["urgency"]]["text"],
        "to": top["refer_to"],
        "reasons": [flag["clinician_text"] for flag in red_flags],
        "patient_text": [flag["text"] for flag in red_flags],
    }


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
    clinician_summary = red_flags[0]["clinician_text"] if red_flags else info["clinician_summary"]
    return {
        "level": level,
        "label": info["label"],
        "summary": info["summary"],
        "clinician_label": info["clinician_label"],
        "clinician_summary": clinician_summary,
        "reasons": reasons,
    }


def _checks(content: Content, facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The article's three return-to-run checks, each met, not met or not examined."""
    out = []
    for item in content.criteria:
        if item["not_met_when"](facts):
            status = "not_met"
        elif item["met_when"](facts):
            status = "met"
        else:
            status = "not_examined"
        out.append({"id": item["id"], "text": item["text"],
                    "clinician_text": item["clinician_text"], "status": status})
    return out


def _examination(content: Content, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Each special test with its result ("not_examined" when absent) and published accuracy."""
    results = answers.get("special_tests") or {}
    return {
        "special_tests": [
            {
                "id": key,
                "name": content.special_tests[key]["name"],
                "result": results.get(key, "not_examined"),
                "accuracy": content.special_tests[key]["accuracy"],
                "source": dict(content.special_tests[key]["source"]),
            }
            for key in TEST_KEYS
        ],
    }


def evaluate_with(content: Content, answers: Mapping[str, Any],
                  previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The assessment of validated answers against the given content.

    ``previous`` (a follow-up visit: the last visit's ``answers``,
    ``assessment`` and the clinician's ``plan``, if any) adds the progression
    of contract 6 and starts the return plan at the stage it reaches.
    """
    facts = _facts(content, answers)
    checks = _checks(content, facts)
    facts["return_checks_open"] = any(c["status"] == "not_examined" for c in checks)
    conditions = _conditions(content, facts)
    facts["conditions"] = [c["id"] for c in conditions]
    facts["likely"] = [c["id"] for c in conditions if c["confidence"] == "likely"]

    healing = conditions[0]["healing"] if conditions else None
    injury = answers.get("injury_date")
    assessed = dt.date.fromisoformat(answers["assessment_date"])
    earliest = None
    if healing and injury and healing["min_days"] is not None:
        earliest = dt.date.fromisoformat(injury) + dt.timedelta(days=healing["min_days"])
        facts["before_earliest_return"] = assessed < earliest

    red_flags = _red_flags(content, facts)
    if red_flags:
        earliest = None  # no date to try running while a referral is pending
    triage = _triage(content, facts, red_flags)
    stop_running = triage["level"] in ("stop", "see_clinician")
    # RICE is first aid for an injury; under a medical red flag (infection, thrombosis,
    # Charcot foot) it is not what the patient should do while the referral happens.
    rice_applies = (facts["acute_window"] or (facts["swelling_level"] or 0) >= 1) and all(
        flag["keeps_rice"] for flag in red_flags
    )
    phase = "acute" if rice_applies else "rehab" if stop_running else "return"

    plan_for = facts["likely"] or facts["conditions"][:1]
    held = {load for flag in red_flags for load in flag["holds"]}
    if phase == "acute":
        held.add("impact")  # no hops or impact in the acute phase
    blocked = any(flag["blocks_exercise"] for flag in red_flags)
    running_now = answers.get("pain_running") is not None and answers["pain_running"] <= 2
    run_walk_first = stop_running or not running_now
    # A runner already running pain-free starts the weekly plan now (or on the
    # earliest return date); one coming back starts it after the run-walk steps.
    first_week = None
    if not run_walk_first:
        first_week = max(earliest, assessed) if earliest else assessed
    stage = first_stage(run_walk_first, stop_running)
    moving = plans = None
    if previous is None:
        weeks = [] if red_flags else weekly_plan(
            content, answers.get("weekly_distance"), answers.get("distance_unit", "km"),
            first_week)
    else:
        moving = _progress(content, answers, previous, red_flags, triage["level"], stop_running)
        # Each progression's return plan, so the clinician's choice prints its own weeks.
        plans = {decision: _stage_plan(content, answers, option, assessed, bool(red_flags))
                 for decision, option in moving["options"].items()}
        suggested = plans[moving["decision"]]
        stage, run_walk_first, weeks = (suggested["stage"], suggested["run_walk_first"],
                                        suggested["weeks"])
    ottawa = facts["ottawa_result"]
    return {
        "rules_version": content.version,
        "phase": phase,
        "triage": triage,
        "stop_running": stop_running,
        "conditions": conditions,
        "red_flags": red_flags,
        "referral": _referral(content, red_flags),
        "imaging": {
            "ottawa": ottawa,
            "advice": content.ottawa[ottawa]["advice"],
            "clinician_advice": content.ottawa[ottawa]["clinician_advice"],
            "scope_reason": facts["ottawa_scope_reason"],
        },
        "examination": _examination(content, answers),
        "healing": healing,
        "return_to_run": {
            "earliest_date": earliest.isoformat() if earliest else None,
            "criteria": texts(content.criteria),
            "checks": checks,
            "run_walk_first": run_walk_first,
            "run_walk": texts(content.run_walk),
            "pain_rule": texts(content.pain_rule),
            "weekly_rule": content.weekly["text"],
            "weeks": weeks,
            "stage": stage,
            "stage_options": moving["options"] if moving else None,
            "plans_by_progression": plans,
            "progression": moving["decision"] if moving else None,
            "progression_reasons": moving["reasons"] if moving else [],
        },
        "rice": {"when": content.rice_when["text"], "steps": texts(content.rice)}
        if rice_applies
        else None,
        "exercises": [] if blocked else pick_exercises(content, plan_for, phase, held),
        "exercises_on_hold": blocked,
        "exercises_held": sorted(held),
        "advice": pick_advice(content, plan_for, phase, answers.get("risk_factors", ())),
        "measures": _measures(answers, previous),
        "measures_offered": offered(facts["likely"] or facts["conditions"]),
    }


def _measures(answers: Mapping[str, Any], previous: Mapping[str, Any] | None) -> dict:
    """Each answered measure scored, with its change since the episode last scored it."""
    history = (previous or {}).get("measures_history") or {}
    out: dict[str, dict] = {}
    for measure_id, items in (answers.get("measures") or {}).items():
        before = history.get(measure_id)
        out.update(assess_measures(
            {measure_id: items}, {measure_id: before["scored"]} if before else None,
            before["date"] if before else None))
    return out


def _stage_plan(content: Content, answers: Mapping[str, Any], stage: Mapping[str, Any],
                assessed: dt.date, referred: bool) -> dict[str, Any]:
    """The return plan from ``stage``: run-walk first, or the weekly plan from its week."""
    run_walk_first = stage["kind"] != "weekly"
    weeks = [] if referred else weekly_plan(
        content, answers.get("weekly_distance"), answers.get("distance_unit", "km"),
        None if run_walk_first else assessed, stage.get("week", 1))
    return {"stage": dict(stage), "run_walk_first": run_walk_first, "weeks": weeks}


def _progress(content: Content, answers: Mapping[str, Any], previous: Mapping[str, Any],
              red_flags: list[dict], level: str, stop_running: bool) -> dict[str, Any]:
    """Contract 6: the decision, its reasons and the stage each decision would reach.

    The stage moves from where the last visit left the runner: the stage of
    the progression the clinician chose on review, else the one suggested.
    The clinician may change the decision on review: ``options`` holds the
    stage of each, so the plan can follow their choice.
    """
    before = previous.get("assessment") or {}
    rtr = before.get("return_to_run") or {}
    chosen = (previous.get("plan") or {}).get("progression")
    options_before = rtr.get("stage_options") or {}
    start = options_before.get(chosen) if chosen in options_before else rtr.get("stage")
    if not start:  # a record from before stages were kept
        start = first_stage(bool(rtr.get("run_walk_first", True)),
                            bool(before.get("stop_running", True)))
    decision, reasons = decide(
        content, last_week=answers.get("last_week"), answers=answers,
        previous_answers=previous.get("answers"), red_flags=red_flags,
        triage_level=level, stop_running=stop_running,
    )
    last = weekly_plan_length(content)
    options = {d: moved(start, d, last) for d in DECISIONS}
    if stop_running:  # the core stops running: backing off means pausing
        options["back_off"] = dict(PAUSED)
    nxt = step_reason(content, decision, start)
    return {"decision": decision, "reasons": reasons + ([nxt] if nxt else []),
            "options": options}
