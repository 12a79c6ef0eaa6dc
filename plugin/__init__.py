"""ankle-intake: ankle-pain intake for runners.

The pure core (:func:`assess`) needs no Flask; the Flask extension lives in
:mod:`ankle_intake.extension` and is imported lazily so the core stays light.
"""

from __future__ import annotations

from .forms import InvalidAnswers, load_answers
from .guidance import assess
from .reports import render_handout

__all__ = ["InvalidAnswers", "assess", "load_answers", "render_handout"]
