"""A follow-up visit: the next intake of an episode, assessed against the last one."""

from __future__ import annotations

from typing import Any

from ..auth import current_user
from ..forms import InvalidAnswers
from ..guidance import evaluate
from ..state import state
from .claims import Claim
from .episodes import EpisodeClosed
from .intake import _notify, log
from .records import Stored


class EpisodeNotFound(LookupError):
    """No episode has this id."""


def last_visit(episode: dict[str, Any]) -> dict[str, Any]:
    """The episode's latest visit (episodes always hold at least one)."""
    return episode["visits"][-1]


def previous_of(episode: dict[str, Any]) -> dict[str, Any]:
    """What the engine reads of the episode so far: the last visit's answers,
    assessment and plan, and each measure's latest score with its visit's date."""
    visit = last_visit(episode)
    history: dict[str, dict[str, Any]] = {}
    for earlier in episode["visits"]:
        for measure_id, scored in (earlier["assessment"].get("measures") or {}).items():
            if isinstance(scored, dict) and scored.get("score") is not None:
                history[measure_id] = {"scored": scored,
                                       "date": earlier["answers"].get("assessment_date")}
    return {"answers": visit["answers"], "assessment": visit["assessment"],
            "plan": visit.get("plan"), "date": visit["answers"].get("assessment_date"),
            "measures_history": history}


def prefill(episode: dict[str, Any]) -> dict[str, Any]:
    """The last visit's answers to start a follow-up from, without its date or last week."""
    answers = dict(last_visit(episode)["answers"])
    for key in ("assessment_date", "last_week", "measures"):
        answers.pop(key, None)
    return answers


def _check(episode: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The follow-up's answers, with the episode's patient; refused when they disagree."""
    before = last_visit(episode)
    errors: dict[str, list[str]] = {}
    ref = episode.get("patient_ref")
    if answers.get("patient_ref") and ref and answers["patient_ref"] != ref:
        errors["patient_ref"] = ["Patient reference differs from the episode's: a follow-up "
                                 "continues the same runner's episode."]
    earlier = before["answers"].get("assessment_date")
    if earlier and answers["assessment_date"] < earlier:
        errors["assessment_date"] = [f"Assessment date may not be before the last visit "
                                     f"({earlier})."]
    if errors:
        raise InvalidAnswers(errors)
    out = dict(answers)
    if ref and not out.get("patient_ref"):
        out["patient_ref"] = ref
    return out


def submit_visit(episode_id: str, answers: dict[str, Any], claim: Claim | None = None,
                 authored: str | None = None) -> Stored:
    """Assess a follow-up against the episode's last visit and store it as the next visit.

    :class:`EpisodeNotFound` for an unknown episode, :class:`~.episodes.EpisodeClosed`
    for a discharged one, :class:`~ankle_intake.InvalidAnswers` when the answers
    contradict the episode. Nothing is stored in any of these cases. ``authored``:
    a FHIR client's, kept with the record.
    """
    storage = state().storage
    episode = storage.episode(episode_id)
    if episode is None:
        raise EpisodeNotFound(episode_id)
    if episode["status"] != "open":
        raise EpisodeClosed(episode_id, known=True)
    answers = _check(episode, answers)
    assessment = evaluate(answers, previous_of(episode))
    user = current_user()
    stored = storage.add(answers, assessment, claim, user.id if user else None,
                         episode_id=episode_id, authored=authored)
    record = stored.record
    log.info("ankle-intake stored visit %s of episode %s (assessment %s, progression %s)",
             record["visit"], episode_id, record["id"],
             assessment["return_to_run"].get("progression"))
    _notify(record)
    return stored
