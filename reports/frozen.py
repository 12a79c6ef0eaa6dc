"""Text-free drawings (exercise pictures, QR codes) turned into PDF operators once per process.

Walking a ReportLab Drawing node by node (``renderPDF``) costs more than the rest of
the page: a picture has hundreds of shapes, a QR code a rect per run of modules.
Their PDF operators depend on nothing but the drawing, so they are made once,
on a scratch canvas, and replayed with ``Canvas.addLiteral``; the drawing never
holds text, whose font names would belong to one document only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from io import BytesIO
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

#: The PDF graphics state the scratch canvas starts in, set before each replay so the
#: operators meet the state they were made in (black fill and stroke, 1 pt solid lines).
RESET = "0 g 0 G 1 w 0 J 0 j [] 0 d"
LIMIT = 512
_FONT = re.compile(r"BT /F\d+ [\d.]+ Tf [\d.]+ TL ET")
_MADE: dict[Hashable, tuple[str, float, float]] = {}


def _operators(key: Hashable, make: Callable[[], Any]) -> tuple[str, float, float]:
    if key not in _MADE:
        drawing = make()
        scratch = Canvas(BytesIO(), invariant=1)
        start = len(scratch._code)
        renderPDF.draw(drawing, scratch, 0, 0)
        if len(_MADE) >= LIMIT:
            _MADE.clear()
        # renderPDF sets the default font once; a drawing with no text never uses it.
        operators = _FONT.sub("", " ".join(scratch._code[start:]))
        if " Tf" in operators or "Tj" in operators:
            raise ValueError(f"{key!r}: a frozen drawing must hold no text")
        _MADE[key] = (operators, drawing.width, drawing.height)
    return _MADE[key]


class FrozenDrawing(Flowable):
    """A Drawing replayed from its cached operators; ``key`` names it (id and size)."""

    def __init__(self, key: Hashable, make: Callable[[], Any]) -> None:
        super().__init__()
        self.operators, self.width, self.height = _operators(key, make)
        self.hAlign = "LEFT"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.addLiteral(f"q {RESET} {self.operators} Q")


__all__ = ["FrozenDrawing"]
