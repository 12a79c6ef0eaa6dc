"""The server-drawn charts: valid SVG, gaps for missing values, honest geometry, safe text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from ankle_intake.reports.charts import Series, bar_chart, line_chart, number

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def pain(**kwargs: object) -> object:
    options = {"x_labels": ["1", "2", "3", "4"], "y_min": 0, "y_max": 10, "title": "Pain",
               "y_label": "Pain (0 to 10)", "id_prefix": "pain"}
    options.update(kwargs)
    series = options.pop("series", [Series("Pain now", [6, None, 4, 2])])
    return line_chart(series, **options)  # type: ignore[arg-type]


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def translate(element: ET.Element) -> tuple[float, float]:
    match = re.fullmatch(r"translate\(([-\d.]+) ([-\d.]+)\)", element.get("transform", ""))
    assert match, element.get("transform")
    return float(match[1]), float(match[2])


def grid_y(root: ET.Element) -> dict[float, float]:
    """The y of each labelled gridline, by its value: the chart's own axis."""
    return {float(line.get("data-value")): float(line.get("y1"))  # type: ignore[arg-type]
            for line in by_class(root, "ai-chart__grid")}


def test_the_svg_parses_and_names_itself_for_assistive_technology() -> None:
    chart = pain()
    root = parse(chart.svg)
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox", "").startswith("0 0 ")
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title is not None and title.text == "Pain" and title.get("id") == "pain-title"
    assert desc is not None and desc.get("id") == "pain-desc" and "Not recorded" in desc.text
    assert root.get("aria-labelledby") == "pain-title"
    assert root.get("aria-describedby") == "pain-desc"


def test_no_script_style_or_external_reference() -> None:
    chart = pain(band=(3, 9), band_label="MCID")
    root = parse(chart.svg)
    tags = {e.tag.removeprefix(SVG) for e in root.iter()}
    assert not tags & {"script", "style", "image", "use", "foreignObject", "a"}
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(k.endswith("href") for k in element.attrib)
        assert not any(k.startswith("on") for k in element.attrib)
    assert "url(" not in chart.svg and "http://" not in chart.svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_ids_follow_the_prefix_so_two_charts_can_share_a_page() -> None:
    one, two = pain(id_prefix="a-1"), pain(id_prefix="b_2")
    ids = [{e.get("id") for e in parse(c.svg).iter() if e.get("id")} for c in (one, two)]
    assert ids[0] == {"a-1-title", "a-1-desc"} and ids[1] == {"b_2-title", "b_2-desc"}
    with pytest.raises(ValueError, match="id_prefix"):
        pain(id_prefix='x" onload="alert(1)')


def test_a_missing_value_is_a_gap_not_a_point_at_zero() -> None:
    root = parse(pain().svg)
    points = by_class(root, "ai-chart__point")
    assert [p.get("data-index") for p in points] == ["0", "2", "3"]
    zero_y = grid_y(root)[0.0]
    assert all(translate(p)[1] != zero_y for p in points)
    (line,) = by_class(root, "ai-chart__line")
    # One drawn run, from the third value to the fourth: nothing joins across the gap.
    runs = re.findall(r"M[^M]*", line.get("d", ""))
    first_x = translate(points[0])[0]
    assert len(runs) == 1 and not runs[0].startswith(f"M{first_x:g} ")
    assert runs[0].count("L") == 1


def test_two_gaps_give_separate_runs() -> None:
    series = [Series("Pain", [1, 2, None, 3, 4])]
    root = parse(pain(series=series, x_labels=list("abcde")).svg)
    (line,) = by_class(root, "ai-chart__line")
    assert len(re.findall("M", line.get("d", ""))) == 2


def test_values_map_onto_the_axis() -> None:
    root = parse(pain(series=[Series("Pain", [0, 10, 4, 2.5])]).svg)
    grid = grid_y(root)
    assert set(grid) >= {0.0, 10.0}
    bottom, top = grid[0.0], grid[10.0]
    assert top < bottom  # SVG y grows downwards: higher pain is higher up
    for point in by_class(root, "ai-chart__point"):
        value = float(point.get("data-value"))  # type: ignore[arg-type]
        expected = bottom - (bottom - top) * value / 10
        assert translate(point)[1] == pytest.approx(expected, abs=0.06)
    assert translate(by_class(root, "ai-chart__point")[2])[1] == pytest.approx(grid[4.0], abs=0.06)
    xs = [translate(p)[0] for p in by_class(root, "ai-chart__point")]
    assert xs == sorted(xs) and len(set(xs)) == 4


def test_the_band_shades_its_range() -> None:
    chart = pain(series=[Series("CAIT", [14, 18, 20, None])], y_max=30, band=(11, 17),
                 band_label="Within 3 points of the first score")
    root = parse(chart.svg)
    (band,) = by_class(root, "ai-chart__band")
    rect = band.find(SVG + "rect")
    assert rect is not None
    grid = grid_y(root)
    bottom, top = grid[0.0], grid[30.0]
    scale = (bottom - top) / 30
    assert float(rect.get("y")) == pytest.approx(bottom - 17 * scale, abs=0.06)  # type: ignore[arg-type]
    assert float(rect.get("height")) == pytest.approx(6 * scale, abs=0.11)  # type: ignore[arg-type]
    legend = " ".join(by_class(root, "ai-chart__legend")[0].itertext())
    assert "Within 3 points of the first score" in legend
    assert "Within 3 points of the first score: 11 to 17" in root.find(SVG + "desc").text
    assert not by_class(parse(pain().svg), "ai-chart__band")


def test_a_band_past_the_axis_is_clipped_to_it() -> None:
    root = parse(pain(band=(-3, 4)).svg)
    rect = by_class(root, "ai-chart__band")[0].find(SVG + "rect")
    grid = grid_y(root)
    y, height = float(rect.get("y")), float(rect.get("height"))  # type: ignore[arg-type]
    assert y + height == pytest.approx(grid[0.0], abs=0.11)


def test_text_is_escaped() -> None:
    name = '<b>&"x'
    chart = line_chart([Series(name, [1, 2])], x_labels=["<i>", "2"], y_min=0, y_max=10,
                       title="T <script>", y_label="<y>", id_prefix="e")
    assert "<b>" not in chart.svg and "<script>" not in chart.svg and "<i>" not in chart.svg
    root = parse(chart.svg)
    texts = [t for t in root.itertext()]
    assert name in texts and "<i>" in texts and "<y>" in texts
    assert root.find(SVG + "title").text == "T <script>"
    series = by_class(root, "ai-chart__series")[0]
    assert series.get("data-name") == name
    bars = bar_chart(["<g>"], [Series(name, [3])], title="<t>", y_label="m", id_prefix="f")
    assert "<b>" not in bars.svg and name in list(parse(bars.svg).itertext())


def test_the_legend_tells_series_apart_without_colour() -> None:
    series = [Series("Pain now", [1, 2]), Series("Pain during running", [3, 4])]
    root = parse(pain(series=series, x_labels=["1", "2"]).svg)
    keys = by_class(root, "ai-chart__key")
    assert [" ".join(k.itertext()) for k in keys] == ["Pain now", "Pain during running"]
    dashes = [k.find(SVG + "line").get("stroke-dasharray") for k in keys]
    shapes = [[c.tag for c in k.find(SVG + "g")] for k in keys]
    assert dashes[0] != dashes[1] and shapes[0] != shapes[1]


def test_a_long_legend_name_wraps_between_words() -> None:
    name = "Within 3 points of the first score, the smallest change that matters"
    root = parse(pain(band=(1, 5), band_label=name).svg)
    key = by_class(root, "ai-chart__key")[-1]
    lines = [t.text or "" for t in key.iter(SVG + "tspan")]
    assert len(lines) > 1 and " ".join(lines) == name
    ys = [float(t.get("y")) for t in key.iter(SVG + "tspan")]  # type: ignore[arg-type]
    assert ys == sorted(set(ys))
    height = float(root.get("viewBox").split()[3])  # type: ignore[union-attr]
    assert max(ys) < height


def test_output_is_deterministic() -> None:
    def build() -> tuple[str, str]:
        return (pain(band=(1, 5)).svg,
                bar_chart(["1", "2"], [Series("P", [60, 90]), Series("C", [45, None])],
                          title="Run", y_label="min", id_prefix="r").svg)

    assert build() == build()


def test_table_rows_equal_the_data() -> None:
    values = [6, None, 4.25, 2]
    chart = pain(series=[Series("Pain now", values), Series("Pain running", [7, 5, None, 0])],
                 x_label="Visit", row_labels=["V1", "V2", "V3", "V4"])
    assert chart.table.caption == "Pain"
    assert chart.table.headers == ("Visit", "Pain now", "Pain running")
    assert chart.table.rows == (("V1", "6", "7"), ("V2", "Not recorded", "5"),
                                ("V3", "4.2", "Not recorded"), ("V4", "2", "0"))
    assert number(4.25) in ("4.2", "4.3")  # one decimal, whichever way the float rounds


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="3 values for 4 labels"):
        pain(series=[Series("Pain", [1, 2, 3])])
    with pytest.raises(ValueError, match="y_max"):
        pain(y_min=5, y_max=5)


def test_bars_gap_for_none_and_a_sliver_for_zero() -> None:
    chart = bar_chart(["1", "2", "3"],
                      [Series("Planned", [None, 60, 90]), Series("Completed", [None, 45, 0])],
                      title="Weekly running", y_label="Minutes", id_prefix="run",
                      x_label="Visit")
    root = parse(chart.svg)
    grid = grid_y(root)
    bottom = grid[0.0]
    top_value = max(grid)
    assert top_value >= 90
    bars = by_class(root, "ai-chart__bar")
    assert sorted((b.get("data-index"), b.get("data-value")) for b in bars) == [
        ("1", "45"), ("1", "60"), ("2", "0"), ("2", "90")]
    scale = (bottom - grid[top_value]) / top_value
    for bar in bars:
        value = float(bar.get("data-value"))  # type: ignore[arg-type]
        y, height = float(bar.get("y")), float(bar.get("height"))  # type: ignore[arg-type]
        assert y + height == pytest.approx(bottom, abs=0.11)
        if value:
            assert height == pytest.approx(value * scale, abs=0.11)
        else:
            assert 0 < height < 5  # visible, unlike a value not recorded
    planned, completed = by_class(root, "ai-chart__series")
    assert planned.find(SVG + "rect").get("fill") != completed.find(SVG + "rect").get("fill")
    assert chart.table.rows == (("1", "Not recorded", "Not recorded"), ("2", "60", "45"),
                                ("3", "90", "0"))


def test_bars_of_one_group_stay_inside_the_plot() -> None:
    chart = bar_chart(["only"], [Series("P", [30]), Series("C", [20])], title="t",
                      y_label="m", id_prefix="one")
    root = parse(chart.svg)
    width = float(root.get("viewBox").split()[2])  # type: ignore[union-attr]
    for bar in by_class(root, "ai-chart__bar"):
        x, w = float(bar.get("x")), float(bar.get("width"))  # type: ignore[arg-type]
        assert 0 < x and x + w < width
