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
  from answer keys: ``training`` is both); no group is ``required`` (LHC-Forms'
  ``checkValidity()`` never passes on a required group), the required questions
  inside them are;
- every help text is given twice, as display items ``<linkId>.help`` (itemControl
  ``help``, a help button) and ``<linkId>.flyover`` (itemControl ``flyover``):
  LHC-Forms shows the first and CSIRO Smart Forms only the second;
- no section is conditional. The Ottawa section is always enabled and says its
  scope (a sudden injury, within 10 days) in its text: the JSON API accepts
  Ottawa findings whatever the onset and the core answers ``not_applicable``
  outside the scope, so an ``enableWhen`` there hid answers the API had
  accepted, and renderers dropped them on save. ``pain_running`` and
  ``pain_running.could_not_run`` disable each other (``!=`` true and
  ``exists`` false), so at most one of them is ever answered.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from html import escape
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from typing import Any

from ..forms.followup import LAST_WEEK_LABELS
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
)
from ..guidance import RULES_VERSION
from ..guidance.engine import OTTAWA_SCOPE_DAYS

#: Base of every canonical URL the plugin mints. ``example.org`` is reserved
#: (RFC 2606), so the identifiers can never collide with someone else's; they
#: are names, not addresses, and stay the same whatever host serves them.
CANONICAL_BASE = "https://ankle-intake.example.org/fhir"
QUESTIONNAIRE_ID = "ankle-intake"
QUESTIONNAIRE_URL = f"{CANONICAL_BASE}/Questionnaire/{QUESTIONNAIRE_ID}"
#: One CodeSystem per answer field: ``<CODE_SYSTEM_BASE>/<answer key>``, codes = vocabulary values.
CODE_SYSTEM_BASE = f"{CANONICAL_BASE}/CodeSystem"
#: Answer fields whose codes belong to a published system, not to one of ours: the
#: handout's language is a BCP-47 tag ("en", "es"), as FHIR codes every language.
EXTERNAL_SYSTEMS = {"handout_language": "urn:ietf:bcp:47"}

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
#: R4 has no ``versionAlgorithm`` element: the R5 cross-version extension carries it.
VERSION_ALGORITHM = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Questionnaire.versionAlgorithm"
VERSION_ALGORITHM_SYSTEM = "http://hl7.org/fhir/version-algorithm"
#: The itemControl codes used, with R4's displays.
HELP_CONTROL = ("help", "Help-Button")
FLYOVER_CONTROL = ("flyover", "Fly-over")
CHECK_BOX_CONTROL = ("check-box", "Check-box")

GROUP_PREFIX = "group."
OTTAWA_PREFIX = "ottawa."
TESTS_KEY = "special_tests"
TESTS_PREFIX = TESTS_KEY + "."
#: Nested answers (groups of findings): linkId prefix -> the answer key holding the object.
LAST_WEEK_KEY = "last_week"
LAST_WEEK_PREFIX = LAST_WEEK_KEY + "."
NESTED_PREFIXES: dict[str, str] = {OTTAWA_PREFIX: "ottawa", TESTS_PREFIX: TESTS_KEY,
                                   LAST_WEEK_PREFIX: LAST_WEEK_KEY}
#: A follow-up's last week (contract 6): part, item type, bounds.
LAST_WEEK_ITEMS: tuple[tuple[str, str, float | None, float | None], ...] = (
    ("runs", "integer", 0, 50), ("minutes", "decimal", 0, 10_080),
    ("distance", "decimal", 0, 1_000), ("pain_during_max", "integer", 0, 10),
    ("worse_next_morning", "boolean", None, None),
)
HELP_SUFFIX = ".help"
FLYOVER_SUFFIX = ".flyover"
#: The display item at the top of the Ottawa section that says when the rules apply.
OTTAWA_SCOPE_LINK = "group.ottawa.scope"
OTTAWA_SCOPE = (
    f"Use the Ottawa rules only within {OTTAWA_SCOPE_DAYS} days of a sudden injury, the "
    f"scope in which they were validated (Stiell 1993). Findings recorded outside it are "
    f"kept, but the assessment marks the rules not applicable."
)
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
#: What a section's title adds: the scope of the Ottawa rules, said rather than enforced.
SECTION_NOTES: dict[str, str] = {
    "ottawa": f"only within {OTTAWA_SCOPE_DAYS} days of a sudden injury",
}
#: Items that exclude each other: each is enabled only while the other is not answered.
EXCLUSIVE_WHEN: dict[str, dict[str, Any]] = {
    "pain_running": {"question": COULD_NOT_RUN, "operator": "!=", "answerBoolean": True},
    COULD_NOT_RUN: {"question": "pain_running", "operator": "exists", "answerBoolean": False},
}

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
    """The CodeSystem URL of one answer field's codes: ours, or the published one."""
    return EXTERNAL_SYSTEMS.get(key) or f"{CODE_SYSTEM_BASE}/{key}"


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


def item_control(control: tuple[str, str]) -> dict[str, Any]:
    """The itemControl extension of one (code, display) of the R4 item-control codes."""
    code, display = control
    return {
        "url": ITEM_CONTROL,
        "valueCodeableConcept": {
            "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": code, "display": display}]
        },
    }


def _help(link_id: str, text: str) -> list[dict[str, Any]]:
    """The help of ``link_id`` as a help button and as a fly-over, for both renderers."""
    return [
        {"linkId": link_id + suffix, "text": text, "type": "display",
         "extension": [item_control(control)]}
        for suffix, control in ((HELP_SUFFIX, HELP_CONTROL), (FLYOVER_SUFFIX, FLYOVER_CONTROL))
    ]


def _bound(url: str, item_type: str, value: float) -> dict[str, Any]:
    number: int | float = int(value) if item_type == "integer" else float(value)
    return {"url": url, VALUE_KEYS[item_type]: number}


def _ottawa_group(spec: AnswerField) -> dict[str, Any]:
    findings = [
        {
            "linkId": OTTAWA_PREFIX + f.key,
            "text": f.label,
            "type": "boolean",
            "item": _help(OTTAWA_PREFIX + f.key, f.meaning),
        }
        for f in OTTAWA_FINDINGS
    ]
    intro = _help(spec.key, spec.help) if spec.help else []
    return {"linkId": spec.key, "text": spec.label, "type": "group", "item": intro + findings}


def _tests_group(spec: AnswerField) -> dict[str, Any]:
    """The special tests; the form's own help ("leave on 'Not examined'") has no FHIR twin."""
    tests = [
        {
            "linkId": TESTS_PREFIX + t.key,
            "text": t.label,
            "type": "choice",
            "answerOption": _options(spec.key, TEST_RESULTS),
            "item": _help(TESTS_PREFIX + t.key, f"{t.meaning} {NOT_EXAMINED}"),
        }
        for t in SPECIAL_TESTS
    ]
    intro = _help(spec.key, TESTS_HELP)
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
    if spec.kind == "choices":
        extensions.append(item_control(CHECK_BOX_CONTROL))
    if extensions:
        item["extension"] = extensions
    if spec.key in EXCLUSIVE_WHEN:
        item["enableWhen"] = [dict(EXCLUSIVE_WHEN[spec.key])]
    if spec.required:
        item["required"] = True
    if spec.kind == "choices":
        item["repeats"] = True
    if spec.max_length is not None:
        item["maxLength"] = spec.max_length
    if spec.choices:
        item["answerOption"] = _options(spec.key, spec.choices)
    if help_text(spec):
        item["item"] = _help(spec.key, help_text(spec))
    return item


def _section_items(group: str) -> list[dict[str, Any]]:
    items = []
    for field in fields_in(group):
        items.append(_question(field))
        if field.key in NULL_ITEMS:
            link_id, text = NULL_ITEMS[field.key]
            item: dict[str, Any] = {"linkId": link_id, "text": text, "type": "boolean"}
            if link_id in EXCLUSIVE_WHEN:
                item["enableWhen"] = [dict(EXCLUSIVE_WHEN[link_id])]
            items.append(item)
    return items


def _section(group: str, title: str) -> dict[str, Any]:
    """One section: never ``required`` and never conditional (see the module's docstring)."""
    text = f"{title} ({SECTION_NOTES[group]})" if group in SECTION_NOTES else title
    section: dict[str, Any] = {"linkId": GROUP_PREFIX + group, "text": text, "type": "group"}
    items = _section_items(group)
    if group == "ottawa":
        items.insert(0, {"linkId": OTTAWA_SCOPE_LINK, "text": OTTAWA_SCOPE, "type": "display"})
    section["item"] = items
    return section


def _last_week_section() -> dict[str, Any]:
    """Contract 6's ``last_week``: asked at a follow-up visit; never required."""
    items = []
    for part, item_type, low, high in LAST_WEEK_ITEMS:
        item: dict[str, Any] = {"linkId": LAST_WEEK_PREFIX + part,
                                "text": LAST_WEEK_LABELS[part], "type": item_type}
        bounds = [_bound(url, item_type, v) for url, v in ((MIN_VALUE, low), (MAX_VALUE, high))
                  if v is not None]
        if bounds:
            item["extension"] = bounds
        items.append(item)
    group = {"linkId": LAST_WEEK_KEY, "text": "Last week", "type": "group", "item": items}
    return {"linkId": GROUP_PREFIX + LAST_WEEK_KEY, "type": "group",
            "text": "Last week (at a follow-up visit: how the week since the last visit went; "
                    "distance in the unit of the usual weekly distance)",
            "item": [group]}


MEASURES_KEY = "measures"
MEASURES_PREFIX = MEASURES_KEY + "."


def _measures_section() -> dict[str, Any]:
    """The outcome measures (contract 6): each measure's items as its own Questionnaire
    has them, linkIds ``measures.<id>.<n>``, without the calculated total."""
    from ..guidance.measures import MEASURES  # the measures' data loads after this module
    from .measures import measure_questionnaire

    groups = []
    for measure_id in MEASURES:
        own = measure_questionnaire(measure_id)
        items = []
        for item in own["item"]:
            if item.get("readOnly") or item["type"] != "choice":
                continue
            items.append({**copy.deepcopy(item), "linkId": MEASURES_PREFIX + item["linkId"]})
        groups.append({"linkId": MEASURES_PREFIX + measure_id, "type": "group",
                       "text": own.get("title") or measure_id, "item": items})
    return {"linkId": GROUP_PREFIX + MEASURES_KEY, "type": "group",
            "text": "Outcome measures (optional: the scores printed beside each answer on "
                    "the published form)", "item": groups}


def measure_link(link: str) -> tuple[str, int] | None:
    """``measures.cait.3`` -> ("cait", 3); None for any other linkId."""
    if not link.startswith(MEASURES_PREFIX):
        return None
    parts = link[len(MEASURES_PREFIX):].rsplit(".", 1)
    if len(parts) != 2 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def _narrative(title: str, description: str) -> dict[str, str]:
    """The generated narrative: the title, what the form is for and its sections."""
    sections = "".join(f"<li>{escape(text)}</li>" for _, text in GROUPS)
    return {
        "status": "generated",
        "div": (f'<div xmlns="http://www.w3.org/1999/xhtml"><h1>{escape(title)}</h1>'
                f"<p>{escape(description)}</p><ol>{sections}</ol></div>"),
    }


@functools.lru_cache(maxsize=1)
def _built() -> dict[str, Any]:
    unplaced = [f.key for f in FIELDS if f.group not in dict(GROUPS)]
    if unplaced:
        raise RuntimeError(f"answer keys in no section: {', '.join(unplaced)}")
    title = "Ankle pain intake for runners"
    description = (
        "What a physiotherapist records about a runner with ankle pain. Answers come back "
        "as a QuestionnaireResponse, which the plugin assesses as it does its JSON answers."
    )
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "text": _narrative(title, description),
        "extension": [{
            # Not semver: the rules version is build metadata there, which semver ignores.
            "url": VERSION_ALGORITHM,
            "valueCoding": {"system": VERSION_ALGORITHM_SYSTEM, "code": "natural",
                            "display": "Natural"},
        }],
        "url": QUESTIONNAIRE_URL,
        "version": QUESTIONNAIRE_VERSION,
        "name": "AnkleIntake",
        "title": title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": description,
        "item": [*(_section(group, title) for group, title in GROUPS), _last_week_section(),
                 _measures_section()],
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
