"""QuestionnaireResponse in and out: the FHIR face of the answers.

A QuestionnaireResponse is first checked against the Questionnaire (the FHIR
shape: linkIds, nesting, value types, options, required items), then turned
into JSON answers and loaded by :func:`ankle_intake.forms.load_answers`, so
ranges, dates and text follow exactly the JSON path. Every problem is an
:class:`~ankle_intake.forms.InvalidAnswers` keyed by the linkId it concerns.

Answers the Questionnaire would hide (Ottawa findings after a gradual onset)
are accepted, as the JSON API accepts them; refusing them here would make the
FHIR door stricter than the JSON one. An Ottawa object with no finding examined,
a special-tests object with no test done and an empty optional list have no
FHIR form: all come back absent, which assesses the same.

The patient and the encounter travel twice: as the items ``patient_ref`` and
``encounter_ref`` (what a renderer shows and saves) and as ``subject`` and
``encounter``, References whose ``identifier.value`` is the reference (or
``reference`` ``Patient/<ref>``, ``Encounter/<ref>``). Either is accepted; both
must then agree. Every emitted response carries both whenever the refs are
known. A client's ``authored`` and ``author`` are checked for their shape; the
store keeps ``authored`` beside the record (it is not an answer:
``assessment_date`` is the day of the examination, set by the clinician) and a
draft's response gives it back; ``author`` is not kept, and a signed intake's
``authored`` and ``author`` are those of its review (see :func:`stored_response`).

A refused special test is named by its linkId, ``special_tests.<test>``, both
when the Questionnaire refuses the answer and when the schema does (which keys
it by the bare test key, ``thompson_test``). Whatever the body holds, a problem
is a 422 naming a linkId, never an exception: codings whose parts are not
strings, and numbers beyond what a FHIR integer (32 bits) or a float can hold,
are refused here before the schema sees them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from ..forms import FIELDS, OTTAWA_FINDINGS, InvalidAnswers, load_answers
from ..forms.schemas import unencodable
from ..forms.vocabulary import TEST_KEYS
from .questionnaire import (
    COULD_NOT_RUN,
    LAST_WEEK_KEY,
    LAST_WEEK_PREFIX,
    MEASURES_KEY,
    MEASURES_PREFIX,
    NESTED_PREFIXES,
    OTTAWA_PREFIX,
    QUESTIONNAIRE_URL,
    QUESTIONNAIRE_VERSION,
    TESTS_PREFIX,
    VALUE_KEYS,
    definitions,
    measure_link,
    questionnaire,
)

#: Statuses that say the form was finished; an in-progress response is not assessed.
ASSESSABLE_STATUSES = ("completed", "amended")
#: FHIR ``integer`` is 32-bit signed (use ``decimal`` beyond it).
FHIR_INTEGER_RANGE = (-(2**31), 2**31 - 1)
#: Keys of nested answer objects: inner key -> linkId, for the schema's errors.
_NESTED_LINKS: dict[str, str] = {key: TESTS_PREFIX + key for key in TEST_KEYS}
#: The References a response may carry for an answer key: element -> (answer key, type).
REFERENCES: dict[str, tuple[str, str]] = {
    "subject": ("patient_ref", "Patient"),
    "encounter": ("encounter_ref", "Encounter"),
}
#: A FHIR dateTime: a year, month or day, or a time to the second with its zone.
_DATE_TIME = re.compile(
    r"[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2}))?)?)?"
)


class _Problems:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _label(item: Mapping[str, Any]) -> str:
    return str(item.get("text") or item["linkId"])


def _codes(item: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (opt["valueCoding"]["system"], opt["valueCoding"]["code"]): opt["valueCoding"]["code"]
        for opt in item.get("answerOption", [])
    }


def _coding_key(value: Any) -> tuple[str, str] | None:
    """(system, code) of a Coding whose system and code are both strings; otherwise None."""
    if not isinstance(value, Mapping):
        return None
    system, code = value.get("system"), value.get("code")
    if not isinstance(system, str) or not isinstance(code, str):
        return None
    return system, code


def _type_problem(item_type: str, value: Any) -> str:
    """Why ``value`` cannot be the value of an item of ``item_type``; empty if it can."""
    if item_type in ("boolean", "date", "string"):
        fits = isinstance(value, bool if item_type == "boolean" else str)
        return "" if fits else "has the wrong type"
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or (item_type == "integer" and not isinstance(value, int)):
        return "has the wrong type"
    if item_type == "integer":
        low, high = FHIR_INTEGER_RANGE
        return "" if low <= value <= high else "is beyond what a FHIR integer holds"
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond any float
        finite = False
    return "" if finite else "is not a finite number"


def _value(item: Mapping[str, Any], answer: Any, problems: _Problems) -> tuple[bool, Any]:
    """The Python value of one answer, or (False, None) after recording why not."""
    link, label, item_type = item["linkId"], _label(item), item["type"]
    expected = VALUE_KEYS[item_type]
    keys = ([k for k in answer if isinstance(k, str) and k.startswith("value")]
            if isinstance(answer, Mapping) else [])
    if keys != [expected]:
        problems.add(link, f"{label}: each answer must be one {expected}.")
        return False, None
    if isinstance(answer, Mapping) and "item" in answer:
        problems.add(link, f"{label}: answers here have no nested items.")
        return False, None
    value = answer[expected]
    if item_type == "choice":
        options = _codes(item)
        key = _coding_key(value)
        if key not in options:
            codes = ", ".join(code for _, code in options)
            problems.add(link, f"{label} must be a coding from the Questionnaire: {codes}.")
            return False, None
        return True, options[key]
    problem = _type_problem(item_type, value)
    if problem:
        problems.add(link, f"{label}: {expected} {problem}.")
        return False, None
    return True, value


def _check_item(
    item: Any, parent: str | None, values: dict[str, list[Any]], seen: set[str],
    problems: _Problems,
) -> None:
    defs = definitions()
    link = item.get("linkId") if isinstance(item, Mapping) else None
    if not isinstance(link, str) or unencodable(link):
        problems.add(parent or "item", "Every item must be an object with a linkId.")
        return
    if link not in defs:
        problems.add(link, f"{link} is not an item of this Questionnaire.")
        return
    definition, expected_parent = defs[link]
    if expected_parent != parent:
        where = f"inside {expected_parent}" if expected_parent else "at the top level"
        problems.add(link, f"{_label(definition)} belongs {where}.")
        return
    if link in seen:
        problems.add(link, f"{_label(definition)} appears more than once.")
        return
    seen.add(link)
    if definition["type"] == "display":
        problems.add(link, f"{link} is help text and takes no answer.")
        return
    if definition["type"] == "group":
        if "answer" in item:
            problems.add(link, f"{_label(definition)} is a group and takes no answer.")
        _check_items(item.get("item", []), link, values, seen, problems)
        return
    if "item" in item:
        problems.add(link, f"{_label(definition)} has no nested items.")
    answers = item.get("answer", [])
    if not isinstance(answers, list):
        problems.add(link, f"{_label(definition)}: answer must be a list.")
        return
    if len(answers) > 1 and not definition.get("repeats"):
        problems.add(link, f"{_label(definition)} takes one answer, not {len(answers)}.")
        return
    parsed = [_value(definition, answer, problems) for answer in answers]
    if parsed and all(ok for ok, _ in parsed):
        values[link] = [v for _, v in parsed]


def _check_items(
    items: Any, parent: str | None, values: dict[str, list[Any]], seen: set[str],
    problems: _Problems,
) -> None:
    if not isinstance(items, list):
        problems.add(parent or "item", "item must be a list of items.")
        return
    for item in items:
        _check_item(item, parent, values, seen, problems)


def _check_resource(qr: Mapping[str, Any], problems: _Problems) -> None:
    canonical = qr.get("questionnaire")
    if not isinstance(canonical, str) or canonical.split("|", 1)[0] != QUESTIONNAIRE_URL:
        problems.add(
            "questionnaire", f"The QuestionnaireResponse must answer {QUESTIONNAIRE_URL}."
        )
    if qr.get("status") not in ASSESSABLE_STATUSES:
        problems.add(
            "status", "Only a completed or amended QuestionnaireResponse can be assessed."
        )


def _reference_value(element: str, ref: Any, problems: _Problems) -> str | None:
    """The reference a Reference carries (identifier.value or ``<Type>/<ref>``), or None."""
    _, kind = REFERENCES[element]
    if not isinstance(ref, Mapping):
        problems.add(element, f"{element} must be a Reference (an object).")
        return None
    identifier, literal = ref.get("identifier"), ref.get("reference")
    found: list[str] = []
    if identifier is not None:
        value = identifier.get("value") if isinstance(identifier, Mapping) else None
        if not isinstance(value, str):
            problems.add(element, f"{element}.identifier.value must be a string.")
            return None
        found.append(value)
    if literal is not None:
        if not isinstance(literal, str) or not literal.startswith(kind + "/") or \
                not literal[len(kind) + 1:] or "/" in literal[len(kind) + 1:]:
            problems.add(element, f"{element}.reference must be {kind}/<reference>.")
            return None
        found.append(literal[len(kind) + 1:])
    if not found:
        problems.add(element, f"{element} needs identifier.value or reference {kind}/<ref>.")
        return None
    if len(set(found)) > 1:
        problems.add(element, f"{element}: identifier.value and reference name different "
                              f"{kind.lower()}s.")
        return None
    return found[0]


def _references(qr: Mapping[str, Any], values: dict[str, list[Any]],
                problems: _Problems) -> dict[str, str]:
    """answer key -> reference, from ``subject`` and ``encounter``; they must match the items."""
    out: dict[str, str] = {}
    for element, (key, _) in REFERENCES.items():
        if element not in qr:
            continue
        value = _reference_value(element, qr[element], problems)
        if value is None:
            continue
        if key in values and values[key] != [value]:
            problems.add(element, f"{element} and the item {key} name different references.")
            continue
        out[key] = value
    return out


def _check_meta(qr: Mapping[str, Any], problems: _Problems) -> None:
    """A malformed ``authored`` or ``author`` is refused (``authored`` is kept with the record)."""
    authored = qr.get("authored")
    if authored is not None and (not isinstance(authored, str)
                                 or not _DATE_TIME.fullmatch(authored)):
        problems.add("authored", "authored must be a FHIR dateTime (a time needs its zone).")
    if "author" in qr and not isinstance(qr["author"], Mapping):
        problems.add("author", "author must be a Reference (an object).")


def raw_answers(qr: Any) -> dict[str, Any]:
    """The JSON answers a QuestionnaireResponse carries, not yet validated by the schema.

    Raises :class:`InvalidAnswers` for anything the Questionnaire itself refuses.
    """
    if not isinstance(qr, Mapping) or qr.get("resourceType") != "QuestionnaireResponse":
        raise InvalidAnswers({"resourceType": ["The body must be a FHIR QuestionnaireResponse."]})
    problems = _Problems()
    _check_resource(qr, problems)
    values: dict[str, list[Any]] = {}
    seen: set[str] = set()
    _check_items(qr.get("item", []), None, values, seen, problems)
    references = _references(qr, values, problems)
    _check_meta(qr, problems)
    for link, (definition, _) in definitions().items():
        if definition.get("required") and definition["type"] != "group" and link not in values:
            if link not in problems.errors:
                problems.add(link, f"{_label(definition)}: an answer is required.")
    if values.get(COULD_NOT_RUN) == [True] and "pain_running" in values:
        problems.add(
            COULD_NOT_RUN, "Pain while running: give a score or tick 'could not run', not both."
        )
    if problems.errors:
        raise InvalidAnswers(problems.errors)

    raw: dict[str, Any] = {}
    for spec in FIELDS:
        if spec.kind in ("ottawa", "tests"):
            if spec.key in seen:
                prefix, inner = (
                    (OTTAWA_PREFIX, [f.key for f in OTTAWA_FINDINGS]) if spec.kind == "ottawa"
                    else (TESTS_PREFIX, list(TEST_KEYS))
                )
                raw[spec.key] = {
                    key: values[prefix + key][0] for key in inner if prefix + key in values
                }
        elif spec.key in values:
            found = values[spec.key]
            raw[spec.key] = found if spec.kind == "choices" else found[0]
    if values.get(COULD_NOT_RUN) == [True]:
        raw["pain_running"] = None
    week = {link[len(LAST_WEEK_PREFIX):]: found[0] for link, found in values.items()
            if link.startswith(LAST_WEEK_PREFIX)}
    if week:
        raw[LAST_WEEK_KEY] = week
    measures = _measures(values)
    if measures:
        raw[MEASURES_KEY] = measures
    raw.update(references)
    return raw


def _measures(values: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
    """Each measure with an item answered, as contract 6's list of printed scores.

    An item left out, or FAAM's "not applicable" (code ``na``), is ``null``; the
    answers' schema then says which items a measure may not leave out.
    """
    counts: dict[str, int] = {}
    for link, (definition, _) in definitions().items():
        where = measure_link(link)
        if where and definition["type"] == "choice":
            counts[where[0]] = max(counts.get(where[0], 0), where[1])
    out: dict[str, list[Any]] = {}
    for measure_id, count in counts.items():
        found = [values.get(f"{MEASURES_PREFIX}{measure_id}.{n}") for n in range(1, count + 1)]
        if any(found):
            out[measure_id] = [None if not f or f[0] == "na" else int(f[0]) for f in found]
    return out


def answers_from_response(qr: Any) -> dict[str, Any]:
    """Validated answers from a QuestionnaireResponse that names this Questionnaire.

    Raises :class:`InvalidAnswers` keyed by linkId (which is the answer key for
    every contract field, and ``special_tests.<test>`` for a test) for each
    problem found.
    """
    try:
        return load_answers(raw_answers(qr))
    except InvalidAnswers as exc:
        raise InvalidAnswers(link_errors(exc.errors)) from None


def link_errors(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The schema's errors keyed by linkId: a bare test key becomes ``special_tests.<test>``."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        out.setdefault(_NESTED_LINKS.get(key, key), []).extend(messages)
    return out


def _answer_values(link: str, answers: Mapping[str, Any]) -> list[Any]:
    where = measure_link(link)
    if where:
        scores = (answers.get(MEASURES_KEY) or {}).get(where[0])
        if not scores or where[1] > len(scores):
            return []
        score = scores[where[1] - 1]
        return ["na" if score is None else str(score)]
    if link == COULD_NOT_RUN:
        return [True] if "pain_running" in answers and answers["pain_running"] is None else []
    for prefix, key in NESTED_PREFIXES.items():
        if link.startswith(prefix):
            findings = answers.get(key)
            value = findings.get(link[len(prefix):]) if isinstance(findings, Mapping) else None
            return [] if value is None else [value]
    value = answers.get(link)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _fhir_value(definition: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """The answer of ``value``; a code the options lack keeps its code, to be refused on return."""
    key = VALUE_KEYS[definition["type"]]
    if definition["type"] == "choice":
        options = [opt["valueCoding"] for opt in definition["answerOption"]]
        for option in options:
            if option["code"] == value:
                return {key: dict(option)}
        return {key: {"system": options[0]["system"], "code": value}}
    return {key: value}


def _response_items(items: list[dict[str, Any]], answers: Mapping[str, Any]) -> list[dict]:
    out: list[dict[str, Any]] = []
    for definition in items:
        link, item_type = definition["linkId"], definition["type"]
        if item_type == "display":
            continue
        if item_type == "group":
            children = _response_items(definition.get("item", []), answers)
            if children:
                out.append({"linkId": link, "text": definition["text"], "item": children})
            continue
        found = _answer_values(link, answers)
        if found:
            out.append({
                "linkId": link,
                "text": definition["text"],
                "answer": [_fhir_value(definition, v) for v in found],
            })
    return out


def response_from_answers(
    answers: Mapping[str, Any], *, id: str | None = None, authored: str | dt.datetime | None = None,
    status: str = "completed", author: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A QuestionnaireResponse holding ``answers`` (as ``load_answers`` returns them).

    ``authored`` is a FHIR dateTime string or a timezone-aware datetime;
    ``status`` and ``author`` (a Reference) as :func:`stored_response` sets them.
    """
    response: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    if id is not None:
        response["id"] = id
    response["questionnaire"] = f"{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}"
    response["status"] = status
    if isinstance(authored, dt.datetime):
        if authored.tzinfo is None:
            raise ValueError("authored needs a timezone: FHIR dateTimes with a time carry one.")
        authored = authored.isoformat()
    if authored is not None:
        response["authored"] = authored
    for element, (key, kind) in REFERENCES.items():
        ref = answers.get(key)
        if isinstance(ref, str) and ref:
            response[element] = {"type": kind, "identifier": {"value": ref}}
    if author is not None:
        response["author"] = dict(author)
    response["item"] = _response_items(questionnaire()["item"], answers)
    return response


def _practitioner(signer: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A Reference to the clinician: ``identifier.value`` the user id, ``display`` the name."""
    if not signer or not signer.get("id"):
        return None
    ref: dict[str, Any] = {"type": "Practitioner", "identifier": {"value": signer["id"]}}
    if signer.get("name"):
        ref["display"] = signer["name"]
    return ref


def stored_response(record: Mapping[str, Any]) -> dict[str, Any]:
    """A stored record (contract 5) as a QuestionnaireResponse, with its review state.

    A draft is ``in-progress``, authored when its FHIR client said it was
    (kept as sent), else when stored, by whoever stored it (id only); version
    1 is ``completed``, authored when and by whom it was
    signed; once an addendum exists it is ``amended``, authored by the latest
    addendum's signer at its time (R4: ``authored`` is when the answers were
    last changed). ``author`` is left out when nobody is known.
    """
    if record.get("status") != "signed":
        creator = record.get("created_by")
        status, at = "in-progress", record.get("authored") or record["created_at"]
        author = _practitioner({"id": creator}) if creator else None
    elif record.get("addenda"):
        latest = record["addenda"][-1]
        status, at, author = "amended", latest["signed_at"], _practitioner(latest["signed_by"])
    else:
        status = "completed"
        at = record.get("signed_at") or record["created_at"]
        author = _practitioner(record.get("signed_by"))
    response = response_from_answers(record["answers"], id=record["id"], authored=at,
                                     status=status, author=author)
    if record.get("episode_id"):  # contract 6: the episode this visit is part of
        from .episodes import based_on  # it imports the store, which this module must not

        response = {**{k: v for k, v in response.items() if k != "item"},
                    "basedOn": based_on(record), "item": response["item"]}
    return response
