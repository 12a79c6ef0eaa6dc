"""The clinician's plan laid over the engine's assessment, for the handout and the note.

The assessment is a suggestion; the plan (contract 5) is what the clinician
decided. :func:`planned_assessment` returns a copy of the assessment in which
everything the plan decides is the plan's: the triage level and its patient
and clinician words, whether running stops, the exercises (library name, steps
and stop-if line, the plan's dose in words), and the referral, which stays only
when the clinician's level is ``see_clinician``. What the plan does not decide
(conditions, red flags found, RICE, advice, the return-to-run checks) stays
the engine's. The sections then print the view as they print an assessment.

:class:`Page1` gathers what page 1 prints beside the plan: the clinic's
contact details, the clinician who signed, the review date, the patient note
and whether the handout is a draft. Without a plan, signoff or clinic it is
empty and the handout is exactly what it was before plans existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..guidance import CONTENT
from ..guidance.dosing import dose_words
from ..guidance.handout_content import HANDOUT

LEVELS = ("continue", "caution", "stop", "see_clinician")


def library_exercise(exercise_id: str) -> dict[str, Any]:
    """The library's exercise for a plan's id; ``ValueError`` for an unknown one."""
    for exercise in CONTENT.exercises:
        if exercise["id"] == exercise_id:
            return exercise
    raise ValueError(f"plan exercise {exercise_id!r} is not in the exercise library")


def planned_exercises(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The plan's exercises, in its order, as the handout prints them."""
    out = []
    for chosen in plan.get("exercises") or ():
        ex = library_exercise(chosen["id"])
        dose = {key: chosen.get(key) for key in ("sets", "reps", "hold_seconds", "times", "per")}
        out.append({
            "id": ex["id"],
            "name": ex["name"],
            "dose": dose_words(dose, ex["dose"]),
            "steps": list(ex["steps"]),
            "stop_if": ex["stop_if"],
            "load": ex["load"],
            "planned_dose": dose,
        })
    return out


def _level(plan: Mapping[str, Any]) -> str:
    level = plan.get("triage_level")
    if level not in LEVELS:
        raise ValueError(f"plan triage_level must be one of {LEVELS}, not {level!r}")
    return level


def planned_assessment(assessment: Mapping[str, Any], plan: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``assessment`` with the plan's level, exercises and referral in it."""
    level = _level(plan)
    info = CONTENT.levels[level]
    suggested = assessment["triage"]
    referred = level == "see_clinician" and bool(assessment.get("referral"))
    if level == suggested["level"]:
        triage = dict(suggested)
    else:
        clinician_summary = info["clinician_summary"]
        if referred and assessment["red_flags"]:
            clinician_summary = assessment["red_flags"][0]["clinician_text"]
        summary = info["summary"]
        if level == "see_clinician" and not referred:
            # Referred by the clinician's own judgement: no flag says where or how soon.
            summary = HANDOUT.text("clinician_referral")
        triage = {"level": level, "label": info["label"], "summary": summary,
                  "clinician_label": info["clinician_label"],
                  "clinician_summary": clinician_summary, "reasons": []}
    exercises = planned_exercises(plan)
    return_to_run = dict(assessment["return_to_run"])
    chosen = plan.get("progression")
    options = return_to_run.get("plans_by_progression") or {}
    if chosen in options and chosen != return_to_run.get("progression"):
        # A follow-up's progression as the clinician decided it: its stage and its weeks.
        return_to_run.update(options[chosen], chosen_progression=chosen)
    if level in ("continue", "caution"):
        # The clinician lets them run now: a later "earliest day to try a run" would
        # contradict the level the handout opens with.
        return_to_run["earliest_date"] = None
    return {
        **assessment,
        "return_to_run": return_to_run,
        "triage": triage,
        "suggested_triage": dict(suggested),
        "stop_running": level in ("stop", "see_clinician"),
        "referral": assessment.get("referral") if referred else None,
        "exercises": exercises,
        # The on-hold box stands in for a programme the referral holds; a clinician
        # who chose exercises anyway has decided otherwise.
        "exercises_on_hold": referred and not exercises and bool(assessment["exercises_on_hold"]),
    }


def _clean(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class Page1:
    """What the first page prints beyond the assessment; every field may be empty."""

    clinic_name: str | None = None
    phone: str = ""
    address: str = ""
    clinician: str = ""
    review_date: str | None = None
    patient_note: str = ""
    draft: bool = False

    @classmethod
    def build(
        cls,
        *,
        plan: Mapping[str, Any] | None,
        signoff: Mapping[str, Any] | None,
        clinic: Mapping[str, Any] | None,
        clinic_name: str | None,
    ) -> Page1:
        clinic = clinic or {}
        name = _clean(clinic.get("name")) or _clean(clinic_name) or None
        person = (signoff or {}).get("clinician") or {}
        return cls(
            clinic_name=name,
            phone=_clean(clinic.get("phone")),
            address=_clean(clinic.get("address")),
            clinician=_clean(person.get("name")),
            review_date=(plan or {}).get("review_date") or None,
            patient_note=_clean((plan or {}).get("patient_note")),
            draft=(signoff or {}).get("status") == "draft",
        )


__all__ = ["LEVELS", "Page1", "library_exercise", "planned_assessment", "planned_exercises"]
