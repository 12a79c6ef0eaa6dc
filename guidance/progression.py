"""Advance, hold or back off at a follow-up: the article's rules for moving on.

"Pain during a run = 0-2 out of 10? Probably okay. Worse the next morning? Not
okay. Pain during running goes above a 3? Shut it down." and "start at half of
your pre-injury weekly mileage ... If that feels good? Bump it by 10-15% per
week. If not? Back off." A runner's place on the way back is a *stage*: a
run-walk step (1-3, the article's three), a week of the weekly plan, or paused
(not running). Each follow-up moves the stage one step at most, so no number
beyond the article's enters the plan. Whatever was not recorded holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .content import Content

DECISIONS = ("advance", "hold", "back_off")
#: The article's run-walk steps ("jog 1 / walk 2", "2 / 2 for 20", "5 run / 1 walk").
RUN_WALK_STEPS = 3
PAUSED: dict[str, Any] = {"kind": "paused"}


def first_stage(run_walk_first: bool, stop_running: bool) -> dict[str, Any]:
    """Where a first intake starts: paused, the first run-walk step, or week 1."""
    if stop_running:
        return dict(PAUSED)
    return {"kind": "run_walk", "step": 1} if run_walk_first else {"kind": "weekly", "week": 1}


def moved(stage: Mapping[str, Any], decision: str, last_week: int) -> dict[str, Any]:
    """``stage`` after one ``decision``; ``last_week`` is the weekly plan's last week."""
    kind = stage.get("kind")
    if decision == "hold":
        return dict(stage)
    if decision == "advance":
        if kind == "paused":
            return {"kind": "run_walk", "step": 1}
        if kind == "run_walk":
            step = int(stage["step"])
            if step < RUN_WALK_STEPS:
                return {"kind": "run_walk", "step": step + 1}
            return {"kind": "weekly", "week": 1}
        return {"kind": "weekly", "week": min(int(stage["week"]) + 1, max(last_week, 1))}
    # back off
    if kind == "weekly":
        week = int(stage["week"])
        return ({"kind": "weekly", "week": week - 1} if week > 1
                else {"kind": "run_walk", "step": RUN_WALK_STEPS})
    if kind == "run_walk" and int(stage["step"]) > 1:
        return {"kind": "run_walk", "step": int(stage["step"]) - 1}
    return dict(PAUSED)


def _reason(content: Content, item_id: str, **values: Any) -> dict[str, Any]:
    item = content.progression[item_id]
    return {"id": item_id, "patient": item["text"],
            "clinician": item["clinician_text"].format(**values), "source": item["source"]}


def decide(
    content: Content,
    *,
    last_week: Mapping[str, Any] | None,
    answers: Mapping[str, Any],
    previous_answers: Mapping[str, Any] | None,
    red_flags: list[Mapping[str, Any]],
    triage_level: str,
    stop_running: bool,
) -> tuple[str, list[dict[str, Any]]]:
    """The decision and its reasons, both voices, worst first.

    Back off wins over hold, hold over advance: a red flag or the core's "stop
    running", pain above 3, limping, or swelling up backs off; pain of 3, worse
    the next morning, no runs, or anything not recorded holds.
    """
    week = dict(last_week or {})
    back: list[dict[str, Any]] = []
    hold: list[dict[str, Any]] = []
    if red_flags:
        names = ", ".join(str(f.get("name", f.get("id"))) for f in red_flags)
        back.append(_reason(content, "progress_back_off_red_flag", names=names))
    elif stop_running:
        back.append(_reason(content, "progress_back_off_stop", level=triage_level))
    pain = week.get("pain_during_max")
    if pain is not None and pain > 3:
        back.append(_reason(content, "progress_back_off_pain", pain=pain))
    if answers.get("limping") is True:
        back.append(_reason(content, "progress_back_off_limp"))
    swelling = _swelling_up(answers, previous_answers)
    if swelling:
        back.append(_reason(content, "progress_back_off_swelling", how=swelling))
    if back:
        return "back_off", back
    if pain == 3:
        hold.append(_reason(content, "progress_hold_pain_3"))
    if week.get("worse_next_morning") is True:
        hold.append(_reason(content, "progress_hold_morning"))
    if week.get("runs") == 0:
        hold.append(_reason(content, "progress_hold_no_runs"))
    missing = [label for key, label in (("pain_during_max", "worst pain during a run"),
                                        ("worse_next_morning", "the next morning"))
               if week.get(key) is None]
    if missing and week.get("runs") != 0:
        hold.append(_reason(content, "progress_hold_not_recorded", missing=" and ".join(missing)))
    if hold:
        return "hold", hold
    return "advance", [_reason(content, "progress_advance", pain=pain)]


#: Swelling levels, in order; the vocabulary's values.
_SWELLING = ("none", "mild", "moderate", "severe")


def _swelling_up(answers: Mapping[str, Any], previous: Mapping[str, Any] | None) -> str | None:
    """Why the swelling counts as up, or None: getting worse, or more than last visit."""
    if answers.get("swelling_trend") == "worse":
        return "getting worse"
    now, before = answers.get("swelling"), (previous or {}).get("swelling")
    if now in _SWELLING and before in _SWELLING and _SWELLING.index(now) > _SWELLING.index(before):
        return f"{before} to {now}"
    return None


def step_reason(content: Content, decision: str, stage: Mapping[str, Any]) -> dict | None:
    """The "what next" line for an advance: the next run-walk step, or +10-15%."""
    if decision != "advance":
        return None
    item = "progress_advance_weekly" if stage.get("kind") == "weekly" else \
        "progress_advance_run_walk"
    return _reason(content, item)
