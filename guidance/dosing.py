"""A dose in plain words: the clinician's numbers as the patient reads them.

The clinician's plan doses each exercise as numbers (``sets``, ``reps``,
``hold_seconds``, ``times`` a ``per`` day or week, contract 5); the handout and
the note print them as a phrase, "3 sets of 15, once a day" or "Hold 30
seconds, 2 times, 2 days a week". The words are the handout content's labels
(``dose_*``, ``often_*``), never strings in code, so a translation changes data
only. A dose with no frequency (``times`` or ``per`` null) is one the numbers
cannot say ("5 minutes after a run"): the library's own dose text is printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .handout_content import HANDOUT, HandoutContent


def _amount(dose: Mapping[str, Any], content: HandoutContent) -> str | None:
    """Sets, reps and hold as a phrase; None for a single go that needs no count."""
    sets, reps, hold = int(dose["sets"]), int(dose["reps"]), dose.get("hold_seconds")
    if hold:
        if sets > 1 and reps > 1:
            return content.label("dose_sets_hold", sets=sets, reps=reps, hold=hold)
        count = sets * reps
        if count == 1:
            return content.label("dose_hold_once", hold=hold)
        return content.label("dose_hold", hold=hold, reps=count)
    if sets > 1 and reps > 1:
        return content.label("dose_sets", sets=sets, reps=reps)
    count = sets * reps
    return None if count == 1 else content.label("dose_reps", reps=count)


def _often(times: int, per: str, content: HandoutContent) -> str:
    if times <= 2 and f"often_{per}_{times}" in content.labels:
        return content.label(f"often_{per}_{times}")
    return content.label(f"often_{per}_n", times=times)


def dose_words(
    dose: Mapping[str, Any], library_text: str, content: HandoutContent = HANDOUT
) -> str:
    """The dose as one phrase, capitalised; ``library_text`` when it has no frequency.

    ``dose`` is a plan exercise or a library ``default_dose``: ``sets`` and
    ``reps`` at least 1, ``hold_seconds`` a number or None, ``times`` a number
    or None, ``per`` ``"day"``, ``"week"`` or None.
    """
    times, per = dose.get("times"), dose.get("per")
    if not times or per not in ("day", "week"):
        return library_text
    often = _often(int(times), str(per), content)
    amount = _amount(dose, content)
    text = content.label("dose_join", amount=amount, often=often) if amount else often
    return text[:1].upper() + text[1:]


__all__ = ["dose_words"]
