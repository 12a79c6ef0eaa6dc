"""The follow-up visit's form: the intake form pre-filled from the last visit, plus last week.

A follow-up records the examination again (contract 3 and 3b), so it is the
intake form itself; what it adds is the runner's account of last week. The
pre-fill is the reverse of :func:`~.intake_form.form_to_raw`, so what the last
visit recorded is what the clinician sees, and re-examines, today.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form, FormField, RadioField, SelectField, StringField
from wtforms.widgets import TextInput

from .followup import LAST_WEEK_LABELS
from .intake_form import (
    COULD_NOT_RUN,
    FINDING_CHOICES,
    NOT_RECORDED,
    IntakeForm,
    _integer,
    _number,
    _option,
    form_to_raw,
)
from .measures_form import MEASURES_KEY, MeasuresForm, measures_to_raw
from .vocabulary import EXAMINED_FINDINGS, FIELDS

_NUMERIC = {"inputmode": "decimal", "autocomplete": "off", "maxlength": 12}


class LastWeekForm(Form):
    """Last week's runs, as the runner tells them; every part may stay "not recorded"."""

    runs = StringField(LAST_WEEK_LABELS["runs"], widget=TextInput(),
                       render_kw={**_NUMERIC, "inputmode": "numeric"})
    minutes = StringField(LAST_WEEK_LABELS["minutes"], widget=TextInput(), render_kw=_NUMERIC)
    distance = StringField(LAST_WEEK_LABELS["distance"], widget=TextInput(),
                           render_kw=_NUMERIC)
    pain_during_max = SelectField(
        LAST_WEEK_LABELS["pain_during_max"],
        choices=[_option(*NOT_RECORDED)] + [_option(str(i), str(i)) for i in range(11)],
        default="", validate_choice=False)
    worse_next_morning = RadioField(
        LAST_WEEK_LABELS["worse_next_morning"],
        choices=[_option(v, label if v else NOT_RECORDED[1]) for v, label in FINDING_CHOICES],
        default="", validate_choice=False)


#: The intake page's form: the vocabulary's fields and the outcome measures.
IntakePageForm: type[IntakeForm] = type(
    "IntakePageForm", (IntakeForm,), {MEASURES_KEY: FormField(MeasuresForm, label="Measures")})
#: The follow-up's: the same, and the week since the last visit.
FollowUpForm: type[IntakeForm] = type(
    "FollowUpForm", (IntakePageForm,), {"last_week": FormField(LastWeekForm, label="Last week")})


def page_to_raw(form: Any) -> dict[str, Any]:
    """The posted intake page as JSON-shaped answers, measures included when any is answered."""
    raw = form_to_raw(form)
    measures = measures_to_raw(form)
    if measures:
        raw[MEASURES_KEY] = measures
    return raw


def followup_to_raw(form: Any) -> dict[str, Any]:
    """The posted follow-up as JSON-shaped answers, ``last_week`` included when any is given."""
    raw = page_to_raw(form)
    week: dict[str, Any] = {}
    data = form["last_week"].data or {}
    for key in ("runs", "pain_during_max"):
        if (data.get(key) or "").strip():
            week[key] = _integer(data[key])
    for key in ("minutes", "distance"):
        if (data.get(key) or "").strip():
            week[key] = _number(data[key])
    morning = data.get("worse_next_morning")
    if morning:
        week["worse_next_morning"] = {"yes": True, "no": False}.get(morning, morning)
    if week:
        raw["last_week"] = week
    return raw


def answers_to_formdata(answers: Mapping[str, Any]) -> MultiDict:
    """Stored answers as the posted form data that :func:`form_to_raw` would read back."""
    data: MultiDict = MultiDict()
    for spec in FIELDS:
        value = answers.get(spec.key)
        if spec.kind == "ottawa" or spec.kind == "tests":
            for key, result in (value or {}).items():
                if spec.kind == "ottawa":
                    result = "yes" if result is True else "no" if result is False else ""
                data.add(f"{spec.key}-{key}", result)
            continue
        if spec.key == "pain_running" and spec.key in answers and value is None:
            data.add(spec.key, COULD_NOT_RUN)
        elif value is None:
            continue
        elif spec.kind == "choices":
            for item in value:
                data.add(spec.key, item)
        elif spec.kind == "boolean" and spec.key in EXAMINED_FINDINGS:
            data.add(spec.key, "yes" if value else "no")
        elif spec.kind == "boolean":
            if value:
                data.add(spec.key, "y")
        elif isinstance(value, float) and value.is_integer():
            data.add(spec.key, str(int(value)))
        else:
            data.add(spec.key, str(value))
    return data
