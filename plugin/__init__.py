"""ankle-intake: ankle-pain intake for runners.

The pure core (:func:`assess`) needs no Flask; the Flask extension
(:class:`AnkleIntake`, in :mod:`ankle_intake.extension`) is imported lazily on
first access, so ``import ankle_intake`` stays light for users of the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .forms import InvalidAnswers, load_answers
from .guidance import assess
from .reports import render_handout
from .version import __version__

if TYPE_CHECKING:
    from .extension import AnkleIntake


def __getattr__(name: str) -> Any:
    if name == "AnkleIntake":
        from .extension import AnkleIntake

        return AnkleIntake
    raise AttributeError(f"module 'ankle_intake' has no attribute {name!r}")


__all__ = [
    "AnkleIntake", "InvalidAnswers", "__version__", "assess", "load_answers", "render_handout",
]
