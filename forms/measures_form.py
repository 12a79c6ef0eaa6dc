"""The outcome measures on the intake and follow-up forms: one select per item, from the data.

Each item's options are the scores printed on the published form, in the
form's order, so what the clinician picks is the answer the scorer reads. A
measure left untouched is not recorded; one partly answered is sent with its
gaps as null, and the schema names each missing item (``measures.cait[3]``).
"""

from __future__ import annotations

from typing import Any

from wtforms import Form, FormField, SelectField

from ..guidance.measures import MEASURES
from .intake_form import _option
from .measures import measure, measure_items

#: The field name of the measures' part of the form.
MEASURES_KEY = "measures"
#: An item not answered (FAAM's own "not applicable" is one of its options).
UNANSWERED = ("", "Not answered")


def _item_field(measure_id: str, item: dict[str, Any]) -> SelectField:
    choices = [_option(*UNANSWERED)] + [
        _option("na" if o["score"] is None else str(o["score"]), o["label"])
        for o in item["options"]]
    return SelectField(f"{item['n']}. {item['text']}", choices=choices, default="",
                       validate_choice=False)


def _measure_form(measure_id: str) -> type[Form]:
    return type(f"{measure_id.title()}Form", (Form,), {
        f"item_{item['n']}": _item_field(measure_id, item) for item in measure_items(measure_id)
    })


#: One sub-form per measure the licences allow, in the data's order.
MeasuresForm: type[Form] = type("MeasuresForm", (Form,), {
    measure_id: FormField(_measure_form(measure_id), label=measure(measure_id)["name"])
    for measure_id in MEASURES
})


def measures_to_raw(form: Any) -> dict[str, list[Any]] | None:
    """The posted measures as contract answers: only those with an item answered."""
    out: dict[str, list[Any]] = {}
    data = form[MEASURES_KEY].data or {}
    for measure_id in MEASURES:
        items = measure_items(measure_id)
        posted = data.get(measure_id) or {}
        values = [posted.get(f"item_{item['n']}") or "" for item in items]
        if not any(values):
            continue
        out[measure_id] = [None if v in ("", "na") else _score(v) for v in values]
    return out or None


def _score(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        return value  # the schema names the item and says what it must be


def measure_sections(form: Any, offered: list[str] | None = None) -> list[dict[str, Any]]:
    """What the template draws per measure: its fields, open when offered or answered."""
    sections = []
    for measure_id in MEASURES:
        sub = form[MEASURES_KEY][measure_id]
        answered = sum(1 for f in sub if f.data)
        spec = measure(measure_id)
        sections.append({"id": measure_id, "name": spec["name"],
                         "title": spec.get("title") or spec["name"], "form": sub,
                         "answered": answered, "items": len(list(sub)),
                         "open": answered > 0, "offered": measure_id in (offered or [])})
    return sections
