"""The HTML intake form, built field by field from the vocabulary.

The form only collects: it carries no WTForms validators and does not check
choices, because the marshmallow schema (:func:`ankle_intake.forms.load_answers`)
is the one authority on what is valid. :func:`form_to_raw` turns the posted
form into the same JSON-shaped answers the API takes, and the schema's errors,
keyed by answer key, map straight back onto the form fields of the same name.
Flask-WTF reads its config lazily, so this module imports before any app exists.
"""

from __future__ import annotations

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

from .vocabulary import FIELDS, OTTAWA_FINDINGS, AnswerField

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def _option(value: str, label: str) -> Any:
    return (value, label) if SelectChoice is None else SelectChoice(value, label)

#: Posted value of ``pain_running`` meaning "could not run" (stored as null).
COULD_NOT_RUN = "could_not_run"
NOT_RECORDED = ("", "Not recorded")
OTTAWA_CHOICES = (("", "Not examined"), ("yes", "Yes"), ("no", "No"))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; the browser sends every ticked value under one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _options(pairs: Any) -> list[Any]:
    return [_option(value, label) for value, label in pairs]


def widget_kind(spec: AnswerField) -> str:
    """How the template draws a field: radios, checkboxes, select, checkbox, input, ottawa."""
    if spec.kind == "choice":
        return "radios"
    if spec.kind == "choices":
        return "checkboxes"
    if spec.kind == "integer":
        return "select"
    if spec.kind == "boolean":
        return "checkbox"
    if spec.kind == "ottawa":
        return "ottawa"
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
    if spec.kind == "integer":
        low, high = int(spec.minimum or 0), int(spec.maximum or 10)
        first = ("", "Choose") if spec.required else NOT_RECORDED
        pairs = [first] + [(str(i), str(i)) for i in range(low, high + 1)]
        if spec.key == "pain_running":  # its null means "could not run"
            pairs.append((COULD_NOT_RUN, "Could not run"))
        return SelectField(label, choices=_options(pairs), default="", validate_choice=False)
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
    return field.id


def _number(text: str) -> Any:
    cleaned = text.strip().replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return text  # the schema names the field and says what it must be


def _integer(text: str) -> Any:
    return int(text) if text.strip().lstrip("-").isdigit() else text


def form_to_raw(form: FlaskForm) -> dict[str, Any]:
    """The posted form as JSON-shaped answers; empty entries are left out."""
    raw: dict[str, Any] = {}
    for spec in FIELDS:
        data = form[spec.key].data
        if spec.kind == "choices":
            if data:
                raw[spec.key] = list(data)
        elif spec.kind == "boolean":
            if data:
                raw[spec.key] = True
        elif spec.kind == "ottawa":
            findings = {k: v for k, v in (data or {}).items() if v}
            if findings:
                raw[spec.key] = {
                    k: {"yes": True, "no": False}.get(v, v) for k, v in findings.items()
                }
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
    "widget_kind",
]
