"""Outcome measures scored as published, and their change against the MCID. Pure: no Flask.

The items, printed scores, cut-offs and MCIDs are data
(:mod:`ankle_intake.forms.measures`); this module only adds them up:

- a summed measure (CAIT 0-30, LEFS 0-80) is the sum of its printed scores and
  needs every item;
- a percentage measure (FAAM ADL, FAAM Sports) is the sum over the answered
  items divided by 4 per answered item, times 100, and is scored only when at
  least ``min_answered`` items were answered (19 of 21 and 7 of 8, Martin 2005);
  "not applicable" (null) counts as not answered. It is rounded half up to one
  decimal, the same arithmetic as the FHIR Questionnaire's calculatedExpression.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

from ..forms.measures import DATA, MEASURE_IDS, item_scores, measure
from .predicates import CONDITION_IDS, ContentError

#: The measures this product offers, in data order. VISA-A is withheld (its terms of use).
MEASURES: tuple[str, ...] = MEASURE_IDS
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _check_conditions() -> None:
    for item in (*DATA.measures.values(), *DATA.withheld.values()):
        unknown = set(item["conditions"]) - set(CONDITION_IDS)
        if unknown:
            raise ContentError(f"forms/data/measures.json: {item['id']} names unknown "
                               f"conditions {sorted(unknown)}")


_check_conditions()


def percent(total: int, answered: int) -> float:
    """``total`` out of ``4 * answered`` as a percentage, rounded half up to one decimal."""
    return math.floor(total * 1000 / (answered * 4) + 0.5) / 10


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _band(spec: Mapping[str, Any], value: float) -> dict:
    return next(b for b in spec["bands"] if value <= b["at_or_below"])


def score(measure_id: str, answers: list[int | None]) -> dict[str, Any]:
    """One measure scored: ``{"id", "name", "score", "max", "unit", "answered", "items",
    "interpretation", "band", "cutoffs", "reason", "source"}``.

    ``score`` is None, with ``reason`` saying why, when too few items were
    answered. Answers must already be valid (see ``MeasuresField``); a wrong
    length or an unprinted score raises ``ValueError``.
    """
    spec = measure(measure_id)
    allowed = item_scores(measure_id)
    if len(answers) != len(allowed):
        raise ValueError(f"{measure_id} takes {len(allowed)} answers, not {len(answers)}")
    for index, (answer, scores) in enumerate(zip(answers, allowed, strict=True)):
        if answer not in scores or isinstance(answer, bool):
            raise ValueError(f"{measure_id}[{index}] = {answer!r} is not a printed score")
    given = [a for a in answers if a is not None]
    out: dict[str, Any] = {
        "id": measure_id, "name": spec["name"], "title": spec["title"], "score": None,
        "min": spec["min"], "max": spec["max"], "unit": spec["unit"],
        "answered": len(given), "items": len(allowed), "min_answered": spec["min_answered"],
        "interpretation": None, "band": None, "cutoffs": [], "reason": None,
        "source": spec["source"],
    }
    if len(given) < spec["min_answered"]:
        out["reason"] = (f"Not scored: {len(given)} of {len(allowed)} items answered; "
                         f"{spec['name']} needs at least {spec['min_answered']}.")
        return out
    value: float = sum(given) if spec["scoring"] == "sum" else percent(sum(given), len(given))
    band = _band(spec, value)
    fill = {"score": _number(value), "answered": len(given), "items": len(allowed)}
    out.update(
        score=value,
        band=band["id"],
        interpretation={"patient": band["patient"].format(**fill),
                        "clinician": band["clinician"].format(**fill),
                        "source": band["source"]},
        cutoffs=[{"id": c["id"], "at_or_below": c["at_or_below"], "text": c["text"],
                  "met": value <= c["at_or_below"], "source": c["source"]}
                 for c in spec["cutoffs"]],
    )
    return out


def _day(date: str) -> str:
    parsed = dt.date.fromisoformat(date)
    return f"{parsed.day} {_MONTHS[parsed.month - 1]}"


def change(scored: Mapping[str, Any], before: Mapping[str, Any] | None,
           since: str | None) -> dict[str, Any] | None:
    """The change from ``before`` to ``scored`` against the MCID, or None if either has no score."""
    spec = measure(scored["id"])
    if (before is None or since is None or spec["mcid"] is None
            or scored.get("score") is None or before.get("score") is None):
        return None
    points = round(scored["score"] - before["score"], 1)
    mcid = spec["mcid"]["points"]
    size = abs(points)
    kind = "more" if size > mcid else "equal" if size == mcid else "less"
    signed = ("+" if points > 0 else "") + _number(points)
    text = DATA.change_texts[kind].format(name=spec["name"], signed=signed,
                                          date=_day(since), mcid=_number(mcid))
    better = points > 0 if spec["higher_is_better"] else points < 0
    return {"since": since, "points": points, "mcid": mcid, "meaningful": size >= mcid,
            "direction": "better" if better else "worse" if points else "same",
            "text": text, "source": spec["mcid"]["source"]}


def assess_measures(
    measures: Mapping[str, list],
    previous: Mapping[str, dict] | None = None,
    previous_date: str | None = None,
) -> dict[str, dict]:
    """Every measure answered, scored, with ``change`` since ``previous`` (a prior output).

    ``previous_date`` is the ISO date of the visit ``previous`` came from; the
    change is None without it, or when either visit's score is None.
    """
    out: dict[str, dict] = {}
    for measure_id in MEASURES:
        if measure_id not in measures:
            continue
        scored = score(measure_id, list(measures[measure_id]))
        before = (previous or {}).get(measure_id)
        scored["change"] = change(scored, before, previous_date)
        out[measure_id] = scored
    return out


def offered(condition_ids: Iterable[str]) -> list[str]:
    """The measures to offer for these likely conditions, in data order.

    A measure whose data names no condition is offered for all (FAAM, LEFS);
    one naming conditions only when one of them is likely (CAIT: instability).
    """
    wanted = set(condition_ids)
    return [m for m in MEASURES
            if not measure(m)["conditions"] or wanted & set(measure(m)["conditions"])]


__all__ = ["MEASURES", "assess_measures", "change", "offered", "percent", "score"]
