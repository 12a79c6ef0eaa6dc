"""Episodes in FHIR (contract 6): a visit's QuestionnaireResponse names its episode.

R4 has no element of QuestionnaireResponse that takes an EpisodeOfCare:
``basedOn`` takes a CarePlan or ServiceRequest, ``partOf`` an Observation or
Procedure. The episode is the plan of care the visits carry out, so each
visit's response says ``basedOn``: a logical Reference of type ``CarePlan``
whose identifier is the episode's id under :data:`EPISODE_SYSTEM` (this base
serves no CarePlan resource). A response POSTed with such a ``basedOn`` is a
follow-up visit of that episode; without one, a first intake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..forms import InvalidAnswers
from ..store.episodes import EpisodeClosed
from ..store.followup import EpisodeNotFound, submit_visit
from ..store.intake import submit
from ..store.records import Stored, parse_id
from .questionnaire import CANONICAL_BASE
from .response import answers_from_response

#: The identifier system of an episode's id.
EPISODE_SYSTEM = f"{CANONICAL_BASE}/episode"
NO_EPISODE = "basedOn names no open episode of care of this base."


def based_on(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A stored record's ``basedOn``: its episode, as a logical CarePlan Reference."""
    episode = record.get("episode_id")
    if not episode:
        return []
    return [{"type": "CarePlan", "identifier": {"system": EPISODE_SYSTEM, "value": episode},
             "display": f"Episode of care, visit {record.get('visit') or 1}"}]


def episode_of(qr: Any) -> str | None:
    """The episode a posted response continues, or None; :class:`InvalidAnswers` if malformed."""
    if not isinstance(qr, Mapping) or "basedOn" not in qr:
        return None
    refs = qr["basedOn"]
    if not isinstance(refs, list) or not all(isinstance(r, Mapping) for r in refs):
        raise InvalidAnswers({"basedOn": ["basedOn must be a list of References."]})
    found = [r["identifier"].get("value") for r in refs
             if isinstance(r.get("identifier"), Mapping)
             and r["identifier"].get("system") == EPISODE_SYSTEM]
    if not found:
        return None
    if len(found) > 1 or not isinstance(found[0], str) or parse_id(found[0]) is None:
        raise InvalidAnswers({"basedOn": [NO_EPISODE]})
    return parse_id(found[0])


def converter() -> tuple[Callable[[Any], dict[str, Any]], Callable[..., Stored]]:
    """The (convert, store) pair of ``create_from_body`` for a posted response.

    ``convert`` reads the answers and remembers the episode and the client's
    ``authored`` (checked by :func:`answers_from_response`); ``store`` then
    takes the follow-up's path for a response of an episode, else an intake's,
    and keeps ``authored`` with the record.
    """
    seen: dict[str, str | None] = {}

    def convert(qr: Any) -> dict[str, Any]:
        seen["episode"] = episode_of(qr)
        answers = answers_from_response(qr)
        seen["authored"] = qr.get("authored")  # a valid dateTime string, or absent
        return answers

    def store(answers: dict[str, Any], claim: Any = None) -> Stored:
        episode, authored = seen.get("episode"), seen.get("authored")
        if episode is None:
            return submit(answers, claim, authored)
        try:
            return submit_visit(episode, answers, claim, authored)
        except (EpisodeNotFound, EpisodeClosed):
            raise InvalidAnswers({"basedOn": [NO_EPISODE]}) from None

    return convert, store
