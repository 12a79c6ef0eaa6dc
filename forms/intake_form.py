"""The HTML intake form, built field by field from the vocabulary.

The form only collects: it carries no WTForms validators and does not check
choices, because the marshmallow schema (:func:`ankle_intake.forms.load_answers`)
is the one authority on what is valid. :func:`form_to_raw` turns the posted
form into the same JSON-shaped answers the API takes, and the schema's errors,
keyed by answer key, map straight back onto the form fields of the same name.
Flask-WTF reads its config lazily, so this module imports before any app exists.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.widgets import CheckboxInput, DateInput, ListWidget, TextInput

from .vocabulary import (
    EXAMINED_FINDINGS,
    FIELDS,
    N_,
    OTTAWA_FINDINGS,
    SPECIAL_TESTS,
    TEST_RESULTS,
    AnswerField,
)

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def _option(value: str, label: str) -> Any:
    return (value, label) if SelectChoice is None else SelectChoice(value, label)

#: Posted value of ``pain_running`` meaning "could not run" (stored as null).
COULD_NOT_RUN = "could_not_run"
NOT_RECORDED = ("", N_("Not recorded"))
#: Three answers for a finding: "no" and "not examined" are never the same. The
#: default comes last, so one arrow key from it reaches either answer.
FINDING_CHOICES = (("yes", N_("Yes")), ("no", N_("No")), ("", N_("Not examined")))
OTTAWA_CHOICES = FINDING_CHOICES
TEST_CHOICES = tuple((c.value, c.label) for c in TEST_RESULTS) + (("", N_("Not examined")),)
#: Integers with more values than this are typed, not picked from a select.
SELECT_MAX_OPTIONS = 12
#: A whole number as a person types it: ASCII digits only (``str.isdigit`` takes
#: "²" and "٣"), at most nine of them, so ``int()`` can neither fail nor grow large.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,9}")
_FINDING_VALUES = {"yes": True, "no": False}


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; the browser sends every ticked value under one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _options(pairs: Any) -> list[Any]:
    return [_option(value, label) for value, label in pairs]


def typed_integer(spec: AnswerField) -> bool:
    """True for a whole number with a wide range (age, heel raises): a text box, not a select."""
    low, high = int(spec.minimum or 0), int(spec.maximum or 10)
    return spec.kind == "integer" and high - low + 1 > SELECT_MAX_OPTIONS


def widget_kind(spec: AnswerField) -> str:
    """How the template draws a field.

    One of radios, checkboxes, select, checkbox, input, ottawa, tests; an
    examined finding (``EXAMINED_FINDINGS``) is radios: Yes / No / Not examined.
    """
    if spec.kind == "choice" or (spec.kind == "boolean" and spec.key in EXAMINED_FINDINGS):
        return "radios"
    if spec.kind == "choices":
        return "checkboxes"
    if spec.kind == "integer":
        return "input" if typed_integer(spec) else "select"
    if spec.kind == "boolean":
        return "checkbox"
    if spec.kind in ("ottawa", "tests"):
        return spec.kind
    return "input"


def _field(spec: AnswerField) -> Field:
    label = spec.label
    if spec.kind == "choice":
        pairs = [(c.value, c.label) for c in spec.choices]
        default = None
        if not spec.required and spec.nullable:
            pairs.insert(0, NOT_RECORDED)
            default = ""
        elif not spec.required:
            default = pairs[0][0]
        return RadioField(label, choices=_options(pairs), default=default, validate_choice=False)
    if spec.kind == "choices":
        pairs = [(c.value, c.label) for c in spec.choices]
        return MultiCheckboxField(label, choices=_options(pairs), validate_choice=False)
    if typed_integer(spec):
        return StringField(label, widget=TextInput(), render_kw={
            "inputmode": "numeric", "autocomplete": "off", "spellcheck": "false",
            "maxlength": 12,
        })
    if spec.kind == "integer":
        low, high = int(spec.minimum or 0), int(spec.maximum or 10)
        first = ("", N_("Choose")) if spec.required else NOT_RECORDED
        pairs = [first] + [(str(i), str(i)) for i in range(low, high + 1)]
        if spec.key == "pain_running":  # its null means "could not run"
            pairs.append((COULD_NOT_RUN, N_("Could not run")))
        return SelectField(label, choices=_options(pairs), default="", validate_choice=False)
    if spec.kind == "boolean" and spec.key in EXAMINED_FINDINGS:
        return RadioField(label, choices=_options(FINDING_CHOICES), default="",
                          validate_choice=False)
    if spec.kind == "boolean":
        return BooleanField(label)
    if spec.kind == "date":
        return StringField(label, widget=DateInput())
    if spec.kind == "number":
        return StringField(label, widget=TextInput(), render_kw={"inputmode": "decimal"})
    if spec.kind == "text":
        return StringField(label, render_kw={"maxlength": spec.max_length, "autocomplete": "off"})
    if spec.kind == "ottawa":
        return FormField(OttawaForm, label=label)
    if spec.kind == "tests":
        return FormField(TestsForm, label=label)
    raise ValueError(f"no form field for kind {spec.kind!r} ({spec.key})")


OttawaForm: type[Form] = type(
    "OttawaForm",
    (Form,),
    {
        f.key: RadioField(f.label, choices=_options(OTTAWA_CHOICES), default="",
                          validate_choice=False)
        for f in OTTAWA_FINDINGS
    },
)

TestsForm: type[Form] = type(
    "TestsForm",
    (Form,),
    {
        t.key: RadioField(t.label, choices=_options(TEST_CHOICES), default="",
                          validate_choice=False)
        for t in SPECIAL_TESTS
    },
)

#: The hidden field carrying a token drawn afresh each time the form is drawn:
#: posting the same page twice stores one intake (``idempotency.form_claim``).
SUBMISSION_KEY = "submission_key"

#: The intake form: one field per vocabulary entry, named by its answer key.
IntakeForm: type[FlaskForm] = type(
    "IntakeForm", (FlaskForm,), {
        **{spec.key: _field(spec) for spec in FIELDS},
        SUBMISSION_KEY: HiddenField(default=lambda: str(uuid.uuid4())),
    }
)


def first_input_id(form: FlaskForm, spec: AnswerField) -> str:
    """The id an error summary links to: the field itself or its first option."""
    field = form[spec.key]
    kind = widget_kind(spec)
    if kind in ("radios", "checkboxes"):
        return f"{field.id}-0"
    if kind == "ottawa":
        return f"{field.id}-{OTTAWA_FINDINGS[0].key}-0"
    if kind == "tests":
        return f"{field.id}-{SPECIAL_TESTS[0].key}-0"
    return field.id


def special_test_input_id(form: FlaskForm, test_key: str) -> str:
    """The id of a special test's first option (its errors are keyed by the test)."""
    return f"{form['special_tests'].id}-{test_key}-0"


def rank_tests(onset: str | None, locations: list[str]) -> tuple[list[Any], list[Any]]:
    """The special tests split into those that fit the answers so far and the others.

    A test fits when it matches one of the chosen pain locations and the chosen
    onset (an answer not given yet rules nothing out); before either is given
    every test fits, as nothing says which apply. The others keep the order of
    how much they match (a location before an onset alone), then the vocabulary's.
    ``ankle_intake.js`` applies the same rule in the page as the answers change.
    """
    chosen = set(locations)
    if not onset and not chosen:
        return list(SPECIAL_TESTS), []

    def at(test: Any) -> bool:
        return not chosen or bool(chosen & set(test.locations))

    def when(test: Any) -> bool:
        return not onset or onset in test.onsets

    fitting = [t for t in SPECIAL_TESTS if at(t) and when(t)]
    others = sorted((t for t in SPECIAL_TESTS if t not in fitting),
                    key=lambda t: (not at(t), not when(t)))
    return fitting, others


def has_answer(form: FlaskForm, spec: AnswerField) -> bool:
    """True when the posted form records something for ``spec`` beyond its default."""
    field = form[spec.key]
    data = field.data
    if spec.kind in ("ottawa", "tests"):
        return any(v for v in (data or {}).values())
    if spec.kind == "choice" and not spec.nullable:
        return bool(data) and data != field.default
    if isinstance(data, str):
        return bool(data.strip())
    return bool(data)


def _number(text: str) -> Any:
    cleaned = text.strip().replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return text  # the schema names the field and says what it must be


def _integer(text: str) -> Any:
    """An int for an ASCII whole number; any other text as it is, for the schema to refuse."""
    cleaned = text.strip()
    return int(cleaned) if _WHOLE_NUMBER.fullmatch(cleaned) else text


def _finding(value: Any) -> Any:
    """yes -> True, no -> False; anything else goes on as posted, for the schema to refuse."""
    return _FINDING_VALUES.get(value, value)


def form_to_raw(form: FlaskForm) -> dict[str, Any]:
    """The posted form as JSON-shaped answers; empty entries are left out."""
    raw: dict[str, Any] = {}
    for spec in FIELDS:
        data = form[spec.key].data
        if spec.kind == "choices":
            if data:
                raw[spec.key] = list(data)
        elif spec.kind == "boolean" and spec.key in EXAMINED_FINDINGS:
            if data:  # "" is "not examined": left out, never False
                raw[spec.key] = _finding(data)
        elif spec.kind == "boolean":
            if data:
                raw[spec.key] = True
        elif spec.kind == "ottawa":
            findings = {k: v for k, v in (data or {}).items() if v}
            if findings:
                raw[spec.key] = {k: _finding(v) for k, v in findings.items()}
        elif spec.kind == "tests":
            results = {k: v for k, v in (data or {}).items() if v}
            if results:
                raw[spec.key] = results
        elif data is None or (isinstance(data, str) and not data.strip()):
            continue
        elif spec.kind == "integer":
            raw[spec.key] = None if data == COULD_NOT_RUN else _integer(data)
        elif spec.kind == "number":
            raw[spec.key] = _number(data)
        else:
            raw[spec.key] = data
    return raw


__all__ = [
    "COULD_NOT_RUN", "SUBMISSION_KEY", "IntakeForm", "first_input_id", "form_to_raw",
    "has_answer", "rank_tests", "special_test_input_id", "typed_integer", "widget_kind",
]
