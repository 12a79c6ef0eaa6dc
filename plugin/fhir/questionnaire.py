"""The intake as a FHIR R4 Questionnaire, generated from the vocabulary.

Nothing here restates a choice, a range or a label: every item comes from
:mod:`ankle_intake.forms.vocabulary`, so the HTML form, the JSON schema and the
Questionnaire cannot drift apart. The result is a plain ``dict`` (FHIR JSON);
the runtime needs no FHIR library, and the tests validate it with
``fhir.resources``.

linkIds:

- every answer key of the contract is the linkId of its question;
- the Ottawa findings are the group ``ottawa`` (the contract key) holding one
  boolean per finding, linkId ``ottawa.<finding>``; a finding left out means
  "not examined", as ``null`` does in the JSON answers;
- the special tests are the group ``special_tests`` holding one choice per
  test, linkId ``special_tests.<test>``, answered ``positive`` or ``negative``
  from the one CodeSystem ``<CODE_SYSTEM_BASE>/special_tests``; a test left
  out was not examined;
- an examined yes/no finding (``EXAMINED_FINDINGS``) left out was not
  examined, and ``false`` means examined and not found; its help says so;
- ``pain_running.could_not_run`` is a boolean beside ``pain_running``: true
  carries the JSON ``"pain_running": null`` ("could not run"), while an
  unanswered ``pain_running`` stays "not recorded";
- sections (``GROUPS``) are groups ``group.<name>`` (the prefix keeps them apart
  from answer keys: ``training`` is both); help texts are display items
  ``<linkId>.help``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from typing import Any

from ..forms.vocabulary import (
    EXAMINED_FINDINGS,
    FIELDS,
    GROUPS,
    OTTAWA_FINDINGS,
    SPECIAL_TESTS,
    TEST_RESULTS,
    AnswerField,
    Choice,
    fields_in,
    spec,
)
from ..guidance import RULES_VERSION

#: Base of every canonical URL the plugin mints. ``example.org`` is reserved
#: (RFC 2606), so the identifiers can never collide with someone else's; they
#: are names, not addresses, and stay the same whatever host serves them.
CANONICAL_BASE = "https://ankle-intake.example.org/fhir"
QUESTIONNAIRE_URL = f"{CANONICAL_BASE}/Questionnaire/ankle-intake"
#: One CodeSystem per answer field: ``<CODE_SYSTEM_BASE>/<answer key>``, codes = vocabulary values.
CODE_SYSTEM_BASE = f"{CANONICAL_BASE}/CodeSystem"

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"

GROUP_PREFIX = "group."
OTTAWA_PREFIX = "ottawa."
TESTS_KEY = "special_tests"
TESTS_PREFIX = TESTS_KEY + "."
#: Nested answers (groups of findings): linkId prefix -> the answer key holding the object.
NESTED_PREFIXES: dict[str, str] = {OTTAWA_PREFIX: "ottawa", TESTS_PREFIX: TESTS_KEY}
HELP_SUFFIX = ".help"
#: Said wherever leaving a finding unanswered means "not examined" (never "no").
NOT_EXAMINED = "Leave it unanswered if it was not examined."
EXAMINED_NO = "Leave it unanswered if it was not examined; No means examined and not found."
TESTS_HELP = (
    "Answer only the tests that were done: a test left unanswered was not examined, "
    "which is not the same as negative."
)
#: Answer keys whose JSON ``null`` means something, and the boolean item carrying it.
NULL_ITEMS: dict[str, tuple[str, str]] = {
    "pain_running": ("pain_running.could_not_run", "Could not run"),
}
COULD_NOT_RUN = NULL_ITEMS["pain_running"][0]
#: Sections shown only when a question has a given answer: section -> (question, code).
#: Only the Ottawa rules, which apply to an injury: the examination, the special
#: tests and the warning signs stay shown whatever the answers, as a test can be
#: the one that matters outside its usual picture (a Thompson test after a
#: "gradual" onset, a hop test for any bony pain).
SECTION_ENABLE_WHEN: dict[str, tuple[str, str]] = {"ottawa": ("onset", "sudden")}

ITEM_TYPES: dict[str, str] = {
    "choice": "choice",
    "choices": "choice",
    "integer": "integer",
    "number": "decimal",
    "boolean": "boolean",
    "date": "date",
    "text": "string",
    "ottawa": "group",
    "tests": "group",
}
#: The ``value[x]`` an answer (or a min/max extension) of each item type uses.
VALUE_KEYS: dict[str, str] = {
    "choice": "valueCoding",
    "integer": "valueInteger",
    "decimal": "valueDecimal",
    "boolean": "valueBoolean",
    "date": "valueDate",
    "string": "valueString",
}


def _package_version() -> str:
    try:
        return _dist_version("ankle-intake")
    except PackageNotFoundError:  # a copy on sys.path without its metadata
        return "0+unknown"


#: Changes whenever the package or its rules do: ``<package>+rules.<rules version>``.
QUESTIONNAIRE_VERSION = f"{_package_version()}+rules.{RULES_VERSION}"


def code_system(key: str) -> str:
    """The CodeSystem URL of one answer field's codes."""
    return f"{CODE_SYSTEM_BASE}/{key}"


def coding(spec: AnswerField, value: str) -> dict[str, str]:
    """The Coding of one vocabulary value; an unknown value keeps its code and has no display."""
    return _coding(spec.key, spec.choices, value)


def _coding(key: str, choices: tuple[Choice, ...], value: str) -> dict[str, str]:
    out = {"system": code_system(key), "code": value}
    for choice in choices:
        if choice.value == value:
            out["display"] = choice.label
    return out


def _options(key: str, choices: tuple[Choice, ...]) -> list[dict[str, Any]]:
    return [{"valueCoding": _coding(key, choices, c.value)} for c in choices]


def _help(link_id: str, text: str) -> dict[str, Any]:
    return {
        "linkId": link_id + HELP_SUFFIX,
        "text": text,
        "type": "display",
        "extension": [
            {
                "url": ITEM_CONTROL,
                "valueCodeableConcept": {
                    "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help", "display": "Help"}]
                },
            }
        ],
    }


def _bound(url: str, item_type: str, value: float) -> dict[str, Any]:
    number: int | float = int(value) if item_type == "integer" else float(value)
    return {"url": url, VALUE_KEYS[item_type]: number}


def _ottawa_group(spec: AnswerField) -> dict[str, Any]:
    findings = [
        {
            "linkId": OTTAWA_PREFIX + f.key,
            "text": f.label,
            "type": "boolean",
            "item": [_help(OTTAWA_PREFIX + f.key, f.meaning)],
        }
        for f in OTTAWA_FINDINGS
    ]
    intro = [_help(spec.key, spec.help)] if spec.help else []
    return {"linkId": spec.key, "text": spec.label, "type": "group", "item": intro + findings}


def _tests_group(spec: AnswerField) -> dict[str, Any]:
    """The special tests; the form's own help ("leave on 'Not examined'") has no FHIR twin."""
    tests = [
        {
            "linkId": TESTS_PREFIX + t.key,
            "text": t.label,
            "type": "choice",
            "answerOption": _options(spec.key, TEST_RESULTS),
            "item": [_help(TESTS_PREFIX + t.key, f"{t.meaning} {NOT_EXAMINED}")],
        }
        for t in SPECIAL_TESTS
    ]
    intro = [_help(spec.key, TESTS_HELP)]
    return {"linkId": spec.key, "text": spec.label, "type": "group", "item": intro + tests}


def help_text(spec: AnswerField) -> str:
    """The help an item of ``spec`` carries; examined findings say what unanswered means."""
    if spec.key in EXAMINED_FINDINGS:
        return f"{spec.help} {EXAMINED_NO}".strip()
    return spec.help


def _question(spec: AnswerField) -> dict[str, Any]:
    if spec.kind == "ottawa":
        return _ottawa_group(spec)
    if spec.kind == "tests":
        return _tests_group(spec)
    item_type = ITEM_TYPES[spec.kind]
    item: dict[str, Any] = {"linkId": spec.key, "text": spec.label, "type": item_type}
    bounds = [(MIN_VALUE, spec.minimum), (MAX_VALUE, spec.maximum)]
    extensions = [_bound(url, item_type, v) for url, v in bounds if v is not None]
    if extensions:
        item["extension"] = extensions
    if spec.required:
        item["required"] = True
    if spec.kind == "choices":
        item["repeats"] = True
    if spec.max_length is not None:
        item["maxLength"] = spec.max_length
    if spec.choices:
        item["answerOption"] = _options(spec.key, spec.choices)
    if help_text(spec):
        item["item"] = [_help(spec.key, help_text(spec))]
    return item


def _section_items(group: str) -> list[dict[str, Any]]:
    items = []
    for field in fields_in(group):
        items.append(_question(field))
        if field.key in NULL_ITEMS:
            link_id, text = NULL_ITEMS[field.key]
            items.append({"linkId": link_id, "text": text, "type": "boolean"})
    return items


def _section(group: str, title: str) -> dict[str, Any]:
    section: dict[str, Any] = {"linkId": GROUP_PREFIX + group, "text": title, "type": "group"}
    if group in SECTION_ENABLE_WHEN:
        question, code = SECTION_ENABLE_WHEN[group]
        section["enableWhen"] = [
            {"question": question, "operator": "=", "answerCoding": coding(spec(question), code)}
        ]
    if any(f.required for f in fields_in(group)):
        section["required"] = True
    section["item"] = _section_items(group)
    return section


@functools.lru_cache(maxsize=1)
def _built() -> dict[str, Any]:
    unplaced = [f.key for f in FIELDS if f.group not in dict(GROUPS)]
    if unplaced:
        raise RuntimeError(f"answer keys in no section: {', '.join(unplaced)}")
    return {
        "resourceType": "Questionnaire",
        "id": "ankle-intake",
        "url": QUESTIONNAIRE_URL,
        "version": QUESTIONNAIRE_VERSION,
        "name": "AnkleIntake",
        "title": "Ankle pain intake for runners",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            "What a physiotherapist records about a runner with ankle pain. Answers come back "
            "as a QuestionnaireResponse, which the plugin assesses as it does its JSON answers."
        ),
        "item": [_section(group, title) for group, title in GROUPS],
    }


def questionnaire() -> dict[str, Any]:
    """The FHIR R4 Questionnaire of the intake (a fresh copy: callers may change it)."""
    return copy.deepcopy(_built())


def walk(
    items: list[dict[str, Any]], parent: str | None = None
) -> Iterator[tuple[dict, str | None]]:
    """Every item under ``items`` with its parent's linkId, depth first, in document order."""
    for item in items:
        yield item, parent
        yield from walk(item.get("item", []), item["linkId"])


@functools.lru_cache(maxsize=1)
def definitions() -> dict[str, tuple[dict[str, Any], str | None]]:
    """linkId -> (Questionnaire item, parent linkId or None). Treat as read-only."""
    return {item["linkId"]: (item, parent) for item, parent in walk(_built()["item"])}
