"""The handout's layout (issue 15 item 5): no word outside its table cell or its page, no
heading alone at the foot of a page, the log naming each exercise, the run column from
the return phase on, in A4, letter and large print, for every shared vignette."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pdfplumber
import pytest

from ankle_intake import assess, load_answers
from ankle_intake.guidance import CONTENT
from ankle_intake.guidance.handout_content import HANDOUT
from ankle_intake.reports.handout import MARGIN, render_assessment
from ankle_intake.reports.styles import SIZES

from casebook import days_ago, intake, vignette_answers, vignette_cases
from handout_helpers import CLINIC, PROGRESS, SIGNED, dose, flat, make_plan, pdf_text

VIDEO = "https://videos.example-clinic.org/ankle/{exercise_id}"
VARIANTS = {"a4": {}, "letter": {"page_size": "letter"}, "large-a4": {"large_print": True},
            "large-letter": {"large_print": True, "page_size": "letter"}}
FIVE = ("calf_stretch", "single_leg_balance", "calf_raises", "resisted_eversion",
        "single_leg_squats")
#: Dates that print wide: a long month, a two-digit day.
SEPTEMBER = intake(onset="sudden", sprain_grade="I", injury_date="2026-09-07",
                   assessment_date="2026-09-28", swelling="none", pain_running=0,
                   weekly_distance=40)


def plan_for(assessment: dict[str, Any], count: int = 5) -> dict[str, Any]:
    """The engine's exercises with their default doses, topped up to ``count``."""
    chosen = [{"id": ex["id"], **ex["default_dose"]} for ex in assessment["exercises"]][:count]
    for extra in FIVE:
        if len(chosen) < count and extra not in {c["id"] for c in chosen}:
            chosen.append(dose(extra, 3, 12, times=2, per="day"))
    return make_plan(assessment["triage"]["level"], *chosen, review_date="2026-03-16")


def handouts() -> Iterator[tuple[str, bytes]]:
    cases = [("september", SEPTEMBER)] + [(c["name"], vignette_answers(c))
                                          for c in vignette_cases() if "status" not in c["expect"]]
    for name, raw in cases:
        answers = load_answers(raw)
        assessment = assess(answers)
        for variant, options in VARIANTS.items():
            yield f"{name} / {variant}", render_assessment(
                answers, assessment, plan=plan_for(assessment), signoff=SIGNED, clinic=CLINIC,
                video_url=VIDEO, progress=PROGRESS, **options)


@pytest.fixture(scope="module")
def rendered() -> list[tuple[str, bytes]]:
    return list(handouts())


def _cell_of(word: dict[str, Any], cells: list[tuple[float, ...]]) -> tuple[float, ...] | None:
    """The smallest table cell holding the word's centre (tables nest in the cards)."""
    x, y = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    holding = [c for c in cells if c[0] <= x <= c[2] and c[1] <= y <= c[3]]
    return min(holding, key=lambda c: (c[2] - c[0]) * (c[3] - c[1]), default=None)


def overflows(pdf: bytes) -> list[str]:
    """Words that cross the edge of their table cell or of the page, as 'page: word'."""
    out = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, start=1):
            cells = [cell for table in page.find_tables() for cell in table.cells if cell]
            for word in page.extract_words(keep_blank_chars=False, use_text_flow=True):
                if word["x0"] < 0 or word["x1"] > page.width or word["top"] < 0 \
                        or word["bottom"] > page.height:
                    out.append(f"{number}: {word['text']} (off the page)")
                    continue
                cell = _cell_of(word, cells)
                if cell and (word["x0"] < cell[0] - 0.5 or word["x1"] > cell[2] + 0.5):
                    out.append(f"{number}: {word['text']} crosses {cell}")
    return out


def heading_texts() -> set[str]:
    """Every heading the handout prints, without spaces (pdfplumber's chars have none)."""
    texts = {HANDOUT.text(i) for i in HANDOUT.items if i.startswith(("heading_", "referral_"))}
    texts |= {f"{n}. {ex['name']}" for ex in CONTENT.exercises for n in range(1, 8)}
    texts |= {f"{HANDOUT.label(c)}: {cond['name']}" for cond in CONTENT.conditions.values()
              for c in ("likely", "possible")}
    return {"".join(t.split()) for t in texts}


def stranded_headings(pdf: bytes, large: bool) -> list[str]:
    """Headings that are the last line of text above a page's footer rule."""
    sizes = SIZES["large" if large else "normal"]
    heading = {round(sizes["h1"], 1), round(sizes["h2"], 1)}
    known = heading_texts()
    out = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages[:-1], start=1):
            footer_top = page.height - 60  # the footer block: disclaimer, version, page
            lines: dict[float, list[dict[str, Any]]] = {}
            for char in page.chars:
                if char["bottom"] < footer_top - 5 and char["text"].strip():
                    lines.setdefault(round(char["bottom"]), []).append(char)
            if not lines:
                continue
            last = sorted(lines[max(lines)], key=lambda c: c["x0"])
            # At the text's left edge: a box's words (as large in large print) sit inside it.
            text = "".join(c["text"] for c in last)
            if abs(last[0]["x0"] - MARGIN) < 1 and text in known \
                    and all(round(c["size"], 1) in heading for c in last):
                out.append(f"page {number}: {text}")
    return out


def test_no_word_crosses_its_cell_or_the_page(rendered: list[tuple[str, bytes]]) -> None:
    assert len(rendered) >= 4 * 2
    problems = {name: found for name, pdf in rendered if (found := overflows(pdf))}
    assert problems == {}


def test_no_heading_is_left_alone_at_the_foot_of_a_page(
    rendered: list[tuple[str, bytes]],
) -> None:
    problems = {name: found for name, pdf in rendered
                if (found := stranded_headings(pdf, "large" in name))}
    assert problems == {}


def test_the_overflow_check_finds_a_date_that_runs_into_the_next_column() -> None:
    """The check can fail: a weeks table squeezed to the old fixed widths overflows."""
    from ankle_intake.reports import sections

    answers = load_answers(SEPTEMBER)
    original = sections.BaseWriter.column_width
    try:
        sections.BaseWriter.column_width = lambda self, header, cells, bold=False: 20.0
        squeezed = render_assessment(answers, assess(answers), large_print=True)
    finally:
        sections.BaseWriter.column_width = original
    assert overflows(squeezed)


def test_the_stranded_heading_check_finds_one() -> None:
    """The check can fail: a heading set as the last line of page 1 is found."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    from ankle_intake.reports.styles import get_styles

    styles = get_styles()
    loose = ParagraphStyle("loose", parent=styles["h1"], keepWithNext=0)
    buffer = io.BytesIO()
    # A plain frame pads its text by 6 points: start it 6 points left of the handout's.
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN - 6, bottomMargin=90)
    doc.build([Spacer(0, A4[1] - 300), Paragraph(HANDOUT.text("heading_conditions"), loose),
               PageBreak(), Paragraph("Body", styles["body"])])
    assert stranded_headings(buffer.getvalue(), large=False)


def _log(text: str) -> str:
    return text[text.index(HANDOUT.text("heading_log")):]


def test_the_log_names_each_exercise_and_adds_a_run_column_once_running_is_allowed() -> None:
    answers = load_answers(SEPTEMBER)
    assessment = assess(answers)
    assert not assessment["stop_running"]
    plan = plan_for(assessment)
    for options in VARIANTS.values():
        text = flat(pdf_text(render_assessment(answers, assessment, plan=plan, **options)))
        log = _log(text)
        for chosen in plan["exercises"]:
            (ex,) = [e for e in CONTENT.exercises if e["id"] == chosen["id"]]
            assert ex["name"] in log, (options, ex["id"])
        assert HANDOUT.label("run") in log
        assert "Ex. 1" not in log
    resting = load_answers(intake(onset="sudden", pain_now=3, sprain_grade="I", swelling="mild",
                                  injury_date=days_ago(1)))
    rest_assessment = assess(resting)
    assert rest_assessment["stop_running"]
    text = flat(pdf_text(render_assessment(resting, rest_assessment)))
    assert HANDOUT.label("run") not in _log(text)
