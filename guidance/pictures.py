"""The exercise pictures: one SVG line drawing per exercise, checked at import.

The drawings are data (``data/pictures/*.svg``, drawn by ``tools/draw_exercises.py``)
described by ``data/pictures.json``: the file, an alt text per language that says
how the body moves, and the panels from left to right. As with the guidance
content, the checks run at import, so a missing or unsafe drawing stops the
application from starting with the exercise id in the message instead of
failing while a handout prints. The HTML handout inlines :attr:`Picture.svg`,
so a drawing may hold no script, style, link, event handler or unprefixed id.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .content import load_content
from .predicates import ContentError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from reportlab.graphics.shapes import Drawing

_SVG_NS = "{http://www.w3.org/2000/svg}"
_WHERE = "guidance/data/pictures.json"
_FILE = re.compile(r"^[a-z][a-z0-9_]*\.svg$")
_LANG = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
_FORBIDDEN_TAGS = frozenset({
    "script", "style", "foreignObject", "image", "use", "a", "iframe", "animate",
    "animateMotion", "animateTransform", "set", "text",
})


@dataclass(frozen=True)
class Picture:
    """One exercise's drawing: start and end (or the moves) side by side."""

    exercise_id: str
    svg: str
    path: Traversable | str
    alt: Mapping[str, str]
    panels: tuple[str, ...]
    width: float
    height: float
    panel_labels: Mapping[str, Mapping[str, str]]

    def alt_text(self, lang: str = "en") -> str:
        """The alt text in ``lang``, or in English when it has not been translated."""
        return self.alt.get(lang) or self.alt["en"]

    def labels(self, lang: str = "en") -> tuple[str, ...]:
        """The panels' captions, left to right, in ``lang`` or else English."""
        return tuple(self.panel_labels[key].get(lang) or self.panel_labels[key]["en"]
                     for key in self.panels)


def _texts(raw: Any, what: str) -> Mapping[str, str]:
    """A mapping of language to text, English required."""
    if not isinstance(raw, dict) or "en" not in raw:
        raise ContentError(f"{_WHERE}: {what} needs a mapping of language to text with 'en'")
    for lang, text in raw.items():
        if not (isinstance(lang, str) and _LANG.match(lang)):
            raise ContentError(f"{_WHERE}: {what} has a bad language code {lang!r}")
        if not (isinstance(text, str) and text.strip()):
            raise ContentError(f"{_WHERE}: {what} has an empty text for {lang!r}")
    return MappingProxyType(dict(raw))


def check_svg(exercise_id: str, text: str) -> tuple[float, float]:
    """The drawing's viewBox width and height, once it has passed the safety checks."""
    where = f"guidance/data/pictures: the picture of {exercise_id!r}"
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ContentError(f"{where} must not declare a DOCTYPE or entities")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ContentError(f"{where} is not well-formed XML: {exc}") from None
    if root.tag != f"{_SVG_NS}svg":
        raise ContentError(f"{where} is not an SVG document")
    try:
        x, y, width, height = (float(v) for v in root.get("viewBox", "").replace(",", " ").split())
    except ValueError:
        raise ContentError(f"{where} needs a viewBox of four numbers") from None
    if width <= 0 or height <= 0:
        raise ContentError(f"{where} has an empty viewBox")
    for node in root.iter():
        tag = node.tag.rpartition("}")[2] if isinstance(node.tag, str) else ""
        if tag in _FORBIDDEN_TAGS:
            raise ContentError(f"{where} holds a <{tag}> element")
        for name, value in node.attrib.items():
            local = name.rpartition("}")[2]
            if local in ("href", "style", "class") or local.startswith("on"):
                raise ContentError(f"{where} has a {local!r} attribute")
            if "url(" in value or "javascript:" in value.lower():
                raise ContentError(f"{where} refers to something outside itself")
            if local == "id" and not value.startswith(f"{exercise_id}-"):
                raise ContentError(f"{where} has an id not prefixed with {exercise_id!r}-")
    return width, height


def check_pictures(raw: Mapping[str, Any], exercise_ids: Iterable[str],
                   read: Callable[[str], tuple[Traversable | str, str] | None]
                   ) -> dict[str, Picture]:
    """Every exercise's picture from ``pictures.json``'s data, or a ContentError naming it.

    ``read(file)`` gives the file's path and text, or None when there is no such file;
    tests pass a modified copy of the data and their own ``read``.
    """
    if not (isinstance(raw.get("licence"), str) and raw["licence"].strip()):
        raise ContentError(f"{_WHERE}: needs a licence line")
    if not raw.get("source"):
        raise ContentError(f"{_WHERE}: needs a source")
    labels_raw = raw.get("panel_labels")
    if not isinstance(labels_raw, dict):
        raise ContentError(f"{_WHERE}: needs panel_labels")
    labels = MappingProxyType({key: _texts(value, f"panel label {key!r}")
                               for key, value in labels_raw.items()})
    items = raw.get("items")
    if not isinstance(items, dict):
        raise ContentError(f"{_WHERE}: needs items, a mapping of exercise id to picture")
    wanted = list(exercise_ids)
    extra = sorted(set(items) - set(wanted))
    if extra:
        raise ContentError(f"{_WHERE}: pictures {extra} are for no exercise in exercises.json")
    pictures: dict[str, Picture] = {}
    for exercise_id in wanted:
        item = items.get(exercise_id)
        if not isinstance(item, dict):
            raise ContentError(f"{_WHERE}: exercise {exercise_id!r} has no picture")
        if set(item) != {"file", "alt", "panels"}:
            raise ContentError(f"{_WHERE}: picture {exercise_id!r} needs exactly file, alt, "
                               f"panels; has {sorted(item)}")
        file = item["file"]
        if not (isinstance(file, str) and _FILE.match(file)):
            raise ContentError(f"{_WHERE}: picture {exercise_id!r} has a bad file name")
        found = read(file)
        if found is None:
            raise ContentError(f"{_WHERE}: picture {exercise_id!r}: no file pictures/{file}")
        path, text = found
        panels = item["panels"]
        if not (isinstance(panels, list) and panels and all(p in labels for p in panels)):
            raise ContentError(f"{_WHERE}: picture {exercise_id!r} needs panels from "
                               f"{sorted(labels)}")
        width, height = check_svg(exercise_id, text)
        drawn = sum(1 for node in ET.fromstring(text) if node.tag == f"{_SVG_NS}g")
        if drawn != len(panels):
            raise ContentError(f"{_WHERE}: picture {exercise_id!r} names {len(panels)} panels "
                               f"but its file draws {drawn}")
        pictures[exercise_id] = Picture(
            exercise_id=exercise_id, svg=text, path=path,
            alt=_texts(item["alt"], f"the alt text of {exercise_id!r}"),
            panels=tuple(panels), width=width, height=height, panel_labels=labels,
        )
    return pictures


def _read_packaged(file: str) -> tuple[Traversable, str] | None:
    path = resources.files(__package__).joinpath("data", "pictures", file)
    if not path.is_file():
        return None
    return path, path.read_text(encoding="utf-8")


def _load() -> tuple[str, Mapping[str, Picture]]:
    text = resources.files(__package__).joinpath("data", "pictures.json").read_text("utf-8")
    raw = json.loads(text)
    ids = [exercise["id"] for exercise in load_content().exercises]
    return raw.get("licence", ""), MappingProxyType(check_pictures(raw, ids, _read_packaged))


LICENCE, PICTURES = _load()


def picture(exercise_id: str) -> Picture:
    """The picture of an exercise in the library; KeyError for an unknown id."""
    try:
        return PICTURES[exercise_id]
    except KeyError:
        raise KeyError(f"no picture for exercise {exercise_id!r}") from None


@lru_cache(maxsize=128)
def drawing(exercise_id: str, width_pt: float) -> Drawing:
    """The picture as a ReportLab Drawing ``width_pt`` wide, its aspect ratio kept.

    Read from the SVG's text, not a path, so it works from an installed wheel.
    Cached per (id, width): treat the result as read-only and wrap it (e.g. in a
    Table cell) rather than change it.
    """
    from svglib.svglib import svg2rlg  # imported here: only the PDF needs it

    if not width_pt > 0:
        raise ValueError(f"width_pt must be positive, not {width_pt!r}")
    art = picture(exercise_id)
    result = svg2rlg(io.BytesIO(art.svg.encode("utf-8")))
    if result is None:
        raise ContentError(f"guidance/data/pictures: svglib cannot read {exercise_id!r}")
    factor = width_pt / result.width
    result.scale(factor, factor)
    result.width, result.height = width_pt, result.height * factor
    return result


__all__ = ["LICENCE", "PICTURES", "Picture", "check_pictures", "check_svg", "drawing",
           "picture"]
