""""Your progress": the runner's own numbers over their visits, from the second visit on.

``progress`` is one mapping per visit, in date order: ``date`` (ISO), ``pain_now``
and ``pain_during_run`` (0 to 10 or None), ``planned_distance`` and
``completed_distance`` of running that week (or None) in the visit's ``unit``
("km" or "mi"), and ``measures``: outcome
measure id -> ``{"name", "score", "max", "unit"}``. The section prints a
sentence per trend in plain words, a line chart of the two pains, bars of the
running distance planned and done, and the same numbers as a table. Black and
white only: lines differ by dash and marker, bars by fill, so a grey copy reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend, LineSwatch
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from .writer import BaseWriter

Visit = Mapping[str, Any]
#: Chart height as a share of the text width, and the legend's and axis labels' room.
CHART_SHARE = 0.3
WHITE = colors.white


def _number(value: float | None, w: BaseWriter) -> str:
    return w.label("not_recorded") if value is None else f"{value:g}"


def _ends(visits: Sequence[Visit], key: str) -> tuple[float, float] | None:
    values = [v[key] for v in visits if v.get(key) is not None]
    return (values[0], values[-1]) if len(values) >= 2 else None


def sentences(w: BaseWriter, visits: Sequence[Visit]) -> tuple[list[str], list[str]]:
    """The trends in words: the pains (while running, at the visit), then last week's running."""
    pains = []
    for key, item in (("pain_during_run", "progress_pain_run"), ("pain_now", "progress_pain_now")):
        ends = _ends(visits, key)
        if ends:
            pains.append(w.text(item, first=f"{ends[0]:g}", last=f"{ends[1]:g}"))
    done = [v for v in visits
            if v.get("planned_distance") is not None and v.get("completed_distance") is not None]
    running = []
    if done:
        last, unit = done[-1], distance_unit(visits)
        running.append(w.text("progress_distance",
                              done=f"{distance_in(last, 'completed_distance', unit):g} {unit}",
                              planned=f"{distance_in(last, 'planned_distance', unit):g} {unit}"))
    return pains, running


#: One mile in kilometres (by definition).
MILE_KM = 1.609344


def distance_unit(visits: Sequence[Visit]) -> str:
    """The unit the section speaks in: the latest visit's."""
    units = [v.get("unit") for v in visits if v.get("unit") in ("km", "mi")]
    return units[-1] if units else "km"


def distance_in(visit: Visit, key: str, unit: str) -> float | None:
    """A visit's distance in ``unit``, converted when the visit used the other one."""
    amount = visit.get(key)
    if amount is None or visit.get("unit", unit) == unit:
        return amount
    return round(amount * MILE_KM if unit == "km" else amount / MILE_KM, 1)


def _categories(w: BaseWriter, visits: Sequence[Visit]) -> list[str]:
    return [w.date(v["date"]) for v in visits]


def _fit_labels(axis: Any, w: BaseWriter, names: list[str], slot: float, size: float) -> None:
    """Axis dates level when each fits its slot, else slanted so none overlaps."""
    axis.labels.fontName = w.styles.regular
    axis.labels.fontSize = size
    if max(w.text_width(n, size="small") for n in names) > 0.95 * slot:
        axis.labels.angle = 35
        axis.labels.boxAnchor = "ne"
        axis.labels.dx, axis.labels.dy = 0, -4


def _frame(w: BaseWriter, title: str, legend: list[tuple[Any, str]],
           plot_height: float) -> tuple[Drawing, float, float]:
    """A drawing with the title and, under it, the key (in a row, or one entry a line
    when a row would not fit); the size of its words and the room left for the plot."""
    size = w.styles.sizes["small"]
    entry = [1.6 * size + 4 + w.text_width(name, size="small") + 1.5 * size for _, name in legend]
    rows = 1 if sum(entry) <= w.width else len(legend)
    key_height = rows * 1.3 * size
    height = plot_height + 1.5 * size + key_height + 0.8 * size
    drawing = Drawing(w.width, height, initialFontName=w.styles.regular,
                      initialFontSize=size)  # else renderPDF sets Helvetica first
    drawing.add(String(0, height - 1.1 * size, title, fontName=w.styles.bold,
                       fontSize=size * 1.1))
    key = Legend()
    key.fontName, key.fontSize = w.styles.regular, size
    key.x, key.y = 0, height - 1.9 * size
    key.alignment = "right"
    key.columnMaximum = 1 if rows == 1 else len(legend)
    key.deltax = max(entry)
    key.deltay = 1.3 * size
    key.dxTextSpace, key.dx, key.dy = 4, 1.6 * size, 0.8 * size
    key.colorNamePairs = legend
    key.strokeColor, key.strokeWidth = colors.black, 0.8
    drawing.add(key)
    return drawing, size, plot_height


def pain_chart(w: BaseWriter, visits: Sequence[Visit]) -> Drawing:
    """Pain now (solid, dots) and while running (dashed, squares), 0 to 10, per visit."""
    now, run = w.label("progress_pain_now"), w.label("progress_pain_run")
    swatches = []
    for dash in (None, (3, 2)):
        swatch = LineSwatch()
        swatch.strokeColor, swatch.strokeWidth, swatch.strokeDashArray = colors.black, 1.5, dash
        swatches.append(swatch)
    drawing, size, height = _frame(w, w.label("progress_chart_pain"),
                                   [(swatches[0], now), (swatches[1], run)],
                                   CHART_SHARE * w.width)
    chart = HorizontalLineChart()
    names = _categories(w, visits)
    chart.x, chart.y = 2.2 * size, 4 * size
    chart.width, chart.height = w.width - 3.5 * size, height - 4.5 * size
    chart.data = [[v.get("pain_now") for v in visits], [v.get("pain_during_run") for v in visits]]
    chart.categoryAxis.categoryNames = names
    _fit_labels(chart.categoryAxis, w, names, chart.width / len(names), size)
    axis = chart.valueAxis
    axis.valueMin, axis.valueMax, axis.valueStep = 0, 10, 2
    axis.labels.fontName, axis.labels.fontSize = w.styles.regular, size
    axis.visibleGrid, axis.gridStrokeColor, axis.gridStrokeWidth = True, colors.Color(
        0.8, 0.8, 0.8), 0.4
    for number, (dash, marker) in enumerate(((None, "FilledCircle"), ((3, 2), "FilledSquare"))):
        line = chart.lines[number]
        line.strokeColor, line.strokeWidth = colors.black, 1.5
        line.strokeDashArray = dash
        line.symbol = makeMarker(marker, size=0.45 * size)
        line.symbol.fillColor = colors.black
    chart.joinedLines = 1
    drawing.add(chart)
    return drawing


def distance_chart(w: BaseWriter, visits: Sequence[Visit]) -> Drawing:
    """Running distance planned (white bars) and done (black bars) a week, per visit."""
    unit = distance_unit(visits)
    planned, done = w.label("progress_planned", unit=unit), w.label("progress_done", unit=unit)
    drawing, size, height = _frame(w, w.label("progress_chart_distance", unit=unit),
                                   [(WHITE, planned), (colors.black, done)],
                                   CHART_SHARE * w.width)
    chart = VerticalBarChart()
    names = _categories(w, visits)
    values = [[distance_in(v, "planned_distance", unit) or 0 for v in visits],
              [distance_in(v, "completed_distance", unit) or 0 for v in visits]]
    top = max(max(values[0]), max(values[1]), 10)
    chart.x, chart.y = 3 * size, 4 * size
    chart.width, chart.height = w.width - 4.3 * size, height - 4.5 * size
    chart.data = values
    chart.categoryAxis.categoryNames = names
    _fit_labels(chart.categoryAxis, w, names, chart.width / len(names), size)
    axis = chart.valueAxis
    axis.valueMin = 0
    axis.valueMax = top * 1.1
    axis.labels.fontName, axis.labels.fontSize = w.styles.regular, size
    chart.bars.strokeColor, chart.bars.strokeWidth = colors.black, 0.8
    chart.bars[0].fillColor, chart.bars[1].fillColor = WHITE, colors.black
    chart.barSpacing, chart.groupSpacing = 1, 0.4 * size
    drawing.add(chart)
    return drawing


def _unit(w: BaseWriter, unit: str) -> str:
    return w.label("unit_percent") if unit == "%" else w.label("unit_points")


def table(w: BaseWriter, visits: Sequence[Visit]) -> Any:
    """The numbers behind the charts: a row per quantity, a column per visit (the latest
    as many as the width holds, each date on its own lines)."""
    unit = distance_unit(visits)
    rows = [
        (w.label("progress_pain_now"), [v.get("pain_now") for v in visits]),
        (w.label("progress_pain_run"), [v.get("pain_during_run") for v in visits]),
        (w.label("progress_planned", unit=unit),
         [distance_in(v, "planned_distance", unit) for v in visits]),
        (w.label("progress_done", unit=unit),
         [distance_in(v, "completed_distance", unit) for v in visits]),
    ]
    measures: dict[str, Mapping[str, Any]] = {}
    for visit in visits:
        for ident, measure in (visit.get("measures") or {}).items():
            measures.setdefault(ident, measure)
    for ident, measure in measures.items():
        label = w.label("progress_measure", measure=measure["name"],
                        unit=_unit(w, measure.get("unit", "points")))
        rows.append((label, [((v.get("measures") or {}).get(ident) or {}).get("score")
                             for v in visits]))
    dates = _categories(w, visits)
    first = min(max(w.column_width(None, [label], bold=True) for label, _ in rows),
                0.4 * w.width)
    slot = max(w.column_width(date, ["100"]) for date in dates)
    shown = max(1, min(len(visits), int((w.width - first) // slot)))
    keep = slice(len(visits) - shown, None)
    header = [w.label("visit"), *dates[keep]]
    body = [[label, *(_number(x, w) for x in values[keep])] for label, values in rows]
    column = (w.width - first) / shown
    return w.grid(header, body, [first] + [column] * shown, bold_first_column=True, wrap=[0])


def progress(w: BaseWriter, visits: Sequence[Visit] | None) -> list[Any]:
    """The section, or nothing with fewer than two visits."""
    visits = sorted(visits or (), key=lambda v: v["date"])
    if len(visits) < 2:
        return []
    pains, running = sentences(w, visits)
    words = pains + running
    head = w.para(w.text("heading_progress"), "h1") + w.para(w.text("progress_intro"))
    body = [b for text in words for b in w.para(text, "strong")]
    charts = [w.chart(pain_chart(w, visits), " ".join(pains) or w.label("progress_chart_pain"))]
    if any(v.get("planned_distance") is not None or v.get("completed_distance") is not None
           for v in visits):
        charts.append(w.chart(distance_chart(w, visits), " ".join(running) or w.label(
            "progress_chart_distance", unit=distance_unit(visits))))
    return [w.keep([*head, *body]), *(w.keep([c]) for c in charts), w.keep([table(w, visits)])]


__all__ = ["MILE_KM", "distance_chart", "distance_in", "distance_unit", "pain_chart",
           "progress", "sentences", "table"]
