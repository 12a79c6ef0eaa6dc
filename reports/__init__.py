"""The patient handout: a personalised, printable PDF built with ReportLab.

Importing this package is cheap: ReportLab, the fonts and the handout content
load on the first call of :func:`render_handout`, so ``import ankle_intake``
stays fast for hosts that never print.
"""

from __future__ import annotations

from typing import Any


def render_handout(
    answers: Any,
    *,
    clinic_name: str | None = None,
    page_size: str = "A4",
    large_print: bool = False,
) -> bytes:
    """The handout PDF for raw ``answers``; see :func:`.handout.render_handout`."""
    from .handout import render_handout as render

    return render(answers, clinic_name=clinic_name, page_size=page_size,
                  large_print=large_print)


__all__ = ["render_handout"]
