"""Each exercise as the runner does it at home (issue 15 items 1-4): a picture, the dose
as the clinician set it in a grid, the stop-if line, a QR code of the clinic's video
link with the link under it, and the clinic's phone on page 1."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pypdf import PdfReader

from ankle_intake import assess, load_answers
from ankle_intake.guidance import CONTENT
from ankle_intake.guidance.handout_content import HANDOUT
from ankle_intake.guidance.pictures import picture
from ankle_intake.reports import pictures as placed
from ankle_intake.reports.exercise_card import PICTURE_SHARE
from ankle_intake.reports.handout import MARGIN, render_assessment
from ankle_intake.reports.html import render_assessment_html

from casebook import days_ago, intake
from handout_helpers import CLINIC, SIGNED, dose, flat, make_plan, pdf_pages

VIDEO = "https://videos.example-clinic.org/ankle/{exercise_id}"
PATIENT = "Zoë O'Brien"
RUNNER = intake(onset="sudden", sprain_grade="I", injury_date=days_ago(21), swelling="none",
                pain_running=0, weekly_distance=40, patient_name=PATIENT)
PLAN = make_plan(
    "caution",
    dose("calf_stretch", 1, 2, hold=30, times=2, per="week"),
    dose("eccentric_heel_drops", 3, 15, times=1, per="day"),
    dose("clamshells", 2, 12, times=3, per="week"),
    dose("ankle_circuit", 1, 1),
    review_date="2026-03-16",
)
_NO_ZBAR = shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None
if _NO_ZBAR and os.environ.get("CI"):  # .ci/run installs zbar-tools: missing is a CI fault
    raise RuntimeError("CI is set but zbarimg or pdftoppm is missing: .ci/run installs them")
needs_zbar = pytest.mark.skipif(_NO_ZBAR, reason="zbarimg (zbar-tools) and pdftoppm are needed")


def stored() -> tuple[dict[str, Any], dict[str, Any]]:
    answers = load_answers(RUNNER)
    return answers, assess(answers)


def render(**options: Any) -> bytes:
    return render_assessment(*stored(), **{"plan": PLAN, "signoff": SIGNED, "clinic": CLINIC,
                                           "video_url": VIDEO, **options})


def name_of(exercise_id: str) -> str:
    (ex,) = [e for e in CONTENT.exercises if e["id"] == exercise_id]
    return ex["name"]


def decoded(pdf: bytes, tmp_path: Path) -> list[str]:
    """Every QR code on every page, as zbarimg reads it from a 150 dpi PNG."""
    (tmp_path / "h.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(tmp_path / "h.pdf"),
                    str(tmp_path / "p")], check=True)
    pngs = sorted(str(p) for p in tmp_path.glob("p-*.png"))
    done = subprocess.run(["zbarimg", "--raw", "-q", *pngs], capture_output=True, text=True)
    assert done.returncode in (0, 4), done.stderr  # 4: no code found anywhere
    return [line for line in done.stdout.splitlines() if line]


# -- the picture and the dose -------------------------------------------------------

def _bands(pdf: bytes) -> list[dict[str, Any]]:
    """Per exercise card: its page, the heading's bottom and the next heading's top."""
    headings = [f"{n}. {name_of(c['id'])}" for n, c in enumerate(PLAN["exercises"], start=1)]
    found: list[dict[str, Any]] = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages):
            lines = page.extract_text_lines()
            for line in lines:
                if line["text"] in headings:
                    found.append({"page": number, "top": line["bottom"], "text": line["text"]})
        for here, after in zip(found, found[1:] + [None], strict=True):
            same = after is not None and after["page"] == here["page"]
            here["bottom"] = after["top"] - 20 if same else doc.pages[here["page"]].height
    return found


def drawn_beside(pdf: bytes) -> dict[str, int]:
    """Per card: the lines and curves drawn in its picture column, under its heading."""
    out = {}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for band in _bands(pdf):
            page = doc.pages[band["page"]]
            right = MARGIN + PICTURE_SHARE * (page.width - 2 * MARGIN)
            shapes = [s for s in page.lines + page.curves + page.rects
                      if s["x1"] <= right + 1 and band["top"] <= s["top"] <= band["bottom"]]
            out[band["text"]] = len(shapes)
    return out


def test_every_planned_exercise_has_a_picture_in_its_card() -> None:
    counts = drawn_beside(render())
    assert list(counts) == [f"{n}. {name_of(c['id'])}"
                            for n, c in enumerate(PLAN["exercises"], start=1)]
    assert all(count >= 5 for count in counts.values()), counts


def test_the_picture_check_fails_without_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(placed, "_source", lambda exercise_id: None)
    counts = drawn_beside(render(video_url=None))
    assert counts and all(count < 5 for count in counts.values()), counts  # grid rules only


def test_every_planned_exercise_has_its_dose_grid_and_stop_line() -> None:
    text = flat(" ".join(pdf_pages(render())))
    label = HANDOUT.label
    expected = {
        "calf_stretch": [f"{label('grid_reps')} 2", f"{label('grid_hold')} 30 seconds",
                         f"{label('grid_often')} 2 days a week"],
        "eccentric_heel_drops": [f"{label('grid_sets')} 3", f"{label('grid_reps')} 15",
                                 f"{label('grid_often')} Once a day"],
        "clamshells": [f"{label('grid_sets')} 2", f"{label('grid_reps')} 12",
                       f"{label('grid_often')} 3 days a week"],
        "ankle_circuit": [f"{label('grid_amount')} 5 minutes after a run"],
    }
    for number, chosen in enumerate(PLAN["exercises"], start=1):
        start = text.index(f"{number}. {name_of(chosen['id'])}")
        following = f"{number + 1}. "
        card = text[start:text.find(following, start) if following in text[start:] else None]
        for row in expected[chosen["id"]]:
            assert row in card, (chosen["id"], row)
        (ex,) = [e for e in CONTENT.exercises if e["id"] == chosen["id"]]
        assert ex["stop_if"] in card


def test_the_html_card_inlines_the_picture_named_by_its_alt_text() -> None:
    page = render_assessment_html(*stored(), plan=PLAN, signoff=SIGNED, clinic=CLINIC,
                                  video_url=VIDEO)
    for chosen in PLAN["exercises"]:
        alt = html.escape(picture(chosen["id"]).alt_text("en"), quote=True)
        assert f'role="img" aria-label="{alt}"' in page, chosen["id"]
    assert page.count('<svg class="ai-h-picture-svg"') == len(PLAN["exercises"])
    assert "<?xml" not in page and "<!DOCTYPE" not in page
    # The dose grid is a table in each card.
    assert page.count(f'<th scope="row">{HANDOUT.label("grid_often")}</th>') == 3


# -- the video link -----------------------------------------------------------------

@needs_zbar
def test_each_exercise_has_a_qr_code_that_decodes_to_its_video(tmp_path: Path) -> None:
    pdf = render()
    urls = [VIDEO.format(exercise_id=c["id"]) for c in PLAN["exercises"]]
    assert sorted(decoded(pdf, tmp_path)) == sorted(urls)
    text = flat(" ".join(pdf_pages(pdf)))
    for url in urls:  # the short URL printed under the code (it may wrap at the column)
        assert url.removeprefix("https://") in text.replace(" ", "").replace("\n", "")


@needs_zbar
def test_no_video_setting_no_qr_code(tmp_path: Path) -> None:
    pdf = render(video_url="")
    assert decoded(pdf, tmp_path) == []
    assert "videos.example-clinic.org" not in flat(" ".join(pdf_pages(pdf)))


def test_no_patient_data_in_any_link() -> None:
    page = render_assessment_html(*stored(), plan=PLAN, signoff=SIGNED, clinic=CLINIC,
                                  video_url=VIDEO)
    links = re.findall(r'href="([^"]+)"', page)
    assert links == [VIDEO.format(exercise_id=c["id"]) for c in PLAN["exercises"]]
    for link in links:
        assert "O'Brien" not in link and "Zo" not in link and "2026" not in link


def test_the_html_qr_code_has_the_pdfs_modules() -> None:
    from ankle_intake.reports.qr import qr_modules, qr_svg

    url = VIDEO.format(exercise_id="calf_stretch")
    svg = qr_svg(url, "QR")
    dark = sum(sum(row) for row in qr_modules(url))
    drawn = re.search(r' d="([^"]+)"', svg).group(1)
    widths = sum(int(w) for w in re.findall(r"h(\d+)v", drawn))
    assert widths == dark and 'role="img"' in svg


# -- the clinic on page 1 ---------------------------------------------------------

def test_the_clinic_phone_address_clinician_and_review_date_are_on_page_1() -> None:
    first = flat(PdfReader(io.BytesIO(render())).pages[0].extract_text())
    for part in (CLINIC["name"], CLINIC["phone"], CLINIC["address"], "Dr Ada Ode",
                 "16 March 2026", HANDOUT.text("call_us", phone=CLINIC["phone"])):
        assert part in first, part


def test_without_a_phone_there_is_no_call_us_line() -> None:
    pdf = render(clinic={**CLINIC, "phone": ""})
    text = flat(" ".join(pdf_pages(pdf)))
    assert CLINIC["phone"] not in text
    assert HANDOUT.text("call_us", phone="").split("{")[0].strip(" .") not in text


# -- the same input, the same bytes -------------------------------------------------

def test_identical_input_gives_identical_bytes_with_pictures_and_qr_codes() -> None:
    first = render(large_print=True)
    assert render(large_print=True) == first
    assert render(large_print=True, video_url=VIDEO.replace("ankle", "feet")) != first


def test_pictures_qr_codes_and_charts_bring_no_other_font() -> None:
    from test_handout_progress import VISITS

    reader = PdfReader(io.BytesIO(render(progress=VISITS)))
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVuSans" in name for name in fonts), fonts
