"""The review page's plan form: the clinician's plan to and from plain HTML fields.

The form works without JavaScript: the exercises are a table of rows
(``ex-<n>-id`` hidden, ``ex-<n>-sets`` ... ``ex-<n>-per``, ``ex-<n>-remove``)
and an "add exercise" select (``add``) whose choice joins the plan with the
library's usual dose when the form is saved. :func:`form_to_plan` turns the
posted fields into the raw plan that ``forms.plan.load_plan`` checks, and
:func:`place_errors` puts each of its errors (``exercises.0.sets``) beside the
input it names (``ex-3-sets``), since removed rows shift the plan's numbering.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm

from ..forms.plan import LEVELS, MAX_EXERCISES, RANK
from ..guidance import CONTENT
from ..guidance.dosing import dose_words
from ..i18n import N_, gettext
from ..store.review import LIBRARY

#: The posted plan's text fields (the exercises and the level are read on their own).
TEXT_FIELDS = ("override_reason", "patient_note", "record_note", "review_date")
DOSE_FIELDS = ("sets", "reps", "hold_seconds", "times", "per")
#: Rows read from one post at most: a plan holds five, a few removed ones beside them.
MAX_ROWS = 20
_ROW = re.compile(r"ex-(\d{1,2})-id")

#: Marked for the catalog; :func:`~ankle_intake.i18n.gettext` it where it is shown.
CSRF_MESSAGE = N_(
    "The form had expired or did not come from this page, so nothing was saved. "
    "Check the entries below and submit again."
)


class ReviewForm(FlaskForm):
    """CSRF only: the plan's fields are read from the posted form by :func:`form_to_plan`."""


def level_choices(suggested: str) -> list[dict[str, Any]]:
    """The four levels, most permissive first, each with the clinician's words."""
    return [{"value": level, "label": CONTENT.levels[level]["clinician_label"],
             "suggested": level == suggested, "rank": RANK[level]} for level in LEVELS]


def library_choices() -> list[dict[str, str]]:
    """Every exercise of the library for the "add exercise" select, by name."""
    return sorted(({"id": ex_id, "name": ex["name"]} for ex_id, ex in LIBRARY.items()),
                  key=lambda c: c["name"].lower())


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def plan_to_fields(plan: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows for a stored (or suggested) plan: every value as text."""
    rows = []
    for n, ex in enumerate(plan.get("exercises") or ()):
        rows.append({"n": n, "id": ex["id"], "remove": False,
                     **{key: _text(ex.get(key)) for key in DOSE_FIELDS}})
    return {"triage_level": plan.get("triage_level") or "",
            **{key: _text(plan.get(key)) for key in TEXT_FIELDS},
            "progression": _text(plan.get("progression")),
            "rows": rows, "add": "", "reason": ""}


def _number(text: str) -> Any:
    """A whole number from a text box; anything else as typed, for the schema to refuse."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 6 else text


def form_to_plan(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The raw plan, the fields to show again, and which input each plan exercise came from.

    The third value lists, per plan exercise in order, the prefix of its row's
    inputs (``ex-3``) or ``add`` for the one the select adds.
    """
    numbers = sorted({int(m.group(1)) for key in form if (m := _ROW.fullmatch(key))})
    rows, exercises, origin = [], [], []
    for n in numbers[:MAX_ROWS]:
        row = {"n": n, "id": form.get(f"ex-{n}-id", ""),
               "remove": form.get(f"ex-{n}-remove") == "1",
               **{key: form.get(f"ex-{n}-{key}", "") for key in DOSE_FIELDS}}
        rows.append(row)
        if row["remove"]:
            continue
        exercise = {"id": row["id"]}
        for key in DOSE_FIELDS[:4]:
            exercise[key] = _number(row[key])
        exercise["per"] = row["per"] or None
        exercises.append(exercise)
        origin.append(f"ex-{n}")
    added = form.get("add", "").strip()
    if added:
        dose = dict((LIBRARY.get(added) or {}).get("default_dose") or {})
        exercises.append({"id": added, **{key: dose.get(key) for key in DOSE_FIELDS}})
        origin.append("add")
    raw: dict[str, Any] = {"exercises": exercises}
    if form.get("triage_level"):
        raw["triage_level"] = form["triage_level"]
    for key in TEXT_FIELDS:
        value = form.get(key, "").strip()
        raw[key] = value or None
    if form.get("progression"):  # a follow-up's only: left out of a first visit's plan
        raw["progression"] = form["progression"]
    shown = {"triage_level": form.get("triage_level", ""),
             **{key: form.get(key, "") for key in TEXT_FIELDS},
             "progression": form.get("progression", ""),
             "rows": rows, "add": added, "reason": form.get("reason", "")}
    return raw, shown, origin


def place_errors(errors: Mapping[str, list[str]], origin: list[str],
                 rows: list[dict[str, Any]]) -> tuple[dict[str, list[str]], list[dict]]:
    """Errors keyed by the input they belong to, and the error summary's lines.

    ``exercises.1.sets`` becomes ``ex-3-sets`` (or ``add`` for the added one);
    an addendum's ``plan.<field>`` is placed as the plain field. Each summary
    line names the exercise it is about and links to the input.
    """
    placed: dict[str, list[str]] = {}
    summary: list[dict[str, Any]] = []
    names = {f"ex-{row['n']}": _name(row["id"]) for row in rows}
    for key, messages in errors.items():
        key = key.removeprefix("plan.")
        anchor: str | None
        prefix = ""
        parts = key.split(".")
        if parts[0] == "exercises" and len(parts) == 3 and parts[1].isdigit():
            source = origin[int(parts[1])] if int(parts[1]) < len(origin) else "add"
            if source == "add":
                target = anchor = "add"
            else:
                field = parts[2] if parts[2] in DOSE_FIELDS else "remove"
                target = f"{source}-{parts[2]}"
                anchor = f"{source}-{field}"
                prefix = f"{names.get(source) or gettext('Exercise')}: "
        elif key == "exercises":
            target = anchor = "add"
        elif key == "triage_level":
            target, anchor = key, "triage_level-0"
        elif key in (*TEXT_FIELDS, "reason", "progression"):
            target = anchor = key
        else:
            target, anchor = "_form", None
        placed.setdefault(target, []).extend(prefix + m for m in messages)
        summary.extend({"text": prefix + m, "href": anchor} for m in messages)
    return placed, summary


def _name(exercise_id: str) -> str:
    ex = LIBRARY.get(exercise_id)
    return ex["name"] if ex else gettext("Exercise")


def plan_view(plan: Mapping[str, Any]) -> dict[str, Any]:
    """A signed plan as the page shows it read-only: words, not ids."""
    level = plan.get("triage_level") or ""
    exercises = []
    for ex in plan.get("exercises") or ():
        library = LIBRARY.get(ex["id"]) or {"name": ex["id"], "dose": ""}
        exercises.append({"name": library["name"],
                          "dose": dose_words(ex, library.get("dose", ""))})
    return {"level": CONTENT.levels.get(level, {}).get("clinician_label", level),
            "override_reason": plan.get("override_reason"), "exercises": exercises,
            "patient_note": plan.get("patient_note") or "",
            "record_note": plan.get("record_note") or "",
            "review_date": plan.get("review_date"),
            "progression": plan.get("progression")}


def exercise_rows(shown: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The table's rows with each exercise's name and the library's usual dose."""
    out = []
    for row in shown["rows"]:
        ex = LIBRARY.get(row["id"]) or {}
        out.append({**row, "name": ex.get("name", row["id"]),
                    "usual": ex.get("dose", "")})
    return out


__all__ = ["MAX_EXERCISES", "ReviewForm", "form_to_plan", "place_errors", "plan_to_fields",
           "plan_view"]
