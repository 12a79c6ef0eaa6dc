"""One exercise as the runner does it at home: the picture, the dose as the clinician set
it in a small grid beside it, the "stop if" line under the grid, the clinic's video
link as a QR code, then the steps.

A plan's exercise carries its numbers (``planned_dose``): the grid gives each its
own row (sets, repeats, hold, how often). The engine's suggestion has only the
library's words ("2 sets of 10 to 12, 2 to 3 days a week"): one "How much" row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.lib.units import mm

from ..guidance.dosing import dose_words
from .qr import short_url, video_link
from .writer import BULLET, BaseWriter

#: Share of the text width the picture takes; the dose grid and the QR code have the rest.
PICTURE_SHARE = 0.42
#: A QR code a phone camera reads at arm's length: about 2 cm and more.
QR_SIZE = {"normal": 22 * mm, "large": 26 * mm}


def dose_rows(w: BaseWriter, ex: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of the dose: the plan's numbers, or the library's words."""
    dose = ex.get("planned_dose")
    if not dose:
        return [(w.label("grid_amount"), ex["dose"])]
    sets, reps, hold = int(dose["sets"]), int(dose["reps"]), dose.get("hold_seconds")
    rows = []
    if sets > 1:
        rows.append((w.label("grid_sets"), str(sets)))
    if reps > 1:
        rows.append((w.label("grid_reps"), str(reps)))
    if hold:
        rows.append((w.label("grid_hold"), w.label("grid_hold_value", hold=hold)))
    if dose.get("times") and dose.get("per") in ("day", "week"):
        often = {**dose, "sets": 1, "reps": 1, "hold_seconds": None}
        rows.append((w.label("grid_often"), dose_words(often, "", w.content)))
    else:
        rows.append((w.label("grid_amount"), ex["dose"]))
    return rows


def dose_grid(w: BaseWriter, ex: Mapping[str, Any], width: float) -> Any:
    rows = dose_rows(w, ex)
    first = min(w.column_width(None, [label for label, _ in rows], bold=True), 0.5 * width)
    return w.grid(None, rows, [first, width - first], bold_first_column=True)


def video_block(w: BaseWriter, url: str, width: float) -> list[Any]:
    """The QR code with the short URL under it, and a line saying what it is for."""
    size = QR_SIZE[w.styles.variant]
    text = [*w.para(w.text("video_intro"), "small_link", explain=False),
            w.link(url, short_url(url))]
    if width - size < 0.35 * width:
        return [w.qr(url, size), *text]
    gap = 0.5 * w.styles.sizes["body"]
    return [w.columns([[w.qr(url, size)], text], [size + gap, width - size - gap])]


def exercise_card(w: BaseWriter, number: int, ex: Mapping[str, Any],
                  video_url: str | None = None, lead: list[Any] | None = None) -> list[Any]:
    """The blocks of one exercise, kept on one page; ``lead`` goes first (the section head)."""
    head = w.para(f"{number}. {ex['name']}", "h2", key=ex["id"])
    gap = 0.5 * w.styles.sizes["body"]
    picture_width = PICTURE_SHARE * w.width
    picture = w.picture(ex["id"], picture_width - gap)
    side = w.width - picture_width if picture is not None else w.width
    beside = [dose_grid(w, ex, side)]
    beside += w.para(ex["stop_if"], "strong", key=ex["id"])
    url = video_link(video_url, ex["id"])
    if url:
        beside += video_block(w, url, side)
    if picture is not None:
        body = [w.columns([[picture], beside], [picture_width, side])]
    else:
        body = beside
    for step in ex["steps"]:
        body += w.para(step, "bullet", key=ex["id"], bullet=BULLET)
    return [w.keep([*(lead or []), *head, *body])]


__all__ = ["dose_grid", "dose_rows", "exercise_card", "video_block"]
