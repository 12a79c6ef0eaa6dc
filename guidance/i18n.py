"""The handout's words in each handout language, checked at import.

English is the guidance content itself. Another language is one file,
``data/<language>.json``, holding by item id the translation of every text the
patient handout can print (:data:`PRINTED`), of every handout sentence, term
and label, of the answers the handout shows (:data:`PRINTED_CHOICES`) and of
the distance units. An item's source stays the English item's own.

The check runs at import: a text with no translation, or one whose
``{placeholders}`` differ, stops the application from starting with the file
and the item id in the message, so a handout never falls back to English
halfway down a page.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

from ..forms.vocabulary import BY_KEY
from .content import Content, load_content
from .dosing import dose_words
from .handout_content import HANDOUT, HandoutContent, Term, _placeholders
from .predicates import ContentError

LANGUAGES = ("en", "es")
#: Dates as the handout prints them: "2 December 2026", "2 de diciembre de 2026".
DATE_FORMATS = {"en": "d MMMM y", "es": "d 'de' MMMM 'de' y"}
#: The answers (vocabulary fields) the handout prints, which each language must label.
PRINTED_CHOICES = ("side",)
UNITS = ("km", "mi")


def printed_texts(content: Content) -> dict[str, dict[str, str | list[str]]]:
    """Item id -> field -> English text (or list of texts) for what the handout can print."""
    out: dict[str, dict[str, Any]] = {}
    for cond in content.conditions.values():
        out[cond["id"]] = {
            "name": cond["name"], "summary": cond["summary"],
            "signs": [sign["reason"] for sign in cond["signs"]],
            "healing": [heal["note"] for heal in cond["healing"]],
        }
    for flag in content.red_flags:
        out[flag["id"]] = {"name": flag["name"], "text": flag["text"]}
    for level in content.levels.values():
        out[level["id"]] = {"label": level["label"], "summary": level["summary"]}
    for item in content.ottawa.values():
        out[item["id"]] = {"advice": item["advice"]}
    texts = [*content.rice, content.rice_when, *content.criteria, *content.run_walk,
             *content.pain_rule, *content.week_sessions, content.weekly, *content.advice,
             *getattr(content, "progression", {}).values()]
    for item in texts:
        out[item["id"]] = {"text": item["text"]}
    for ex in content.exercises:
        out[ex["id"]] = {"name": ex["name"], "dose": ex["dose"], "steps": list(ex["steps"]),
                         "stop_if": ex["stop_if"]}
    return out


def _fail(file: str, ident: str, problem: str) -> ContentError:
    return ContentError(f"guidance/data/{file}: item {ident!r} {problem}")


def _same_text(file: str, ident: str, english: Any, translated: Any) -> None:
    """``translated`` has the shape of ``english`` and the same placeholders in each text."""
    if isinstance(english, list):
        if not isinstance(translated, list) or len(translated) != len(english):
            raise _fail(file, ident, f"needs a list of {len(english)} texts")
        for one, other in zip(english, translated, strict=True):
            _same_text(file, ident, one, other)
        return
    if not isinstance(translated, str) or not translated.strip():
        raise _fail(file, ident, "has no translation")
    if _placeholders(translated) != _placeholders(english):
        raise _fail(file, ident, f"must use exactly {sorted(_placeholders(english))} "
                                 "as placeholders")


def _check_table(file: str, english: Mapping[str, Any], translated: Any, what: str) -> None:
    if not isinstance(translated, Mapping):
        raise ContentError(f"guidance/data/{file}: {what} must be an object")
    for ident, text in english.items():
        if ident not in translated:
            raise _fail(file, ident, f"has no translation ({what})")
        _same_text(file, ident, text, translated[ident])
    stale = sorted(set(translated) - set(english))
    if stale:
        raise ContentError(f"guidance/data/{file}: {what} translates unknown items {stale}")


def check_translation(raw: Any, content: Content, handout: HandoutContent, file: str) -> None:
    """Raise :class:`ContentError` naming the item when ``raw`` misses or breaks a text."""
    if not isinstance(raw, Mapping):
        raise ContentError(f"guidance/data/{file}: must be an object")
    wanted = printed_texts(content)
    given = raw.get("content")
    if not isinstance(given, Mapping):
        raise ContentError(f"guidance/data/{file}: 'content' must be an object")
    for ident, english in wanted.items():
        fields = given.get(ident)
        if not isinstance(fields, Mapping):
            raise _fail(file, ident, "has no translation")
        for name, text in english.items():
            if name not in fields:
                raise _fail(file, ident, f"has no translation of {name!r}")
            _same_text(file, ident, text, fields[name])
    stale = sorted(set(given) - set(wanted))
    if stale:
        raise ContentError(f"guidance/data/{file}: content translates unknown items {stale}")
    words = raw.get("handout")
    if not isinstance(words, Mapping):
        raise ContentError(f"guidance/data/{file}: 'handout' must be an object")
    _check_table(file, {k: v["text"] for k, v in handout.items.items()}, words.get("items"),
                 "handout items")
    _check_table(file, handout.labels, words.get("labels"), "handout labels")
    terms = words.get("terms")
    if not isinstance(terms, Mapping) or not all(isinstance(t, Mapping) for t in terms.values()):
        raise ContentError(f"guidance/data/{file}: handout terms must be objects")
    _check_table(file, {t.id: t.text for t in handout.terms},
                 {k: v.get("text") for k, v in terms.items()}, "handout terms")
    for ident, term in terms.items():
        match = term.get("match")
        if not isinstance(match, list) or not match or not all(
                isinstance(m, str) and len(m) >= 3 for m in match):
            raise _fail(file, ident, "needs 'match': word stems of 3 letters or more")
    for name in PRINTED_CHOICES:
        values = {choice.value: choice.label for choice in BY_KEY[name].choices}
        _check_table(file, values, (raw.get("choices") or {}).get(name), f"choices of {name!r}")
    _check_table(file, {unit: unit for unit in UNITS}, raw.get("units"), "units")


def _check_pictures(language: str) -> None:
    """Each exercise picture's alt text and panel captions exist in ``language``."""
    from .pictures import PICTURES

    for ident, picture in PICTURES.items():
        if not picture.alt.get(language):
            raise _fail("pictures.json", ident, f"has no {language!r} alt text")
        for panel in picture.panels:
            if not picture.panel_labels[panel].get(language):
                raise _fail("pictures.json", ident, f"has no {language!r} caption for {panel!r}")


def _read(language: str) -> Any:
    file = f"{language}.json"
    text = resources.files(__package__).joinpath("data", file).read_text(encoding="utf-8")
    return json.loads(text)


def _terms(raw: Mapping[str, Any], english: Sequence[Term]) -> tuple[Term, ...]:
    out = []
    for term in english:
        given = raw[term.id]
        pattern = re.compile("|".join(r"\b" + re.escape(stem) for stem in given["match"]),
                             re.IGNORECASE)
        out.append(Term(term.id, given["text"], pattern, term.defined_by))
    return tuple(out)


@cache
def _translation(language: str) -> tuple[HandoutContent, dict[str, dict[str, Any]],
                                          dict[str, str]]:
    """The checked handout content, item texts and units of one language but English."""
    if language not in LANGUAGES or language == "en":
        raise ValueError(f"handout language must be one of {LANGUAGES}, not {language!r}")
    raw = _read(language)
    check_translation(raw, load_content(), HANDOUT, f"{language}.json")
    _check_pictures(language)
    words = raw["handout"]
    items = {ident: {**item, "text": words["items"][ident]}
             for ident, item in HANDOUT.items.items()}
    handout = replace(HANDOUT, items=items, terms=_terms(words["terms"], HANDOUT.terms),
                      labels=dict(words["labels"]), language=language,
                      choices={k: dict(v) for k, v in raw["choices"].items()})
    return handout, dict(raw["content"]), dict(raw["units"])


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"handout language must be one of {LANGUAGES}, not {language!r}")


def handout_content(language: str) -> HandoutContent:
    """The handout's own sentences, terms and labels in ``language``."""
    _check_language(language)
    return HANDOUT if language == "en" else _translation(language)[0]


def format_date(value: dt.date | str, language: str) -> str:
    """A date as the handout prints it in ``language``, with the month in words."""
    _check_language(language)
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return babel_format_date(day, DATE_FORMATS[language], locale=language)


def format_number(value: float, language: str) -> str:
    """A distance as the handout prints it: "2.5" in English, "2,5" in Spanish."""
    _check_language(language)
    if language == "en":
        return f"{value:g}"
    return format_decimal(value, format="#,##0.###", locale=language)


def _swap(english: str, table: Mapping[str, str], where: str) -> str:
    """The translation of a text the assessment carries without its item id."""
    try:
        return table[english]
    except KeyError:
        raise ContentError(f"no translation for a text of {where}: {english!r}") from None


def localized(assessment: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A copy of ``assessment`` (or of a planned one) with every printed text in ``language``.

    Texts are found by the item ids the assessment carries (condition, red flag,
    level, exercise, advice, check ids); a list the engine copies whole from one
    content list (RICE steps, run-walk steps, pain rule, week sessions) is matched
    to that list's items. The clinician's texts are left as they are.
    """
    _check_language(language)
    out = copy.deepcopy(dict(assessment))
    if language == "en":
        return out
    words, tr, units = _translation(language)
    content = load_content()

    def by_text(items: Sequence[Mapping[str, Any]], field: str = "text") -> dict[str, str]:
        return {item[field]: tr[item["id"]][field] for item in items}

    triage = out["triage"]
    level = tr[triage["level"]]
    triage["label"] = level["label"]
    triage["summary"] = _swap(triage["summary"], {
        content.levels[triage["level"]]["summary"]: level["summary"],
        HANDOUT.text("clinician_referral"): words.text("clinician_referral"),
    }, "triage")
    for cond in out["conditions"]:
        english, given = content.conditions[cond["id"]], tr[cond["id"]]
        cond["name"], cond["summary"] = given["name"], given["summary"]
        reasons = dict(zip([s["reason"] for s in english["signs"]], given["signs"], strict=True))
        cond["reasons"] = [_swap(r, reasons, cond["id"]) for r in cond["reasons"]]
        notes = dict(zip([h["note"] for h in english["healing"]], given["healing"], strict=True))
        cond["healing"] = {**cond["healing"],
                           "note": _swap(cond["healing"]["note"], notes, cond["id"])}
    if out.get("healing"):
        first = content.conditions[out["conditions"][0]["id"]] if out["conditions"] else None
        if first is not None:
            notes = dict(zip([h["note"] for h in first["healing"]], tr[first["id"]]["healing"],
                             strict=True))
            out["healing"] = {**out["healing"],
                              "note": _swap(out["healing"]["note"], notes, "healing")}
    flags = by_text(content.red_flags)
    for flag in out["red_flags"]:
        flag["name"], flag["text"] = tr[flag["id"]]["name"], tr[flag["id"]]["text"]
    if out.get("referral"):
        referral = out["referral"] = dict(out["referral"])
        referral["patient_text"] = [_swap(t, flags, "referral") for t in referral["patient_text"]]
    imaging = out.get("imaging")
    if imaging:
        imaging["advice"] = tr[content.ottawa[imaging["ottawa"]]["id"]]["advice"]
    if out.get("rice"):
        out["rice"] = {"when": tr[content.rice_when["id"]]["text"],
                       "steps": [_swap(s, by_text(content.rice), "rice")
                                 for s in out["rice"]["steps"]]}
    for item in out["advice"]:
        item["text"] = tr[item["id"]]["text"]
    for ex in out["exercises"]:
        given = tr[ex["id"]]
        ex["name"], ex["stop_if"] = given["name"], given["stop_if"]
        ex["steps"] = list(given["steps"])
        if "how" in ex:
            ex["how"] = " ".join(given["steps"])
        planned = ex.get("planned_dose")
        ex["dose"] = dose_words(planned, given["dose"], words) if planned else given["dose"]
    _localize_return(out["return_to_run"], content, tr, units, by_text)
    return out


def _localize_return(plan: dict[str, Any], content: Content, tr: Mapping[str, Any],
                     units: Mapping[str, str], by_text: Any) -> None:
    plan["criteria"] = [_swap(t, by_text(content.criteria), "criteria") for t in plan["criteria"]]
    plan["run_walk"] = [_swap(t, by_text(content.run_walk), "run_walk") for t in plan["run_walk"]]
    plan["pain_rule"] = [_swap(t, by_text(content.pain_rule), "pain_rule")
                         for t in plan["pain_rule"]]
    plan["weekly_rule"] = tr[content.weekly["id"]]["text"]
    for check in plan.get("checks", ()):
        check["text"] = tr[check["id"]]["text"]
    for reason in plan.get("progression_reasons") or ():
        reason["patient"] = tr[reason["id"]]["text"]
    sessions = by_text(content.week_sessions)
    for week in plan.get("weeks", ()):
        week["sessions"] = _swap(week["sessions"], sessions, "weeks")
        week["unit"] = units[week["unit"]]


def check_all() -> None:
    """Load and check every language now (at import), so a gap stops start-up."""
    for language in LANGUAGES:
        if language != "en":
            _translation(language)


check_all()

__all__ = ["LANGUAGES", "check_translation", "format_date", "format_number", "handout_content",
           "localized", "printed_texts"]
