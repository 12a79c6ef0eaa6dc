"""Server-drawn SVG charts, each with the same numbers as a table for screen readers.

The plugin's CSP allows no inline script or style, so a chart is plain SVG
drawn here: presentation attributes (``stroke=``, ``fill=``) and classes styled
from ``ankle_intake.css``, nothing fetched, every text escaped. Series differ by
dash pattern and marker shape as well as colour, so the legend never relies on
colour alone. Output is deterministic: the same data gives the same bytes.

A value of None is "not recorded": a gap in the line and an empty cell in the
table's sense ("Not recorded"), never a point at zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

#: Drawing size in viewBox units; the SVG scales to its container (width 100%).
#: 360 units keep 16-unit text above 12 px in the 280 px a 320 px wide screen leaves.
WIDTH = 360
PLOT_HEIGHT = 170
FONT_SIZE = 16
LEFT, RIGHT, TOP = 40, 14, 32
AXIS_SPACE = 50  # x tick labels and the x-axis title under the plot
KEY_ROW = 24
#: Characters per legend line, at a generous 0.6 em per character: longer names wrap.
KEY_CHARS = int((WIDTH - 52) / (0.6 * FONT_SIZE))
MAX_X_TICKS = 12
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
INK, GREY, GRID = "#1b1b1b", "#404040", "#d4d4d4"
BAND_FILL, BAND_EDGE = "#dbeafe", "#1d4ed8"

#: Line styles by series: colour, dash pattern, marker. Colours keep 3:1 on white.
LINE_STYLES = (
    ("#1d4ed8", None, "circle"),
    ("#b45309", "8 5", "square"),
    ("#15803d", "2 4", "triangle"),
    ("#7e22ce", "10 4 2 4", "diamond"),
)
#: Bar styles by series: stroke, fill, dash. The first is an outline, the second solid.
BAR_STYLES = (
    ("#1d4ed8", "#ffffff", "5 3"),
    ("#1d4ed8", "#1d4ed8", None),
    ("#b45309", "#fde68a", None),
    ("#15803d", "#15803d", "2 2"),
)

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Series:
    """One named row of values; None marks a value that was not recorded."""

    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class TableData:
    """The chart's numbers as a table: a caption, column headers, rows of text."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """An SVG (escaped, safe to insert as markup) and the same data as a table."""

    id: str
    title: str
    svg: str
    table: TableData


def number(value: float | None, missing: str = "Not recorded") -> str:
    """A value as the table and the description show it: 45.0 -> "45", 2.34 -> "2.3"."""
    if not _recorded(value):
        return missing
    rounded = round(float(value), 1)  # type: ignore[arg-type]
    return f"{rounded:g}" if rounded != int(rounded) else str(int(rounded))


def line_chart(
    series: Sequence[Series],
    *,
    x_labels: Sequence[str],
    y_min: float,
    y_max: float,
    title: str,
    y_label: str,
    band: tuple[float, float] | None = None,
    band_label: str = "Shaded band",
    id_prefix: str = "chart",
    x_label: str = "",
    row_labels: Sequence[str] | None = None,
    missing: str = "Not recorded",
    desc: str | None = None,
) -> Chart:
    """Lines over ``x_labels``, one per series, a gap wherever a value is None.

    ``band`` shades a range of y (the MCID band, say), clipped to the axis and
    named in the legend by ``band_label``. ``row_labels`` are the table's row
    headings (default ``x_labels``). ``id_prefix`` makes the ids unique on a page.
    """
    _check(series, x_labels, id_prefix, row_labels)
    if not y_max > y_min:
        raise ValueError(f"y_max ({y_max}) must be above y_min ({y_min}).")
    keys = [(s.name, "line", i) for i, s in enumerate(series)]
    if band is not None:
        keys.append((band_label, "band", 0))
    frame = _Frame(len(x_labels), y_min, y_max, _key_lines(keys))
    parts = [_axes(frame, x_labels, y_label, x_label)]
    if band is not None:
        parts.insert(0, _band(frame, band))
    for index, one in enumerate(series):
        parts.append(_line(frame, one, index, missing))
    parts.append(_legend(frame, keys))
    table = _table(title, series, x_label, row_labels or x_labels, missing)
    if desc is None:
        desc = _describe(series, missing)
        if band is not None:
            low, high = sorted(band)
            desc += f"; {band_label}: {number(low)} to {number(high)}"
    return Chart(id_prefix, title, _svg(frame, id_prefix, title, desc, parts), table)


def bar_chart(
    groups: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    y_max: float | None = None,
    id_prefix: str = "chart",
    x_label: str = "",
    row_labels: Sequence[str] | None = None,
    missing: str = "Not recorded",
    desc: str | None = None,
) -> Chart:
    """Side-by-side bars per group (planned against completed minutes, say).

    The y axis runs from 0 to ``y_max`` (default: a round number above the
    largest value). A None draws no bar; a zero draws a thin bar on the axis,
    so "not recorded" and "none" look different.
    """
    _check(series, groups, id_prefix, row_labels)
    values = [v for s in series for v in s.values if _recorded(v)]
    top = y_max if y_max is not None else round_up(max([0.0, *values]))
    if not top > 0:
        raise ValueError(f"y_max ({top}) must be above 0.")
    keys = [(s.name, "bar", i) for i, s in enumerate(series)]
    frame = _Frame(len(groups), 0.0, float(top), _key_lines(keys), bars=True)
    parts = [_axes(frame, groups, y_label, x_label)]
    parts.extend(_bars(frame, series, missing))
    parts.append(_legend(frame, keys))
    table = _table(title, series, x_label, row_labels or groups, missing)
    return Chart(id_prefix, title, _svg(frame, id_prefix, title,
                                        desc or _describe(series, missing), parts), table)


# -- geometry -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    count: int
    y_min: float
    y_max: float
    key_rows: int
    bars: bool = False

    @property
    def bottom(self) -> float:
        return TOP + PLOT_HEIGHT

    @property
    def height(self) -> int:
        return int(self.bottom + AXIS_SPACE + self.key_rows * KEY_ROW + 6)

    def x(self, index: int) -> float:
        """The centre of position ``index``: points at the ends inset, bars in slots."""
        width = WIDTH - LEFT - RIGHT
        if self.bars:
            return LEFT + width * (index + 0.5) / max(self.count, 1)
        inset = 16
        if self.count <= 1:
            return LEFT + width / 2
        return LEFT + inset + (width - 2 * inset) * index / (self.count - 1)

    def y(self, value: float) -> float:
        clamped = min(max(value, self.y_min), self.y_max)
        return self.bottom - PLOT_HEIGHT * (clamped - self.y_min) / (self.y_max - self.y_min)


def _f(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _recorded(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _step(span: float) -> float:
    """A round tick step giving at most five intervals over ``span``."""
    raw = span / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw - 1e-9:
            return multiple * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def round_up(value: float) -> float:
    """A round axis top at or above ``value`` (10 at least)."""
    if value <= 10:
        return 10.0
    step = _step(value)
    return math.ceil(value / step - 1e-9) * step


def _ticks(low: float, high: float) -> list[float]:
    step = _step(high - low)
    first = math.ceil(low / step - 1e-9) * step
    count = int(math.floor((high - first) / step + 1e-9))
    return [round(first + i * step, 6) for i in range(count + 1)]


# -- drawing ----------------------------------------------------------------------------


def _check(series: Sequence[Series], labels: Sequence[str], id_prefix: str,
           row_labels: Sequence[str] | None) -> None:
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix {id_prefix!r}: a letter, then letters, digits, - or _.")
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"Series {one.name!r} has {len(one.values)} values for "
                             f"{len(labels)} labels.")
    if row_labels is not None and len(row_labels) != len(labels):
        raise ValueError(f"{len(row_labels)} row labels for {len(labels)} labels.")


def _svg(frame: _Frame, prefix: str, title: str, desc: str, parts: list[str]) -> str:
    p = escape(prefix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ai-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {frame.height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" focusable="false" '
        f'aria-labelledby="{p}-title" aria-describedby="{p}-desc" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{p}-title">{escape(title)}</title>'
        f'<desc id="{p}-desc">{escape(desc)}</desc>'
        + "".join(parts) + "</svg>"
    )


def _axes(frame: _Frame, x_labels: Sequence[str], y_label: str, x_label: str) -> str:
    out = [f'<text class="ai-chart__y-label" x="0" y="{TOP - 12}">{escape(y_label)}</text>']
    for tick in _ticks(frame.y_min, frame.y_max):
        y = _f(frame.y(tick))
        out.append(
            f'<line class="ai-chart__grid" data-value="{_f(tick)}" x1="{LEFT}" y1="{y}" '
            f'x2="{WIDTH - RIGHT}" y2="{y}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y}" dy="6" text-anchor="end" fill="{GREY}">'
            f"{_f(tick)}</text>"
        )
    bottom = _f(frame.bottom)
    out.append(f'<line class="ai-chart__axis" x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" '
               f'y2="{bottom}" stroke="{GREY}" stroke-width="1.5"/>')
    every = max(1, math.ceil(len(x_labels) / MAX_X_TICKS))
    last = len(x_labels) - 1
    for index, label in enumerate(x_labels):
        if index != last and (index % every or last - index < every):
            continue  # thinned out; the last label always shows, with room before it
        out.append(f'<text class="ai-chart__x-tick" x="{_f(frame.x(index))}" '
                   f'y="{_f(frame.bottom + 20)}" text-anchor="middle" fill="{GREY}">'
                   f"{escape(label)}</text>")
    if x_label:
        out.append(f'<text class="ai-chart__x-label" x="{_f((LEFT + WIDTH - RIGHT) / 2)}" '
                   f'y="{_f(frame.bottom + 42)}" text-anchor="middle">{escape(x_label)}</text>')
    return "".join(out)


def _band(frame: _Frame, band: tuple[float, float]) -> str:
    low, high = sorted(band)
    top, bottom = frame.y(high), frame.y(low)
    edges = "".join(
        f'<line x1="{LEFT}" y1="{_f(y)}" x2="{WIDTH - RIGHT}" y2="{_f(y)}" '
        f'stroke="{BAND_EDGE}" stroke-width="1" stroke-dasharray="3 3"/>'
        for y in (top, bottom)
    )
    return (f'<g class="ai-chart__band" data-low="{_f(low)}" data-high="{_f(high)}">'
            f'<rect x="{LEFT}" y="{_f(top)}" width="{WIDTH - LEFT - RIGHT}" '
            f'height="{_f(bottom - top)}" fill="{BAND_FILL}"/>{edges}</g>')


def _marker(shape: str, colour: str) -> str:
    """A marker centred on 0,0: filled circle, hollow square, triangle, diamond."""
    if shape == "circle":
        return f'<circle r="4.5" fill="{colour}"/>'
    if shape == "square":
        return (f'<rect x="-4.5" y="-4.5" width="9" height="9" fill="#ffffff" '
                f'stroke="{colour}" stroke-width="2"/>')
    if shape == "triangle":
        return f'<path d="M0 -6L5.5 4H-5.5Z" fill="{colour}"/>'
    return f'<path d="M0 -6L6 0L0 6L-6 0Z" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'


def _line(frame: _Frame, one: Series, index: int, missing: str) -> str:
    colour, dash, shape = LINE_STYLES[index % len(LINE_STYLES)]
    runs: list[list[tuple[float, float]]] = [[]]
    points = []
    for i, value in enumerate(one.values):
        if not _recorded(value):
            if runs[-1]:
                runs.append([])
            continue
        x, y = frame.x(i), frame.y(float(value))  # type: ignore[arg-type]
        runs[-1].append((x, y))
        points.append(
            f'<g class="ai-chart__point" data-index="{i}" data-value="{number(value, missing)}" '
            f'transform="translate({_f(x)} {_f(y)})">{_marker(shape, colour)}</g>'
        )
    d = "".join(
        "M" + "L".join(f"{_f(x)} {_f(y)}" for x, y in run) for run in runs if len(run) > 1
    )
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    path = (f'<path class="ai-chart__line" d="{d}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5"{dashes}/>' if d else "")
    return (f'<g class="ai-chart__series" data-series="{index}" '
            f'data-name="{escape(one.name)}">{path}{"".join(points)}</g>')


def _bars(frame: _Frame, series: Sequence[Series], missing: str) -> list[str]:
    slot = (WIDTH - LEFT - RIGHT) / max(frame.count, 1)
    width = min(28.0, slot * 0.8 / max(len(series), 1))
    out = []
    for index, one in enumerate(series):
        stroke, fill, dash = BAR_STYLES[index % len(BAR_STYLES)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        bars = []
        for i, value in enumerate(one.values):
            if not _recorded(value):
                continue
            left = frame.x(i) - width * len(series) / 2 + width * index
            top = min(frame.y(float(value)), frame.bottom - 2)  # type: ignore[arg-type]
            bars.append(
                f'<rect class="ai-chart__bar" data-index="{i}" '
                f'data-value="{number(value, missing)}" x="{_f(left + 1)}" y="{_f(top)}" '
                f'width="{_f(width - 2)}" height="{_f(frame.bottom - top)}" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="2"{dashes}/>'
            )
        out.append(f'<g class="ai-chart__series" data-series="{index}" '
                   f'data-name="{escape(one.name)}">{"".join(bars)}</g>')
    return out


def _legend(frame: _Frame, keys: list[tuple[str, str, int]]) -> str:
    out = ['<g class="ai-chart__legend" transform="translate(6 0)">']
    row = 0
    for name, kind, index in keys:
        y = frame.bottom + AXIS_SPACE + row * KEY_ROW + 8
        lines = _wrap(name)
        row += len(lines)
        if kind == "line":
            colour, dash, shape = LINE_STYLES[index % len(LINE_STYLES)]
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            swatch = (f'<line x1="0" y1="{_f(y)}" x2="32" y2="{_f(y)}" stroke="{colour}" '
                      f'stroke-width="2.5"{dashes}/>'
                      f'<g transform="translate(16 {_f(y)})">{_marker(shape, colour)}</g>')
        elif kind == "bar":
            stroke, fill, dash = BAR_STYLES[index % len(BAR_STYLES)]
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            swatch = (f'<rect x="8" y="{_f(y - 7)}" width="16" height="14" fill="{fill}" '
                      f'stroke="{stroke}" stroke-width="2"{dashes}/>')
        else:
            swatch = (f'<rect x="0" y="{_f(y - 7)}" width="32" height="14" fill="{BAND_FILL}" '
                      f'stroke="{BAND_EDGE}" stroke-width="1" stroke-dasharray="3 3"/>')
        text = "".join(f'<tspan x="40" y="{_f(y + i * KEY_ROW)}" dy="6">{escape(line)}</tspan>'
                       for i, line in enumerate(lines))
        out.append(f'<g class="ai-chart__key">{swatch}<text>{text}</text></g>')
    out.append("</g>")
    return "".join(out)


def _wrap(text: str) -> list[str]:
    """``text`` in lines of at most KEY_CHARS characters, broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= KEY_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _key_lines(keys: list[tuple[str, str, int]]) -> int:
    return sum(len(_wrap(name)) for name, _, _ in keys)


def _describe(series: Sequence[Series], missing: str) -> str:
    return "; ".join(
        f"{one.name}: {', '.join(number(v, missing) for v in one.values)}" for one in series
    )


def _table(title: str, series: Sequence[Series], x_label: str, row_labels: Sequence[str],
           missing: str) -> TableData:
    rows = tuple(
        (label, *(number(one.values[i], missing) for one in series))
        for i, label in enumerate(row_labels)
    )
    return TableData(title, (x_label, *(one.name for one in series)), rows)


__all__ = ["Chart", "Series", "TableData", "bar_chart", "line_chart", "number", "round_up"]
