"""The patient handout PDF: sections, escaping, fonts, sizes, footer, determinism."""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from ankle_intake import InvalidAnswers, render_handout
from ankle_intake.forms import load_answers
from ankle_intake.guidance import RULES_VERSION, evaluate
from ankle_intake.guidance.handout_content import HANDOUT
from ankle_intake.reports.handout import render_assessment
from ankle_intake.reports.html import render_handout_html
from ankle_intake.reports.styles import SHAPES, get_styles

from casebook import days_ago, intake, vignette_answers, vignette_cases
from handout_helpers import flat, pdf_pages, pdf_text, png_gray_pixels, render_text

HOSTILE = "Zoë O'Brien <b>&amp;</b> <script>"


def case(name: str) -> dict[str, Any]:
    (found,) = [c for c in vignette_cases() if c["name"] == name]
    return vignette_answers(found)


SPRAIN_DAY_1 = "acute grade I lateral sprain, day 1"
SORENESS = "dull ache after a long run"
FRACTURE = "metatarsal stress fracture pattern"
OTTAWA = "Ottawa positive after an ankle roll"
RETURN_40K = "return to running after a healed grade I sprain, 40 km a week before"

needs_cases = pytest.mark.skipif(not vignette_cases(), reason="no shared vignettes")

# A gradual sprain-free ache, built here so the tests also run without ../shared.
SORE = intake(pain_locations=["outer_ankle"], pain_now=1, pain_running=1,
              pain_pattern=["ache_after_long_run"])
SPRAIN = intake(onset="sudden", pain_now=3, sprain_grade="I", swelling="mild",
                injury_date=days_ago(1))
FRACTURE_SIGNS = intake(pain_locations=["top_of_foot"], pain_now=4, pain_running=7,
                        point_tenderness=True, pain_walking=True,
                        pain_pattern=["worse_with_impact"])
RETURNING = intake(onset="sudden", sprain_grade="I", injury_date=days_ago(21),
                   swelling="none", pain_running=0, weekly_distance=40)


def heading(item_id: str) -> str:
    return HANDOUT.text(item_id)


def test_sections_come_in_the_issue_order() -> None:
    text = render_text(SPRAIN, clinic_name="Riverside Physio")
    order = ["Riverside Physio", heading("title"), heading("heading_now"),
             heading("heading_get_help"), heading("heading_conditions"), heading("heading_rice"),
             heading("heading_exercises"), heading("heading_return"), heading("heading_pain_rule"),
             heading("heading_prevention"), heading("heading_log")]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)


def test_plain_soreness_has_no_rice_and_no_referral() -> None:
    text = render_text(SORE)
    assert heading("heading_rice") not in text
    assert heading("referral_title") not in text
    assert heading("heading_exercises") in text and heading("heading_log") in text


def test_rice_prints_when_it_applies() -> None:
    text = render_text(SPRAIN)
    assert heading("heading_rice") in text
    assert "15 to 20 minutes at a time, 3 to 4 times a day" in text
    assert "No heat until the swelling has gone." in text


@pytest.mark.parametrize("answers", [intake(
    onset="sudden", pain_now=8, swelling="severe", bruising=True, injury_date=days_ago(0),
    ottawa={"tender_lateral_malleolus": True, "unable_to_bear_weight": True})])
def test_a_blocking_red_flag_replaces_exercises_with_a_referral_sheet(
    answers: dict[str, Any],
) -> None:
    pdf = render_handout(answers)
    pages = [flat(p) for p in pdf_pages(pdf)]
    text = " ".join(pages)
    assert heading("heading_exercises") not in text
    assert heading("heading_log") not in text
    assert heading("heading_run_walk") not in text
    assert heading("heading_pain_rule") not in text
    assert "Earliest day to try a run" not in text
    assert heading("heading_on_hold") in text
    assert heading("heading_arranged") in text
    assert heading("referral_title") in pages[-1]
    assert heading("referral_ask") in pages[-1]
    assert heading("referral_title") not in " ".join(pages[:-1])
    for name in ("Heel drops", "Ankle alphabet", "Calf raises", "Glute bridges"):
        assert name not in text


@pytest.mark.parametrize("answers", [FRACTURE_SIGNS, intake(
    pain_locations=["inner_ankle", "arch"], pain_now=3, nerve_symptoms=["burning"])])
def test_a_red_flag_that_does_not_block_keeps_the_exercises_it_allows(
    answers: dict[str, Any],
) -> None:
    text = render_text(answers)
    assert heading("heading_arranged") in text
    assert heading("heading_exercises") in text
    assert heading("referral_title") not in text
    held = set(evaluate(load_answers(answers))["exercises_held"])
    assert held >= {"loading", "impact"}
    for name in ("Heel drops", "Calf raises", "Band push-outs", "5-minute ankle circuit"):
        assert name not in text  # held kinds simply do not appear, in the programme or after


def test_no_red_flag_no_arranged_box_but_always_the_get_help_box() -> None:
    text = render_text(SORE)
    assert heading("heading_arranged") not in text
    assert heading("heading_get_help") in text and HANDOUT.text("get_help_limp") in text


def test_the_week_table_prints_only_with_a_weekly_distance() -> None:
    with_distance = render_text(RETURNING)
    assert heading("heading_weeks") in with_distance
    assert "20 km" in with_distance and "22 to 23 km" in with_distance
    assert "2 March 2026" in with_distance  # dated from the earliest return, never the past
    assert "23 February 2026" not in with_distance
    without = render_text({k: v for k, v in RETURNING.items() if k != "weekly_distance"})
    assert heading("heading_weeks") not in without and " km" not in without


def test_the_week_table_speaks_miles_when_asked() -> None:
    text = render_text({**RETURNING, "weekly_distance": 20, "distance_unit": "mi"})
    assert "10 mi" in text and " km" not in text


def test_a_hostile_name_prints_literally() -> None:
    text = render_text({**SORE, "patient_name": HOSTILE, "clinician_name": "Łukasz Nguyễn"},
                       clinic_name="<i>Clinic</i> & Co")
    assert HOSTILE in text
    assert "Łukasz Nguyễn" in text
    assert "<i>Clinic</i> & Co" in text


def test_references_are_never_printed() -> None:
    text = render_text({**SORE, "patient_ref": "MRN-55501", "encounter_ref": "ENC-99321"})
    assert "MRN-55501" not in text and "ENC-99321" not in text


def test_the_header_names_patient_date_side_and_clinician() -> None:
    text = render_text({**SPRAIN, "side": "both", "patient_name": "Nguyễn Văn An",
                        "clinician_name": "Dr Ada Ode"}, clinic_name="Riverside Physio")
    first = text[: text.index(heading("heading_now"))]
    for part in ("Riverside Physio", "Nguyễn Văn An", "2 March 2026", "Both", "Dr Ada Ode"):
        assert part in first


def test_every_page_has_the_footer() -> None:
    pages = pdf_pages(render_handout(RETURNING, large_print=True))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        page = flat(page)
        assert f"Page {number} of {len(pages)}" in page
        assert f"Guidance version {RULES_VERSION}" in page
        assert heading("disclaimer") in page


def test_a_medical_term_is_explained_once_where_it_first_appears() -> None:
    text = render_text(FRACTURE_SIGNS)
    xray = "What this means: An X-ray is a picture of your bones."
    assert text.count(xray) == 1
    assert text.index("X-ray") < text.index(xray)
    # The condition summary explains a sprain itself: no extra line for it.
    assert "What this means: A sprain" not in render_text(SPRAIN)


def test_identical_answers_give_identical_bytes() -> None:
    answers = {**RETURNING, "patient_name": HOSTILE}
    first = render_handout(answers, clinic_name="Riverside", large_print=True)
    assert render_handout(dict(answers), clinic_name="Riverside", large_print=True) == first
    assert render_handout({**answers, "pain_now": 1}, clinic_name="Riverside") != first


@pytest.mark.parametrize(("size", "points"), [("A4", (595.28, 841.89)), ("letter", (612, 792)),
                                              ("LETTER", (612, 792))])
def test_page_size(size: str, points: tuple[float, float]) -> None:
    reader = PdfReader(io.BytesIO(render_handout(SORE, page_size=size)))
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == points


def test_an_unknown_page_size_is_refused() -> None:
    with pytest.raises(ValueError, match="A4"):
        render_handout(SORE, page_size="A5")


def test_bad_answers_raise_invalid_answers() -> None:
    with pytest.raises(InvalidAnswers) as info:
        render_handout({**SORE, "pain_now": 11})
    assert "pain_now" in info.value.errors


def _font_sizes(pdf: bytes) -> dict[str, set[float]]:
    """Each printed text run -> the font sizes it is set in."""
    sizes: dict[str, set[float]] = {}

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            sizes.setdefault(text.strip(), set()).add(round(size * tm[3] * cm[3], 2))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_large_print_sets_body_text_at_14_points_or_more() -> None:
    styles = get_styles(large_print=True)
    for name, (size_key, *_rest) in SHAPES.items():
        if size_key != "small":
            assert styles[name].fontSize >= 14, name
    pdf = render_handout({**SPRAIN, "patient_name": "Ann Lee"}, large_print=True)
    small = {text for text, sizes in _font_sizes(pdf).items() if min(sizes) < 14}
    footer = (heading("disclaimer"), "Guidance version", "Page ", "Ann Lee")
    assert small and all(any(part in text for part in footer) for text in small), small
    normal = _font_sizes(render_handout(SPRAIN))
    assert min(min(s) for s in normal.values()) < 14  # the normal variant really is smaller


def test_the_font_is_embedded() -> None:
    reader = PdfReader(io.BytesIO(render_handout({**SORE, "patient_name": "Łukasz"})))
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVuSans" in name for name in fonts)
    assert not any("Helvetica" in name for name in fonts)


def test_importing_ankle_intake_does_not_load_reportlab() -> None:
    code = "import sys, ankle_intake; print('reportlab' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).parent.parent.parent)
    assert done.stdout.strip() == "False"


@pytest.mark.skipif(shutil.which("pdftoppm") is None and not os.environ.get("CI"),
                    reason="pdftoppm (poppler-utils) is not installed; CI installs it")
def test_page_one_renders_to_a_png_that_is_not_blank(tmp_path: Path) -> None:
    pdf = tmp_path / "handout.pdf"
    pdf.write_bytes(render_handout({**SPRAIN, "patient_name": HOSTILE}))
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", "40", "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    width, height, pixels = png_gray_pixels((tmp_path / "page.png").read_bytes())
    assert width > 300 and height > 400
    dark = sum(1 for p in pixels if p < 128) / len(pixels)
    assert 0.01 < dark < 0.5, dark


@needs_cases
def test_every_vignette_renders() -> None:
    for c in vignette_cases():
        if "status" in c["expect"]:
            with pytest.raises(InvalidAnswers):
                render_handout(vignette_answers(c))
            continue
        pages = pdf_pages(render_handout(vignette_answers(c)))
        assert 2 <= len(pages) <= 5, c["name"]
        assert heading("title") in pages[0]


@needs_cases
def test_vignettes_show_the_sections_their_assessment_calls_for() -> None:
    assert heading("heading_rice") in render_text(case(SPRAIN_DAY_1))
    assert heading("heading_rice") not in render_text(case(SORENESS))
    assert heading("heading_arranged") in render_text(case(FRACTURE))
    assert heading("referral_title") in render_text(case(OTTAWA))
    assert heading("heading_weeks") in render_text(case(RETURN_40K))
    assert heading("heading_weeks") not in render_text(case(SPRAIN_DAY_1))


def test_pdf_text_helper_reads_every_page() -> None:
    assert pdf_text(render_handout(SPRAIN)).count(heading("disclaimer")) >= 2


def test_a_stored_assessment_reprints_exactly() -> None:
    answers = load_answers({**RETURNING, "patient_name": HOSTILE})
    stored = json.loads(json.dumps({"answers": answers, "assessment": evaluate(answers)}))
    again = render_assessment(stored["answers"], stored["assessment"], page_size="letter")
    assert again == render_handout({**RETURNING, "patient_name": HOSTILE}, page_size="letter")


def test_the_bytes_do_not_depend_on_the_process() -> None:
    code = (
        "import sys, ankle_intake;"
        "sys.stdout.buffer.write(ankle_intake.render_handout(" + repr(RETURNING) + ","
        " clinic_name='Riverside'))"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert runs[0] == runs[1] == render_handout(RETURNING, clinic_name="Riverside")


@pytest.mark.parametrize("answers", [SPRAIN, SORE, FRACTURE_SIGNS, RETURNING])
def test_the_html_handout_says_what_the_pdf_says(answers: dict[str, Any]) -> None:
    page = render_handout_html({**answers, "patient_name": HOSTILE}, clinic_name="A & B")
    assert html.escape(HOSTILE, quote=True) in page and "<script>" not in page
    words = flat(html.unescape(re.sub(r"<[^>]+>", " ", page)))
    printed = render_text({**answers, "patient_name": HOSTILE}, clinic_name="A & B")
    for item_id in HANDOUT.items:
        text = HANDOUT.text(item_id) if item_id != "earliest_return" else "Earliest day"
        assert (text in words) == (text in printed), item_id
    assert HOSTILE in words and "A & B" in words
