"""Paragraph styles of the handout, defined once as data.

Two size sets share one shape: ``normal`` and ``large`` (large print, body at
least 14 pt). Everything is black on white and left-aligned; hierarchy comes
from size and weight, never from colour, so a grey-scale copy reads the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from .fonts import register_fonts

#: Font sizes in points per variant; leading is size * LEADING.
SIZES: dict[str, dict[str, float]] = {
    "normal": {"body": 11, "title": 22, "h1": 15, "h2": 12.5, "box": 13, "small": 8.5,
               "table": 10},
    "large": {"body": 14, "title": 26, "h1": 19, "h2": 16, "box": 16, "small": 12,
              "table": 14},
}
LEADING = 1.3

#: Style name -> (size key, bold, space before in body sizes, space after in body sizes,
#: left indent in body sizes).
SHAPES: dict[str, tuple[str, bool, float, float, float]] = {
    "title": ("title", True, 0, 0.3, 0),
    "clinic": ("h2", True, 0, 0.2, 0),
    "h1": ("h1", True, 1.1, 0.4, 0),
    "h2": ("h2", True, 0.6, 0.2, 0),
    "body": ("body", False, 0, 0.35, 0),
    "strong": ("body", True, 0, 0.35, 0),
    "bullet": ("body", False, 0, 0.25, 1.4),
    "explain": ("body", False, 0, 0.35, 1.4),
    "box": ("box", True, 0, 0.2, 0),
    "box_heading": ("h1", True, 0, 0.3, 0),
    "cell": ("table", False, 0, 0, 0),
    "cell_bold": ("table", True, 0, 0, 0),
    "small": ("small", False, 0, 0, 0),
    "small_link": ("table", False, 0, 0, 0),
}


@dataclass(frozen=True)
class Styles:
    """The styles of one variant, plus the sizes tables and the footer need."""

    variant: str
    by_name: dict[str, ParagraphStyle]
    sizes: dict[str, float]
    regular: str
    bold: str

    def __getitem__(self, name: str) -> ParagraphStyle:
        return self.by_name[name]


@cache
def get_styles(large_print: bool = False) -> Styles:
    """The style set for normal or large print, built once per process."""
    regular, bold = register_fonts()
    variant = "large" if large_print else "normal"
    sizes = SIZES[variant]
    body = sizes["body"]
    base = ParagraphStyle(
        "ankle_base", fontName=regular, bulletFontName=regular, fontSize=body,
        bulletFontSize=body, leading=body * LEADING,
        textColor=colors.black, alignment=TA_LEFT, allowWidows=0, allowOrphans=0,
    )
    by_name: dict[str, ParagraphStyle] = {}
    for name, (size_key, is_bold, before, after, indent) in SHAPES.items():
        size = sizes[size_key]
        by_name[name] = ParagraphStyle(
            f"ankle_{variant}_{name}", parent=base, fontName=bold if is_bold else regular,
            fontSize=size, leading=size * LEADING, spaceBefore=before * body,
            spaceAfter=after * body, leftIndent=indent * body,
            bulletIndent=0.3 * body if name == "bullet" else 0, bulletFontSize=size,
            keepWithNext=name in ("h1", "h2"),
        )
    return Styles(variant, by_name, dict(sizes), regular, bold)
