"""The outcome measures' items, as data, and the marshmallow field that validates answers to them.

``data/measures.json`` holds each measure's items in the published order, every
option with the score printed beside it on the published form, the range, how
many items must be answered, the cut-offs and the minimal clinically important
difference (MCID), each with its published source, and the licence terms found
for it. The file is checked when this module is imported, so a broken entry
stops the application from starting, never a request.

An answer is the list of printed scores in item order (contract section 6).
``null`` is allowed only where the measure has a "not applicable" option (FAAM),
and means "not applicable or not answered": both are left out of the score.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

#: Longest measure id echoed back in an error; anything else is "an unknown measure".
_ECHOABLE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class MeasureDataError(RuntimeError):
    """``data/measures.json`` is malformed; the message names the measure."""


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _Source(_Strict):
    citation = fields.String(required=True, validate=validate.Length(min=20))


def _source() -> fields.Nested:
    return fields.Nested(_Source, required=True)


class _Option(_Strict):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]+$"))
    score = fields.Integer(required=True, allow_none=True, validate=validate.Range(0, 100))
    label = fields.String(required=True, validate=validate.Length(min=2))


class _Item(_Strict):
    n = fields.Integer(required=True, validate=validate.Range(1, 100))
    text = fields.String(required=True, validate=validate.Length(min=3))
    options = fields.List(fields.Nested(_Option), required=True, validate=validate.Length(min=2))


class _Cutoff(_Strict):
    id = fields.String(required=True)
    at_or_below = fields.Integer(required=True)
    text = fields.String(required=True)
    source = _source()


class _Band(_Strict):
    id = fields.String(required=True)
    at_or_below = fields.Integer(required=True)
    patient = fields.String(required=True, validate=validate.Length(min=10))
    clinician = fields.String(required=True, validate=validate.Length(min=10))
    source = _source()


class _Mcid(_Strict):
    points = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))
    text = fields.String(required=True)
    source = _source()


class _Licence(_Strict):
    terms = fields.String(required=True, validate=validate.Length(min=20))
    reproduces_wording = fields.Boolean(required=True)
    source = _source()


class _Measure(_Strict):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    name = fields.String(required=True)
    title = fields.String(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(("points", "%")))
    min = fields.Integer(required=True)
    max = fields.Integer(required=True)
    scoring = fields.String(required=True, validate=validate.OneOf(("sum", "percent")))
    min_answered = fields.Integer(required=True, validate=validate.Range(min=1))
    allows_not_applicable = fields.Boolean(required=True)
    higher_is_better = fields.Boolean(required=True)
    source = _source()
    licence = fields.Nested(_Licence, required=True)
    mcid = fields.Nested(_Mcid, required=True, allow_none=True)
    cutoffs = fields.List(fields.Nested(_Cutoff), required=True)
    bands = fields.List(fields.Nested(_Band), required=True, validate=validate.Length(min=1))
    conditions = fields.List(fields.String(), required=True)
    items = fields.List(fields.Nested(_Item), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _consistent(self, data: dict, **kwargs: Any) -> None:
        items = data["items"]
        if [i["n"] for i in items] != list(range(1, len(items) + 1)):
            raise ValidationError("items must be numbered 1, 2, ... in the published order")
        for item in items:
            codes = [o["code"] for o in item["options"]]
            if len(set(codes)) != len(codes):
                raise ValidationError(f"item {item['n']} repeats an option code")
            has_na = any(o["score"] is None for o in item["options"])
            if has_na != data["allows_not_applicable"]:
                raise ValidationError(f"item {item['n']}: a 'not applicable' option exactly "
                                      "when the measure allows one")
        if data["min_answered"] > len(items):
            raise ValidationError("min_answered is more than the number of items")
        if data["scoring"] == "sum":
            top = sum(max(o["score"] for o in i["options"]) for i in items)
            if (data["min"], data["max"]) != (0, top) or data["min_answered"] != len(items):
                raise ValidationError(f"a summed measure runs 0-{top} and needs every item")
        elif (data["min"], data["max"], data["unit"]) != (0, 100, "%"):
            raise ValidationError("a percentage measure runs 0-100 %")
        bounds = [b["at_or_below"] for b in data["bands"]]
        if bounds != sorted(bounds) or bounds[-1] != data["max"]:
            raise ValidationError("bands must rise and the last must reach the maximum")


class _Withheld(_Strict):
    id = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=20))
    conditions = fields.List(fields.String(), required=True)
    source = _source()


class _Document(_Strict):
    kind = fields.String(required=True, validate=validate.Equal("measures"))
    version = fields.String(required=True)
    note = fields.String()
    wording = fields.String(required=True)
    items = fields.List(fields.Nested(_Measure), required=True)
    withheld = fields.List(fields.Nested(_Withheld), required=True)
    change_texts = fields.Dict(keys=fields.String(validate=validate.OneOf(("more", "equal",
                                                                           "less"))),
                               values=fields.String(), required=True)


@dataclass(frozen=True)
class MeasureData:
    """Every offered measure (in data order) and every measure withheld, with its reason."""

    version: str
    wording: str
    measures: dict[str, dict]
    withheld: dict[str, dict]
    change_texts: dict[str, str]


@cache
def load_measures() -> MeasureData:
    """The measures' data, read and checked once per process."""
    text = resources.files(__package__).joinpath("data", "measures.json").read_text("utf-8")
    raw = json.loads(text)
    try:
        doc = _Document().load(raw)
    except ValidationError as exc:
        raise MeasureDataError(f"forms/data/measures.json is invalid: {exc.messages}") from None
    measures = {m["id"]: m for m in doc["items"]}
    withheld = {w["id"]: w for w in doc["withheld"]}
    if len(measures) != len(doc["items"]) or set(measures) & set(withheld):
        raise MeasureDataError("forms/data/measures.json: a measure id is used twice")
    if set(doc["change_texts"]) != {"more", "equal", "less"}:
        raise MeasureDataError("forms/data/measures.json: change_texts needs more, equal, less")
    return MeasureData(doc["version"], doc["wording"], measures, withheld, doc["change_texts"])


DATA: MeasureData = load_measures()
#: The offered measures' ids, in data order (VISA-A is withheld: see the README).
MEASURE_IDS: tuple[str, ...] = tuple(DATA.measures)


def measure(measure_id: str) -> dict:
    """One offered measure's data (read-only); ``KeyError`` for an unknown or withheld id."""
    return DATA.measures[measure_id]


def measure_items(measure_id: str) -> list[dict]:
    """The items of a measure for a form: ``[{"n", "text", "options": [{"score", "label"}]}]``.

    A "not applicable" option has ``score`` None. Fresh dicts: callers may change them.
    """
    return [
        {"n": item["n"], "text": item["text"],
         "options": [{"score": o["score"], "label": o["label"]} for o in item["options"]]}
        for item in measure(measure_id)["items"]
    ]


def item_scores(measure_id: str) -> list[tuple[int | None, ...]]:
    """Per item, the scores an answer may take (None where "not applicable" is allowed)."""
    return [tuple(dict.fromkeys(o["score"] for o in item["options"]))
            for item in measure(measure_id)["items"]]


def _ids() -> str:
    return ", ".join(MEASURE_IDS)


def _listed(scores: tuple[int | None, ...]) -> str:
    numbers = sorted(s for s in scores if s is not None)
    return ", ".join(str(s) for s in numbers)


def measure_errors(value: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """``value`` as loaded and the errors found, keyed by measure id (``_measures`` for the whole).

    Every message names where it points (``measures.cait[3]``), so the flat
    ``{"measures": [...]}`` the API returns still says which item was refused.
    A key is echoed only when it looks like a measure id, never free text.
    """
    if not isinstance(value, Mapping):
        return {}, {"_measures": ["Measures must be an object of measure ids, each a list of "
                                  f"item scores; the ids are {_ids()}."]}
    loaded: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, answers in value.items():
        name = key if isinstance(key, str) and _ECHOABLE.match(key) else None
        if name in DATA.withheld:
            errors[name] = [f"Measures: {name} ({DATA.withheld[name]['name']}) is not offered: "
                            "no terms of use allow it here (see the README)."]
        elif name not in DATA.measures:
            shown = f"{name} is not a measure" if name else "a key is not a measure id"
            errors[name or "_measures"] = [f"Measures: {shown}; use {_ids()}."]
        else:
            problems = _answer_errors(name, answers)
            if problems:
                errors[name] = problems
            else:
                loaded[name] = list(answers)
    return loaded, errors


def _answer_errors(measure_id: str, answers: Any) -> list[str]:
    spec = measure(measure_id)
    allowed = item_scores(measure_id)
    where = f"measures.{measure_id}"
    if not isinstance(answers, (list, tuple)) or len(answers) != len(allowed):
        return [f"Measures: {where} must be a list of {len(allowed)} item scores "
                f"({spec['name']}), in the published order."]
    problems = []
    for index, (answer, scores) in enumerate(zip(answers, allowed, strict=True)):
        at = f"{where}[{index}] ({spec['name']} item {index + 1})"
        if answer is None:
            if None not in scores:
                problems.append(f"Measures: {at} needs a score; only items with a "
                                "'not applicable' option (FAAM) may be null.")
        elif isinstance(answer, bool) or not isinstance(answer, int) or answer not in scores:
            problems.append(f"Measures: {at} must be one of the printed scores "
                            f"{_listed(scores)}.")
    return problems


class MeasuresField(fields.Dict):
    """``measures``: ``{measure id: [printed score, ...]}``; absent or ``{}`` = not measured.

    Errors are nested under the measure id (``{"cait": ["Measures: measures.cait[3] ..."]}``),
    and :func:`ankle_intake.forms.flat_errors` gathers them under ``measures``.
    A ``fields.Dict`` so that OpenAPI describes it as an object of integer lists.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {
            "title": "Outcome measures",
            "description": "Outcome measures: per measure id (" + _ids() + "), the score printed "
                           "beside each answer on the published form, in item order; null "
                           "only for FAAM items (not applicable or not answered).",
        })
        super().__init__(keys=fields.String(validate=validate.OneOf(MEASURE_IDS)),
                         values=fields.List(fields.Integer(allow_none=True)), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        loaded, errors = measure_errors(value)
        if errors:
            raise ValidationError(errors)
        return loaded or None


__all__ = [
    "DATA",
    "MEASURE_IDS",
    "MeasureData",
    "MeasureDataError",
    "MeasuresField",
    "item_scores",
    "load_measures",
    "measure",
    "measure_errors",
    "measure_items",
]
