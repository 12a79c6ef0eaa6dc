"""marshmallow load schema for intake answers, built from the vocabulary.

Every error is a sentence that names its field in plain words, and every
error key is a top-level answer key (``{"pain_now": ["Pain now must be ..."]}``),
so the HTML form can put it beside its field and the JSON API can return it
as is. Fields subclass marshmallow's own types and carry marshmallow's own
validators so apispec can turn them into OpenAPI ``enum``/``minimum``/``maxLength``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from .measures import MeasuresField
from .vocabulary import (
    FIELDS,
    OTTAWA_FINDINGS,
    OTTAWA_KEYS,
    SPECIAL_TESTS,
    TEST_KEYS,
    TEST_RESULTS,
    AnswerField,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
#: Bidi embeddings, overrides, isolates and marks, and zero-width characters: removed
#: from free text, so a name cannot render reversed (U+202E) or hide a character
#: on the page, the note or the PDF.
_INVISIBLE = re.compile(r"[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
#: A lone UTF-16 surrogate: valid in a Python string (JSON "\ud800"), never in UTF-8.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: Error key for a problem with the body as a whole (a field name that is not text).
BODY_KEY = "_body"
BAD_KEY = "A field name holds a character that is not text (a lone UTF-16 surrogate)."
#: Keys whose ``null`` carries meaning and is kept; any other null means "not recorded".
KEEP_NULL = frozenset({"pain_running"})
#: Longest list read before de-duplication; bounds the work a hostile body can cause.
MAX_RAW_ITEMS = 50
#: Dates outside this range are typing mistakes, and would overflow date arithmetic.
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
#: The same range for OpenAPI readers (years 1900 to 2100).
DATE_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


def unencodable(data: Any) -> list[str]:
    """Where ``data`` holds a lone surrogate, as dotted names (``exercises.0.id``).

    Such a string cannot be written as UTF-8: not to the store, not into an
    error message, not into the log. A bad key is named by the object holding it
    (``_body`` at the top). Walked without recursion, so nesting as deep as the
    JSON parser allows cannot overflow the stack.
    """
    if not _any_surrogate(data):  # the common case, at a fraction of the cost of naming
        return []
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                found.append(name or BODY_KEY)
        elif isinstance(value, Mapping):
            for key, inner in value.items():
                if not isinstance(key, str) or _SURROGATE.search(key):
                    found.append(name or BODY_KEY)
                    continue
                stack.append((f"{name}.{key}" if name else key, inner))
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{name}.{n}" if name else str(n), v) for n, v in enumerate(value))
    return list(dict.fromkeys(found))


def _bad(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def _any_surrogate(data: Any) -> bool:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _bad(value):
                return True
        elif isinstance(value, (int, float, type(None))):
            continue
        elif isinstance(value, (dict, Mapping)):
            for key in value:
                if not isinstance(key, str) or _bad(key):
                    return True
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
    return False


def clean_text(value: str) -> str:
    """Free text as stored: bidi and zero-width characters removed, controls and runs of
    white space made one space, trimmed. Lone surrogates are left for
    :func:`unencodable` to refuse, as they are not the writer's text."""
    return " ".join(_CONTROL.sub(" ", _INVISIBLE.sub("", value)).split())


def _one_of(spec: AnswerField) -> str:
    return ", ".join(spec.values)


def _messages(spec: AnswerField, invalid: str) -> dict[str, str]:
    return {
        "required": f"{spec.label}: an answer is required.",
        "null": f"{spec.label}: an answer is required." if spec.required else invalid,
        "invalid": invalid,
    }


class _StrictInteger(fields.Integer):
    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        if isinstance(value, float):
            if not value.is_integer():
                raise self.make_error("invalid")
            value = int(value)
        return value


class _StrictNumber(fields.Float):
    def _validated(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        try:
            number = float(value)
        except OverflowError:  # an integer beyond float range
            raise self.make_error("invalid") from None
        if not math.isfinite(number):
            raise self.make_error("invalid")
        return number


class _StrictBoolean(fields.Boolean):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class _IsoDate(fields.Date):
    """A calendar date, kept as its ISO string so answers stay JSON as loaded."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise self.make_error("invalid")
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise self.make_error("invalid") from exc
        if not DATE_RANGE[0] <= parsed <= DATE_RANGE[1]:
            raise self.make_error("invalid")
        return parsed.isoformat()


class _PlainText(fields.String):
    """Free text with control characters removed; an empty string means not recorded."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | None:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return clean_text(value) or None


class _MaxLength(validate.Length):
    """Length that lets ``None`` through: blank text loads as "not recorded"."""

    def __call__(self, value: Any) -> Any:
        return value if value is None else super().__call__(value)


class _ChoiceList(fields.List):
    """A list of choices, de-duplicated in order, reported as one flat message."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[str]:
        if not isinstance(value, (list, tuple)) or len(value) > MAX_RAW_ITEMS:
            raise self.make_error("invalid")
        try:
            items = super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as exc:
            raise self.make_error("invalid") from exc
        return list(dict.fromkeys(items))


_OttawaSchema = Schema.from_dict(
    {f.key: _StrictBoolean(allow_none=True, metadata={"description": f.meaning})
     for f in OTTAWA_FINDINGS},
    name="OttawaFindings",
)


class _Ottawa(fields.Nested):
    """The five Ottawa findings; any finding left out is ``None`` (not examined)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, Mapping):
            raise self.make_error("type")
        unknown = [k for k in value if k not in OTTAWA_KEYS]
        wrong = [
            k for k in OTTAWA_KEYS if k in value and not isinstance(value[k], (bool, type(None)))
        ]
        if unknown or wrong:
            raise ValidationError(
                [f"Ottawa findings: {k} is not a finding; use {', '.join(OTTAWA_KEYS)}."
                 for k in unknown]
                + [f"Ottawa findings: {k} must be true, false or null." for k in wrong]
            )
        return {k: value.get(k) for k in OTTAWA_KEYS}


_TEST_VALUES = tuple(c.value for c in TEST_RESULTS)
_TEST_LABELS = {t.key: t.label for t in SPECIAL_TESTS}
_LABELS = {spec.key: spec.label for spec in FIELDS}
NOT_TEXT = "the text holds a character that cannot be stored (a lone UTF-16 surrogate)."

_TestsSchema = Schema.from_dict(
    {t.key: fields.String(allow_none=True, validate=validate.OneOf(_TEST_VALUES),
                          metadata={"description": t.meaning, "title": t.label})
     for t in SPECIAL_TESTS},
    name="SpecialTests",
)


class _Tests(fields.Nested):
    """The special tests: ``positive``, ``negative`` or null; a test left out was not examined.

    A bad entry is reported under the test's own key (``thompson_test``), so the
    clinician sees which test was refused; the loaded value keeps only tests
    with a result, as absent and null both mean "not examined".
    """

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, Mapping):
            raise self.make_error("type")
        errors: dict[str, list[str]] = {}
        labels = _TEST_LABELS
        for key, result in value.items():
            if key not in TEST_KEYS:
                errors[str(key)[:64]] = [
                    f"Special tests: {str(key)[:64]} is not a test; use {', '.join(TEST_KEYS)}."
                ]
            elif result is not None and result not in _TEST_VALUES:
                errors[key] = [f"{labels[key]} must be positive, negative or null."]
        if errors:
            raise ValidationError(errors)
        return {k: value[k] for k in TEST_KEYS if value.get(k) is not None}


def build_field(spec: AnswerField) -> fields.Field:
    """The marshmallow field for one vocabulary entry."""
    common: dict[str, Any] = {
        "required": spec.required,
        "allow_none": not spec.required and spec.nullable,
        "metadata": {"description": spec.help or spec.label, "title": spec.label},
    }
    if spec.kind == "choice":
        msg = f"{spec.label} must be one of: {_one_of(spec)}."
        return fields.String(
            validate=validate.OneOf(spec.values, error=msg),
            error_messages=_messages(spec, msg),
            **common,
        )
    if spec.kind == "choices":
        msg = f"{spec.label} must be a list of: {_one_of(spec)}."
        low = 1 if spec.required else 0
        length_msg = (
            f"{spec.label} must list at least one of: {_one_of(spec)}."
            if spec.required
            else msg
        )
        return _ChoiceList(
            fields.String(validate=validate.OneOf(spec.values)),
            validate=validate.Length(min=low, max=spec.max_items, error=length_msg),
            error_messages=_messages(spec, msg),
            **common,
        )
    if spec.kind == "integer":
        msg = (
            f"{spec.label} must be a whole number from {spec.minimum:g} to {spec.maximum:g}."
        )
        return _StrictInteger(
            strict=True,
            validate=validate.Range(spec.minimum, spec.maximum, error=msg),
            error_messages=_messages(spec, msg),
            **common,
        )
    if spec.kind == "number":
        msg = f"{spec.label} must be a number from {spec.minimum:g} to {spec.maximum:g}."
        return _StrictNumber(
            validate=validate.Range(spec.minimum, spec.maximum, error=msg),
            error_messages=_messages(spec, msg),
            **common,
        )
    if spec.kind == "boolean":
        msg = f"{spec.label} must be true or false."
        return _StrictBoolean(error_messages=_messages(spec, msg), **common)
    if spec.kind == "date":
        common["metadata"]["pattern"] = DATE_PATTERN
        msg = (
            f"{spec.label} must be a real date from {DATE_RANGE[0].year} to "
            f"{DATE_RANGE[1].year}, written as YYYY-MM-DD."
        )
        return _IsoDate(error_messages=_messages(spec, msg), **common)
    if spec.kind == "text":
        msg = f"{spec.label} must be text of at most {spec.max_length} characters."
        return _PlainText(
            validate=_MaxLength(max=spec.max_length, error=msg),
            error_messages=_messages(spec, msg),
            **common,
        )
    if spec.kind == "ottawa":
        msg = f"{spec.label} must be an object of true, false or null findings."
        return _Ottawa(
            _OttawaSchema,
            error_messages={**_messages(spec, msg), "type": msg},
            **common,
        )
    if spec.kind == "tests":
        msg = f"{spec.label} must be an object of positive, negative or null results."
        return _Tests(
            _TestsSchema,
            error_messages={**_messages(spec, msg), "type": msg},
            **common,
        )
    raise ValueError(f"no marshmallow field for kind {spec.kind!r} ({spec.key})")


class _AnswersBase(Schema):
    """Answers in, as the contract names them; unknown keys are refused.

    ``assessment_date`` defaults to today here, at the edge, so that
    :func:`ankle_intake.assess` itself never reads the clock.
    """

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "Unknown field: it is not part of the intake.",
        "type": "The answers must be an object of intake fields.",
    }

    #: Outcome measures (contract 6), validated against their data; absent = not measured.
    measures = MeasuresField(required=False, allow_none=True)

    @pre_load
    def _require_mapping(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            raise ValidationError(self.error_messages["type"], field_name="_schema")
        errors: dict[str, list[str]] = {}
        for name in unencodable(data):
            key, _, inner = name.partition(".")
            if key == BODY_KEY:
                errors[key] = [BAD_KEY]
            elif key == "special_tests" and inner.split(".")[0] in TEST_KEYS:
                test = inner.split(".")[0]
                errors[test] = [f"{_TEST_LABELS[test]}: {NOT_TEXT}"]
            elif key in _LABELS:
                errors[key] = [f"{_LABELS[key]}: {NOT_TEXT}"]
            # an unknown key is refused as unknown below, without its value
        if errors:
            raise ValidationError(errors)
        return data

    @validates_schema(skip_on_field_errors=False)
    def _injury_not_after_assessment(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        injury = data.get("injury_date")
        assessed = data.get("assessment_date") or dt.date.today().isoformat()
        if injury and injury > assessed:
            raise ValidationError(
                "Injury date may not be after the assessment date.", field_name="injury_date"
            )

    @post_load
    def _normalise(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        answers = {k: v for k, v in data.items() if v is not None or k in KEEP_NULL}
        answers.setdefault("assessment_date", dt.date.today().isoformat())
        answers.setdefault("distance_unit", "km")
        return answers


# Imported here, below the strict fields it builds on (its labels re-exported for
# forms/__init__, which cannot import .followup before this module).
from .followup import LAST_WEEK_LABELS, LastWeekSchema  # noqa: E402, F401

#: A follow-up's account of the week since the last visit (contract 6); not a finding.
_LAST_WEEK = fields.Nested(
    LastWeekSchema, allow_none=True,
    metadata={"title": "Last week", "description": "At a follow-up visit: how the week "
              "since the last visit went (runs, minutes, distance, worst pain during a "
              "run, worse the next morning)."},
)

#: The load schema: one marshmallow field per vocabulary entry, in vocabulary order,
#: then the follow-up's ``last_week``.
AnswersSchema: type[Schema] = type(
    "AnswersSchema", (_AnswersBase,),
    {**{spec.key: build_field(spec) for spec in FIELDS}, "last_week": _LAST_WEEK},
)
