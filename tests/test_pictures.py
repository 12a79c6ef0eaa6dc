"""The exercise pictures: one safe, printable line drawing per exercise, with alt text."""

from __future__ import annotations

import copy
import importlib
import io
import json
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path

import pdfplumber
import pytest
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

from ankle_intake.guidance import CONTENT, ContentError
from ankle_intake.guidance import pictures as pics

EXERCISE_IDS = [exercise["id"] for exercise in CONTENT.exercises]
DATA = resources.files("ankle_intake.guidance").joinpath("data")
SVG = "{http://www.w3.org/2000/svg}"
BODY_PARTS = re.compile(r"\b(foot|feet|heels?|toes?|ankles?|knees?|hips?|legs?|calf|arch|"
                        r"arms?|hands?|forearm|back|body|shoulders?)\b")


def raw_data() -> dict:
    return json.loads(DATA.joinpath("pictures.json").read_text("utf-8"))


def packaged(file: str):
    path = DATA.joinpath("pictures", file)
    return (path, path.read_text("utf-8")) if path.is_file() else None


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_exercise_has_a_picture_with_its_panels(exercise_id: str) -> None:
    art = pics.picture(exercise_id)
    assert art.exercise_id == exercise_id
    assert len(art.panels) >= 2
    assert all(label.strip() for label in art.labels("en"))
    root = ET.fromstring(art.svg)
    assert len([node for node in root if node.tag == f"{SVG}g"]) == len(art.panels)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_each_svg_is_safe_to_inline(exercise_id: str) -> None:
    text = pics.picture(exercise_id).svg
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    box = [float(v) for v in root.attrib["viewBox"].split()]
    assert len(box) == 4 and box[2] > 0 and box[3] > 0
    tags = {node.tag.rpartition("}")[2] for node in root.iter()}
    assert not tags & {"script", "style", "foreignObject", "image", "use", "a", "text"}
    for node in root.iter():
        for name, value in node.attrib.items():
            assert not name.endswith("href") and not name.startswith("on"), name
            assert name not in ("style", "id", "class"), name
            assert "url(" not in value and "http" not in value.replace(SVG[1:-1], "")
    assert "<!DOCTYPE" not in text and "<linearGradient" not in text and "<filter" not in text


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_drawing_has_the_asked_width_and_keeps_its_shape(exercise_id: str) -> None:
    art = pics.picture(exercise_id)
    for width in (45 * mm, 200.0):
        drawn = pics.drawing(exercise_id, width)
        assert isinstance(drawn, Drawing)
        assert drawn.width == pytest.approx(width)
        assert drawn.height / drawn.width == pytest.approx(art.height / art.width)
        assert pics.drawing(exercise_id, width) is drawn  # cached


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_each_drawing_renders_strokes_onto_a_pdf_page(exercise_id: str) -> None:
    out = io.BytesIO()
    renderPDF.drawToFile(pics.drawing(exercise_id, 45 * mm), out)
    with pdfplumber.open(io.BytesIO(out.getvalue())) as pdf:
        (page,) = pdf.pages
        marks = page.lines + page.curves + page.rects
        assert len(marks) >= 10  # a figure and its props, not an empty page
        assert page.width == pytest.approx(45 * mm, abs=1)


def _panel_spans(exercise_id: str) -> list[tuple[float, float, tuple[float, ...]]]:
    """Each panel's left and right edge and the bounds of what it draws, in SVG units."""
    from svglib.svglib import svg2rlg

    art = pics.picture(exercise_id)
    ET.register_namespace("", SVG[1:-1])
    root = ET.fromstring(art.svg)
    groups = [node for node in root if node.tag == f"{SVG}g"]
    offsets = [float(re.match(r"translate\(([-\d.]+)", g.get("transform")).group(1))
               for g in groups]
    spacing = offsets[1] - offsets[0]
    panel_w = art.width - (len(groups) - 1) * spacing
    spans = []
    for group, left in zip(groups, offsets, strict=True):
        alone = copy.deepcopy(root)
        for node in list(alone):
            alone.remove(node)
        alone.append(group)
        drawn = svg2rlg(io.BytesIO(ET.tostring(alone)))
        scale = drawn.width / art.width
        bounds = tuple(v / scale for v in drawn.getBounds())
        spans.append((left, left + panel_w, bounds))
    return spans


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_each_panel_stays_inside_its_own_box(exercise_id: str) -> None:
    """Nothing spills into the next panel, off the page's drawing or out of the HTML viewBox."""
    height = pics.picture(exercise_id).height
    for left, right, (x0, y0, x1, y1) in _panel_spans(exercise_id):
        assert left - 1 <= x0 and x1 <= right + 1, (exercise_id, left, right, x0, x1)
        assert -1 <= y0 and y1 <= height + 1, (exercise_id, y0, y1, height)


def test_a_bad_width_is_refused() -> None:
    with pytest.raises(ValueError, match="width_pt"):
        pics.drawing("calf_raises", 0)
    with pytest.raises(KeyError, match="hopscotch"):
        pics.picture("hopscotch")


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_alt_texts_are_plain_and_say_what_moves(exercise_id: str) -> None:
    alt = pics.picture(exercise_id).alt_text("en")
    words = alt.split()
    assert 6 <= len(words) <= 25, alt
    assert BODY_PARTS.search(alt.lower()), alt
    assert not re.search(r"[<>&{}]|\b(dorsi|plantar|eversion|inversion|flex)", alt.lower()), alt


def test_every_item_of_the_data_names_an_exercise() -> None:
    raw = raw_data()
    assert set(raw["items"]) == set(EXERCISE_IDS)
    assert "MIT" in raw["licence"] and pics.LICENCE == raw["licence"]


def test_a_missing_picture_entry_names_the_exercise() -> None:
    raw = raw_data()
    del raw["items"]["towel_curls"]
    with pytest.raises(ContentError, match="'towel_curls' has no picture"):
        pics.check_pictures(raw, EXERCISE_IDS, packaged)


def test_a_missing_file_names_the_exercise() -> None:
    def lose_one(file: str):
        return None if file == "clamshells.svg" else packaged(file)

    with pytest.raises(ContentError, match="'clamshells'.*no file"):
        pics.check_pictures(raw_data(), EXERCISE_IDS, lose_one)


@pytest.mark.parametrize("damage, message", [
    (lambda t: t.replace("<g ", '<script>alert(1)</script><g ', 1), "<script>"),
    (lambda t: t.replace("<line ", '<line style="stroke:red" ', 1), "'style'"),
    (lambda t: t.replace("<line ", '<line onclick="x()" ', 1), "'onclick'"),
    (lambda t: t.replace("<line ", '<line id="arm" ', 1), "prefixed"),
    (lambda t: t.replace("<line ", '<line fill="url(http://x/y)" ', 1), "outside"),
    (lambda t: re.sub(r' viewBox="[^"]*"', "", t), "viewBox"),
    (lambda t: t.replace("</svg>", ""), "well-formed"),
    (lambda t: t.replace("<g ", "<g><line/></g><g ", 1), "draws 3"),
])
def test_an_unsafe_or_broken_file_names_the_exercise(damage, message: str) -> None:
    def read(file: str):
        path, text = packaged(file)
        return (path, damage(text)) if file == "side_planks.svg" else (path, text)

    with pytest.raises(ContentError, match=re.escape(message)) as caught:
        pics.check_pictures(raw_data(), EXERCISE_IDS, read)
    assert "'side_planks'" in str(caught.value)


def test_a_picture_for_no_exercise_or_without_a_licence_is_refused() -> None:
    raw = raw_data()
    raw["items"]["moonwalk"] = copy.deepcopy(raw["items"]["calf_raises"])
    with pytest.raises(ContentError, match="moonwalk"):
        pics.check_pictures(raw, EXERCISE_IDS, packaged)
    raw = raw_data()
    raw["licence"] = ""
    with pytest.raises(ContentError, match="licence"):
        pics.check_pictures(raw, EXERCISE_IDS, packaged)


def test_alt_text_is_a_mapping_of_language_to_text() -> None:
    raw = raw_data()
    for entry in [*raw["items"].values(), *raw["panel_labels"].values()]:  # English only
        (entry.get("alt") if "alt" in entry else entry).pop("es", None)
    raw["items"]["calf_raises"]["alt"]["es"] = "De pie, subir sobre las puntas de los pies."
    raw["panel_labels"]["start"]["es"] = "Inicio"
    loaded = pics.check_pictures(raw, EXERCISE_IDS, packaged)
    assert loaded["calf_raises"].alt_text("es").startswith("De pie")
    assert loaded["calf_raises"].labels("es") == ("Inicio", "End")  # untranslated: English
    assert loaded["glute_bridges"].alt_text("es") == loaded["glute_bridges"].alt["en"]
    for bad in ({"es": "Solo en español"}, {"en": ""}, "A string, not a mapping"):
        raw["items"]["calf_raises"]["alt"] = bad
        with pytest.raises(ContentError, match="'calf_raises'"):
            pics.check_pictures(raw, EXERCISE_IDS, packaged)


def test_an_unknown_panel_name_is_refused() -> None:
    raw = raw_data()
    raw["items"]["short_foot"]["panels"] = ["start", "finish"]
    with pytest.raises(ContentError, match="'short_foot' needs panels"):
        pics.check_pictures(raw, EXERCISE_IDS, packaged)


def _generator(monkeypatch: pytest.MonkeyPatch):
    """tools/draw_exercises.py (not installed), imported from the checkout as a script would."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "tools"))
    for name in ("draw_exercises", "figure"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module("draw_exercises")


def test_the_committed_files_are_what_the_generator_draws(
        monkeypatch: pytest.MonkeyPatch) -> None:
    generator = _generator(monkeypatch)
    assert set(generator.PICTURES) == set(EXERCISE_IDS)
    for exercise_id, spec in generator.PICTURES.items():
        art = pics.picture(exercise_id)
        assert generator.svg(spec) == art.svg, f"run tools/draw_exercises.py ({exercise_id})"
        assert spec.panels == art.panels


def test_the_wheel_ships_every_drawing(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ankle_intake/guidance/data/pictures.json" in names
    for exercise_id in EXERCISE_IDS:
        file = raw_data()["items"][exercise_id]["file"]
        assert f"ankle_intake/guidance/data/pictures/{file}" in names
