"""The worklist: stored intakes newest first, filtered, one page at a time.

The filter form and the page buttons post their values, so a patient
reference never lands in a URL, and with it in an access log or a browser's
history; an unfiltered list (or one filtered by status, clinician or dates
given as query parameters) is a plain GET. The cursor is the store's opaque
keyset cursor (a time and a record id, nothing about the patient). A value
the list cannot use is named beside its field with a 400, never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template, request
from flask_wtf.csrf import generate_csrf

from ..guidance import CONTENT
from ..i18n import N_, gettext
from ..state import state
from ..store.decisions import BadCursor

#: Records per page.
PAGE_SIZE = 25
#: Status -> its words in the filter (marked; translated when the page is drawn).
STATUSES = {"draft": N_("Draft"), "signed": N_("Signed")}
TEXT_MAX = 128


def _date(name: str, errors: dict[str, str]) -> dt.date | None:
    text = request.values.get(name, "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:  # fromisoformat also takes 20260302, which the form never sends
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = gettext("Enter a real date, written as YYYY-MM-DD.")
        return None


def _filters() -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """The form's values as typed, the storage's keyword arguments, and each refused value."""
    args = request.values  # the posted form, or the query of a plain GET
    shown = {key: args.get(key, "") for key in ("patient_ref", "status", "clinician",
                                                "from", "to")}
    errors: dict[str, str] = {}
    query: dict[str, Any] = {}
    for key in ("patient_ref", "clinician"):
        value = shown[key].strip()
        if len(value) > TEXT_MAX:
            errors[key] = gettext("At most %(n)s characters.", n=TEXT_MAX)
        elif value:
            query[key] = value
    if shown["status"] and shown["status"] not in STATUSES:
        errors["status"] = gettext("Choose draft, signed or any status.")
    elif shown["status"]:
        query["status"] = shown["status"]
    since, until = _date("from", errors), _date("to", errors)
    if since and until and until < since:
        errors["to"] = gettext("The end date is before the start date.")
    if since:
        query["since"] = dt.datetime.combine(since, dt.time(), dt.timezone.utc)
    if until:
        query["until"] = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(),
                                             dt.timezone.utc)
    return shown, query, errors


def when(iso: str | None) -> str:
    """A stored time as the pages show it, in UTC: "2026-03-02 14:05 UTC"."""
    if not iso:
        return ""
    moment = dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _level(level: str | None) -> str:
    return CONTENT.levels.get(level or "", {}).get("clinician_label", level or "")


def _row(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "when": when(item["created_at"]), "level_words": _level(item["level"]),
            "suggested_words": _level(item["suggested_level"]),
            "overridden": item["level"] != item["suggested_level"],
            "signed_when": when(item["signed_at"])}


def worklist() -> tuple[str, int]:
    """The list; every filter optional; ``cursor`` pages on. A POST only reads."""
    shown, query, errors = _filters()
    cursor = request.values.get("cursor", "").strip() or None
    page = None
    if not errors:
        try:
            page = state().storage.worklist(**query, limit=PAGE_SIZE, cursor=cursor)
        except BadCursor:
            errors["cursor"] = gettext("This page link is not one the list gave out, or it "
                                       "has expired: start again from the first page.")
    kept = {key: value for key, value in shown.items() if value.strip()}
    next_cursor = page.next if page is not None else None
    html = render_template(
        "ankle_intake/worklist.html",
        filters=shown,
        errors=errors,
        statuses={value: gettext(words) for value, words in STATUSES.items()},
        rows=[_row(item) for item in page.items] if page else [],
        searched=page is not None,
        paged=cursor is not None,
        kept=kept,
        next_cursor=next_cursor,
        csrf_token=generate_csrf(),
    )
    return html, 400 if errors else 200


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/assessments", "worklist", worklist, methods=["GET", "POST"])
