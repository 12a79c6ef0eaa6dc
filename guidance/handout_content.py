"""Loads and checks ``data/handout.json``: the sentences only the printed handout uses.

The handout needs words the assessment does not carry (section headings, the
"Get help the same day if" list, the referral note, the footer disclaimer,
explanations of medical terms). They live in data like all other guidance,
each sentence with its source, and are checked at import exactly as
:mod:`.content` checks its files: a broken or missing item stops the
application from starting, with the item's id in the message.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..forms.vocabulary import BY_KEY
from .content import LOADS, TextItemSchema, load_content
from .predicates import ContentError

FILE = "handout.json"

#: Every item id the handout renderer asks for, with the placeholders its text must hold.
REQUIRED_ITEMS: dict[str, frozenset[str]] = {
    **{name: frozenset() for name in (
        "title", "heading_now", "heading_arranged", "arranged_emergency", "arranged_same_day",
        "arranged_within_1_working_day", "arranged_routine", "heading_get_help",
        "get_help_worse", "get_help_limp", "get_help_swelling", "get_help_walk",
        "get_help_nerve", "get_help_weight", "heading_conditions", "no_condition",
        "heading_rice", "rice_intro", "heading_advice", "heading_exercises",
        "exercises_intro", "heading_on_hold", "on_hold_text", "referral_title",
        "referral_intro", "referral_flags", "clinician_referral", "referral_conditions",
        "referral_imaging",
        "referral_ask", "heading_return", "return_lead_wait", "return_lead_referral",
        "return_lead_check",
        "heading_run_walk", "heading_weeks", "weeks_after_run_walk", "heading_pain_rule",
        "pain_rule_intro",
        "heading_prevention", "prevention_calves", "prevention_peroneals", "prevention_feet",
        "prevention_balance", "prevention_shoes", "heading_log", "log_intro", "disclaimer",
        "draft_notice", "heading_patient_note",
    )},
    "heading_progress": frozenset(), "progress_intro": frozenset(), "video_intro": frozenset(),
    "earliest_return": frozenset({"date"}),
    "call_us": frozenset({"phone"}),
    "progress_pain_run": frozenset({"first", "last"}),
    "progress_pain_now": frozenset({"first", "last"}),
    "progress_distance": frozenset({"done", "planned"}),
}

#: Every label the renderer asks for, with the placeholders it must hold.
REQUIRED_LABELS: dict[str, frozenset[str]] = {
    **{name: frozenset() for name in (
        "clinic_fallback", "name", "date", "side", "clinician", "injury_date", "pain_now",
        "blank", "likely", "possible", "dose", "word_help", "week", "week_after_run_walk",
        "starts", "distance",
        "sessions", "day", "pain", "months", "pdf_title", "next_appointment",
        "clinic_phone", "clinic_address", "draft_mark", "often_day_1", "often_day_2",
        "often_week_1", "grid_sets", "grid_reps", "grid_hold", "grid_often", "grid_amount",
        "video_qr_alt", "run", "visit", "progress_pain_now", "progress_pain_run",
        "progress_chart_pain",
        "unit_points", "unit_percent", "not_recorded",
    )},
    "grid_hold_value": frozenset({"hold"}),
    "day_month": frozenset({"day", "month"}),
    "table_scroll": frozenset({"first"}),
    "progress_measure": frozenset({"measure", "unit"}),
    "progress_planned": frozenset({"unit"}),
    "progress_done": frozenset({"unit"}),
    "progress_chart_distance": frozenset({"unit"}),
    "dose_sets": frozenset({"sets", "reps"}),
    "dose_reps": frozenset({"reps"}),
    "dose_hold": frozenset({"hold", "reps"}),
    "dose_hold_once": frozenset({"hold"}),
    "dose_sets_hold": frozenset({"sets", "reps", "hold"}),
    "dose_join": frozenset({"amount", "often"}),
    "often_day_n": frozenset({"times"}),
    "often_week_n": frozenset({"times"}),
    "distance_range": frozenset({"low", "high", "unit"}),
    "distance_one": frozenset({"low", "unit"}),
    "exercise_n": frozenset({"n"}),
    "page": frozenset({"page", "pages"}),
    "version": frozenset({"version"}),
}


class TermSchema(TextItemSchema):
    """A word to explain the first time it is printed.

    ``match`` holds the word stems that count as a use (case-insensitive, at a
    word start); ``defined_by`` names the items whose own text already explains
    the word, so printing one of them counts as the explanation.
    """

    match = fields.List(fields.String(validate=validate.Length(min=3)), required=True,
                        validate=validate.Length(min=1))
    defined_by = fields.List(fields.String(), required=True)


class PreventionSchema(TextItemSchema):
    """A stay-injury-free tip.

    ``covers`` names the exercises the tip repeats: it is left out when one of
    them is in the programme, so an exercise appears once, with one dose.
    ``loads`` names the kinds of load it asks for: it is left out while a red
    flag or the acute phase holds one of them.
    """

    covers = fields.List(fields.String(), required=True)
    loads = fields.List(fields.String(validate=validate.OneOf(LOADS)), required=True)


class _HandoutFileSchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.Equal("handout"))
    note = fields.String()
    items = fields.List(fields.Dict(), required=True)
    prevention = fields.List(fields.Dict(), required=True)
    terms = fields.List(fields.Dict(), required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


@dataclass(frozen=True)
class Term:
    id: str
    text: str
    pattern: re.Pattern[str]
    defined_by: frozenset[str]


@dataclass(frozen=True)
class Tip:
    id: str
    covers: frozenset[str]
    loads: frozenset[str]


@dataclass(frozen=True)
class HandoutContent:
    """The handout's own sentences (``items``, the tips' among them), word explanations,
    the stay-injury-free tips in print order, and UI labels."""

    items: dict[str, dict]
    terms: tuple[Term, ...]
    labels: dict[str, str]
    prevention: tuple[Tip, ...] = ()
    #: The language the words are in (``ankle_intake.guidance.i18n.LANGUAGES``).
    language: str = "en"
    #: Answer labels per field and value, in ``language``; English uses the vocabulary's.
    choices: dict[str, dict[str, str]] = field(default_factory=dict)

    def text(self, item_id: str, **values: Any) -> str:
        """An item's sentence, with ``{placeholders}`` filled in."""
        text = self.items[item_id]["text"]
        return text.format(**values) if values else text

    def label(self, name: str, **values: Any) -> str:
        text = self.labels[name]
        return text.format(**values) if values else text

    def choice(self, name: str, value: str) -> str:
        """An answer as the handout prints it ("Right"), in the handout's language."""
        if self.language == "en":
            return BY_KEY[name].label_for(value)
        return self.choices[name][value]


def _fail(ident: str, problem: Any) -> ContentError:
    return ContentError(f"guidance/data/{FILE}: item {ident!r} is invalid: {problem}")


def _placeholders(text: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def _load_one(schema: Schema, raw: Any) -> dict:
    try:
        return schema.load(raw)
    except ValidationError as exc:
        ident = raw.get("id", "?") if isinstance(raw, dict) else "?"
        raise _fail(ident, exc.messages) from None


def _term_pattern(stems: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(r"\b" + re.escape(stem) for stem in stems), re.IGNORECASE)


def parse_handout(raw: Any) -> HandoutContent:
    """Check the raw file content and build :class:`HandoutContent`; raises ContentError."""
    try:
        data = _HandoutFileSchema().load(raw)
    except ValidationError as exc:
        raise ContentError(f"guidance/data/{FILE}: {exc.messages}") from None
    tips = [_load_one(PreventionSchema(), item) for item in data["prevention"]]
    items = [_load_one(TextItemSchema(), item) for item in data["items"]]
    items += [{k: v for k, v in tip.items() if k not in ("covers", "loads")} for tip in tips]
    terms = [_load_one(TermSchema(), item) for item in data["terms"]]

    content = load_content()
    known = {item["id"] for item in content.items()}
    exercise_ids = {ex["id"] for ex in content.exercises}
    for tip in tips:
        unknown = set(tip["covers"]) - exercise_ids
        if unknown:
            raise _fail(tip["id"], f"covers names unknown exercises {sorted(unknown)}")
    seen: set[str] = set()
    for item in items + terms:
        if item["id"] in seen or item["id"] in known:
            raise ContentError(f"guidance/data/{FILE}: id {item['id']!r} is used twice")
        seen.add(item["id"])
    by_id = {item["id"]: item for item in items}
    for wanted, table, what in ((REQUIRED_ITEMS, by_id, "item"),
                                (REQUIRED_LABELS, data["labels"], "label")):
        for name, holes in wanted.items():
            if name not in table:
                raise ContentError(f"guidance/data/{FILE}: {what} {name!r} is missing")
            text = table[name]["text"] if what == "item" else table[name]
            if _placeholders(text) != holes:
                raise ContentError(
                    f"guidance/data/{FILE}: {what} {name!r} must use exactly "
                    f"{sorted(holes)} as placeholders"
                )
    for term in terms:
        unknown = set(term["defined_by"]) - known - seen
        if unknown:
            raise _fail(term["id"], f"defined_by names unknown ids {sorted(unknown)}")
    return HandoutContent(
        items=by_id,
        terms=tuple(
            Term(t["id"], t["text"], _term_pattern(t["match"]), frozenset(t["defined_by"]))
            for t in terms
        ),
        labels=dict(data["labels"]),
        prevention=tuple(Tip(t["id"], frozenset(t["covers"]), frozenset(t["loads"])) for t in tips),
    )


def _read() -> Any:
    text = resources.files(__package__).joinpath("data", FILE).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def load_handout_content() -> HandoutContent:
    """The handout content, read and checked once per process."""
    return parse_handout(_read())


HANDOUT: HandoutContent = load_handout_content()

__all__ = [
    "HANDOUT",
    "HandoutContent",
    "REQUIRED_ITEMS",
    "REQUIRED_LABELS",
    "PreventionSchema",
    "Term",
    "TermSchema",
    "Tip",
    "load_handout_content",
    "parse_handout",
]
