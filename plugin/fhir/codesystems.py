"""The answer codes as CodeSystems, one per coded answer key, served at their canonical URLs.

Every ``answerOption`` of the Questionnaire names ``<CODE_SYSTEM_BASE>/<key>``;
``GET <prefix>/fhir/CodeSystem/<key>`` answers with the CodeSystem it names,
built from the same vocabulary, so a terminology-aware client can look a code
up. The special tests share one system, ``special_tests`` (positive/negative).
A field coded in a published system (the handout's language: BCP-47) has none here.
"""

from __future__ import annotations

import functools
from html import escape
from typing import Any

from ..forms.vocabulary import FIELDS, TEST_RESULTS, Choice
from .questionnaire import EXTERNAL_SYSTEMS, QUESTIONNAIRE_VERSION, TESTS_KEY, code_system


@functools.lru_cache(maxsize=1)
def _systems() -> dict[str, tuple[str, tuple[Choice, ...]]]:
    """answer key -> (title, choices), for every key whose answers are codes."""
    systems = {f.key: (f.label, f.choices) for f in FIELDS
               if f.choices and f.key not in EXTERNAL_SYSTEMS}
    systems[TESTS_KEY] = ("Special test results", TEST_RESULTS)
    return systems


def code_system_keys() -> tuple[str, ...]:
    """The answer keys that have a CodeSystem, in vocabulary order."""
    return tuple(_systems())


def _name(key: str) -> str:
    return "AnkleIntake" + "".join(part.capitalize() for part in key.split("_"))


def code_system_resource(key: str) -> dict[str, Any] | None:
    """The CodeSystem of ``key``'s codes (a fresh dict), or None if ``key`` has none."""
    if key not in _systems():
        return None
    title, choices = _systems()[key]
    rows = "".join(
        f"<tr><td>{escape(c.value)}</td><td>{escape(c.label)}</td></tr>" for c in choices
    )
    return {
        "resourceType": "CodeSystem",
        "id": key.replace("_", "-"),
        "text": {
            "status": "generated",
            "div": (f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escape(title)}: the codes '
                    f"of the ankle intake.</p><table><tr><th>Code</th><th>Display</th></tr>"
                    f"{rows}</table></div>"),
        },
        "url": code_system(key),
        "version": QUESTIONNAIRE_VERSION,
        "name": _name(key),
        "title": f"Ankle intake: {title}",
        "status": "active",
        "description": f"The answers to '{title}' in the ankle intake Questionnaire.",
        "caseSensitive": True,
        "content": "complete",
        "count": len(choices),
        "concept": [{"code": c.value, "display": c.label} for c in choices],
    }
