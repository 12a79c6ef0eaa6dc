"""QR codes of the clinic's exercise video links: ReportLab's own widget in the PDF, the
same encoder's modules as one SVG path on the web (a few hundred bytes, no ids).

The URL comes from ``ANKLE_INTAKE_EXERCISE_VIDEO_URL`` with only the exercise id
filled in (:func:`video_link`), so a QR code never carries patient data.
"""

from __future__ import annotations

from typing import Any

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

#: Quiet zone in modules: the four the QR standard asks for.
BORDER = 4
#: Level M (15 % of the code may be lost): survives a crease or a smudge on a fridge door.
LEVEL = "M"


def video_link(template: str | None, exercise_id: str) -> str | None:
    """The video URL of one exercise, or None when the clinic has set none."""
    if not template:
        return None
    return template.format(exercise_id=exercise_id)


def short_url(url: str) -> str:
    """The URL as printed under its QR code: without ``https://`` and a trailing slash."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            url = url[len(scheme):]
    return url.rstrip("/")


def qr_drawing(url: str, size: float) -> Drawing:
    """A square Drawing ``size`` points wide holding the QR code of ``url``."""
    widget = QrCodeWidget(url, barWidth=size, barHeight=size, barLevel=LEVEL,
                          barBorder=BORDER)
    drawing = Drawing(size, size)
    drawing.add(widget)
    drawing.hAlign = "LEFT"
    return drawing


def qr_flowable(url: str, size: float) -> Any:
    """:func:`qr_drawing` as a flowable, encoded and drawn once per URL and size."""
    from .frozen import FrozenDrawing

    return FrozenDrawing(("qr", url, size), lambda: qr_drawing(url, size))


def qr_modules(url: str) -> list[list[bool]]:
    """The dark and light modules of ``url``'s code, as the PDF widget encodes it."""
    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, LEVEL))
    code.addData(url)
    code.make()
    return [[bool(cell) for cell in row] for row in code.modules]


def qr_svg(url: str, label: str) -> str:
    """An inline SVG of ``url``'s code; ``label`` (already escaped) is its accessible name."""
    rows = qr_modules(url)
    side = len(rows) + 2 * BORDER
    path = []
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.append(f"M{start + BORDER} {r + BORDER}h{c - start}v1h-{c - start}z")
            else:
                c += 1
    return (f'<svg class="ai-h-qr" role="img" aria-label="{label}" viewBox="0 0 {side} {side}"'
            f' xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
            f'<rect width="{side}" height="{side}" fill="#fff"/>'
            f'<path d="{"".join(path)}" fill="#000"/></svg>')


__all__ = ["qr_drawing", "qr_flowable", "qr_modules", "qr_svg", "short_url", "video_link"]
