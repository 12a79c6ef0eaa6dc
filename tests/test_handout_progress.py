""""Your progress" in the handout (issue 14 item 4): from the second visit on, the runner's
own numbers as a sentence, a chart of the pains, bars of the running distance and a table."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pdfplumber
import pytest
from test_handout_layout import overflows

from ankle_intake import assess, load_answers
from ankle_intake.guidance.handout_content import HANDOUT
from ankle_intake.reports import progress as section
from ankle_intake.reports.handout import render_assessment
from ankle_intake.reports.html import render_assessment_html
from ankle_intake.reports.styles import get_styles
from ankle_intake.reports.writer import PdfWriter

from casebook import days_ago, intake
from handout_helpers import flat, pdf_pages

RUNNER = intake(onset="sudden", sprain_grade="I", injury_date=days_ago(21), swelling="none",
                pain_running=0, weekly_distance=40)


def visit(date: str, now: int | None, run: int | None, planned: float | None,
          done: float | None, faam: float | None = None) -> dict[str, Any]:
    measures = {} if faam is None else {
        "faam_adl": {"name": "FAAM daily living", "score": faam, "max": 100, "unit": "%"}}
    return {"date": date, "pain_now": now, "pain_during_run": run, "planned_distance": planned,
            "completed_distance": done, "unit": "km", "measures": measures}


VISITS = [visit("2026-02-16", 5, 7, 0, 0, 61), visit("2026-02-23", 3, 5, 40, 30, 72),
          visit("2026-03-02", 2, 2, 60, 45, 85)]


def stored() -> tuple[dict[str, Any], dict[str, Any]]:
    answers = load_answers(RUNNER)
    return answers, assess(answers)


def text_of(progress: Any, **options: Any) -> str:
    return flat(" ".join(pdf_pages(render_assessment(*stored(), progress=progress, **options))))


@pytest.mark.parametrize("progress", [None, [], VISITS[:1]])
def test_no_section_before_the_second_visit(progress: Any) -> None:
    assert HANDOUT.text("heading_progress") not in text_of(progress)
    page = render_assessment_html(*stored(), progress=progress)
    assert HANDOUT.text("heading_progress") not in page


def test_the_sentences_say_where_the_numbers_went() -> None:
    text = text_of(VISITS)
    assert HANDOUT.text("heading_progress") in text
    first, last = VISITS[0], VISITS[-1]
    assert HANDOUT.text("progress_pain_run", first=first["pain_during_run"],
                        last=last["pain_during_run"]) in text
    assert HANDOUT.text("progress_pain_now", first=first["pain_now"],
                        last=last["pain_now"]) in text
    assert HANDOUT.text("progress_distance", done="45 km", planned="60 km") in text
    assert "went from 7 to 2" in text  # the issue's own example, from these numbers


def test_missing_numbers_skip_their_sentence_and_print_as_not_recorded() -> None:
    visits = [visit("2026-02-16", 5, None, None, None), visit("2026-03-02", 3, 4, None, None)]
    text = text_of(visits)
    assert "while running went from" not in text  # one value is not a trend
    assert HANDOUT.text("progress_pain_now", first=5, last=3) in text
    assert "In the last week" not in text
    pains, running = section.sentences(PdfWriter(get_styles(), HANDOUT, 400), visits)
    assert len(pains) == 1 and running == []


def test_visits_print_in_date_order_whatever_order_they_come_in() -> None:
    text = text_of(list(reversed(VISITS)))
    assert "went from 7 to 2" in text


def _progress_table(pdf: bytes) -> list[list[str]]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for table in page.extract_tables():
                if table and table[0][0] == HANDOUT.label("visit"):
                    return [[flat(cell or "") for cell in row] for row in table]
    raise AssertionError("no progress table")


def test_the_table_holds_every_number_per_visit() -> None:
    rows = _progress_table(render_assessment(*stored(), progress=VISITS))
    assert rows[0][1:] == ["16 February 2026", "23 February 2026", "2 March 2026"]
    by_label = {row[0]: row[1:] for row in rows[1:]}
    assert by_label[HANDOUT.label("progress_pain_now")] == [str(v["pain_now"]) for v in VISITS]
    assert by_label[HANDOUT.label("progress_pain_run")] == [
        str(v["pain_during_run"]) for v in VISITS]
    assert by_label[flat(HANDOUT.label("progress_done", unit="km"))] == ["0", "30", "45"]
    assert by_label["FAAM daily living (%)"] == ["61", "72", "85"]


def test_the_charts_plot_the_visits_numbers() -> None:
    w = PdfWriter(get_styles(), HANDOUT, 480)
    pain = section.pain_chart(w, VISITS)
    (chart,) = [c for c in pain.contents if hasattr(c, "data")]
    assert chart.data == [[5, 3, 2], [7, 5, 2]]
    assert chart.valueAxis.valueMin == 0 and chart.valueAxis.valueMax == 10
    distance = section.distance_chart(w, VISITS)
    (bars,) = [c for c in distance.contents if hasattr(c, "data")]
    assert bars.data == [[0, 40, 60], [0, 30, 45]]


def test_the_html_has_the_table_and_the_charts_named_by_their_sentences() -> None:
    page = render_assessment_html(*stored(), progress=VISITS)
    words = html.unescape(page)
    charts = re.findall(r'<svg[^>]*class="ai-h-chart-svg"[^>]*aria-label="([^"]+)"', page)
    assert len(charts) == 2
    assert "went from 7 to 2" in html.unescape(charts[0])
    assert HANDOUT.text("progress_distance", done="45 km",
                        planned="60 km") in html.unescape(charts[1])
    assert ' style="' not in page  # the plugin's CSP allows no inline style
    assert "<th scope=\"col\">23 February 2026</th>" in page and "FAAM daily living" in words
    assert len(set(re.findall(r'\bid="([^"]+)"', page))) == len(re.findall(r'\bid="', page))


def test_many_visits_fit_in_large_print_and_the_same_input_gives_the_same_bytes() -> None:
    many = [visit(f"2026-0{1 + i // 4}-{10 + (i % 4) * 5}", 8 - i, 9 - i, 10 * i, 8 * i)
            for i in range(8)]
    pdf = render_assessment(*stored(), progress=many, large_print=True, page_size="letter")
    assert overflows(pdf) == []
    assert render_assessment(*stored(), progress=many, large_print=True,
                             page_size="letter") == pdf


def test_miles_and_kilometres_are_shown_in_the_latest_visits_unit() -> None:
    visits = [{**VISITS[1], "unit": "mi", "planned_distance": 10, "completed_distance": 5},
              {**VISITS[2], "unit": "km"}]
    w = PdfWriter(get_styles(), HANDOUT, 480)
    _, running = section.sentences(w, visits)
    assert running == [HANDOUT.text("progress_distance", done="45 km", planned="60 km")]
    (bars,) = [c for c in section.distance_chart(w, visits).contents if hasattr(c, "data")]
    assert bars.data == [[16.1, 60], [8.0, 45]]
