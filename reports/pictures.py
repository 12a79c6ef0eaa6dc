"""The exercise pictures in the handout: svglib drawings in the PDF, the SVG inline on the web.

The pictures and their alt text belong to :mod:`ankle_intake.guidance.pictures`
(SVG files in ``guidance/data/pictures``); this module only places them. An
exercise without a picture prints without one: its steps still say what to do.
Drawings are parsed once per id and width per process (by ``guidance.pictures``):
svglib is the slow part of a handout with pictures.
"""

from __future__ import annotations

import html
import re
from typing import Any

_SVG_OPEN = re.compile(r"<svg\b([^>]*)>", re.IGNORECASE)
_PROLOGUE = re.compile(r"\A\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*",
                       re.DOTALL | re.IGNORECASE)


def _source(exercise_id: str) -> Any | None:
    try:
        from ..guidance import pictures
    except ImportError:
        return None
    try:
        return pictures.picture(exercise_id)
    except (KeyError, LookupError, FileNotFoundError):
        return None


def alt_text(exercise_id: str, language: str = "en") -> str | None:
    """What the picture shows, in words, for a screen reader; None without a picture."""
    found = _source(exercise_id)
    return None if found is None else found.alt_text(language)


def pdf_picture(exercise_id: str, width: float) -> Any | None:
    """The picture scaled to ``width`` points, as a ReportLab Drawing; None without one.

    The Drawing is :func:`~ankle_intake.guidance.pictures.drawing`'s, never changed,
    replayed from its PDF operators (:mod:`.frozen`).
    """
    if _source(exercise_id) is None:
        return None
    from ..guidance import pictures
    from .frozen import FrozenDrawing

    width = round(width, 2)
    return FrozenDrawing(("picture", exercise_id, width),
                         lambda: pictures.drawing(exercise_id, width))


def inline_svg(exercise_id: str, language: str = "en") -> str | None:
    """The picture's SVG for an HTML page: one ``role="img"`` element named by its alt text.

    The prologue (XML declaration, doctype) is dropped; the alt text is escaped.
    """
    found = _source(exercise_id)
    if found is None:
        return None
    alt = html.escape(alt_text(exercise_id, language) or "", quote=True)
    svg = _PROLOGUE.sub("", found.svg, count=1)
    match = _SVG_OPEN.search(svg)
    if match is None:
        return None
    attrs = re.sub(r'\s(role|aria-label|aria-hidden|class|width|height)="[^"]*"', "",
                   match.group(1))
    if "viewbox" not in attrs.lower():
        attrs += f' viewBox="0 0 {found.width} {found.height}"'
    opening = f'<svg class="ai-h-picture-svg" role="img" aria-label="{alt}"{attrs}>'
    return svg[:match.start()] + opening + svg[match.end():]


__all__ = ["alt_text", "inline_svg", "pdf_picture"]
