"""The Unicode TrueType font the handout prints in, shipped inside the package.

ReportLab's built-in Helvetica only covers Latin-1, so "Łukasz" or "Nguyễn"
would lose letters. DejaVu Sans covers them; its files ship in ``fonts/``
(licence in ``fonts/LICENSE``) because a host is not guaranteed to have
Debian's ``fonts-dejavu-core``. Registration happens once per process.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "AnkleIntakeSans"
BOLD = "AnkleIntakeSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


@cache
def register_fonts() -> tuple[str, str]:
    """Register the regular and bold faces (and ``<b>`` mapping); return their names."""
    folder = resources.files(__package__).joinpath("fonts")
    for name, filename in _FILES.items():
        with resources.as_file(folder.joinpath(filename)) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    # Paragraph markup <b> and <i> look the family up here; there is no italic
    # face, so italic falls back to the upright one rather than to Helvetica.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD
