"""The handout prints the clinician's plan (issue 12): level, exercises and doses, the
patient note, the clinic's contact details, and "DRAFT" until the plan is signed."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ankle_intake import assess, load_answers
from ankle_intake.guidance import CONTENT
from ankle_intake.guidance.dosing import dose_words
from ankle_intake.guidance.handout_content import HANDOUT
from ankle_intake.reports.handout import render_assessment
from ankle_intake.reports.html import render_assessment_html

from casebook import days_ago, intake
from handout_helpers import (
    CLINIC,
    DRAFT,
    SIGNED,
    dose,
    engine_plan,
    flat,
    make_plan,
    pdf_pages,
    pdf_text,
    png_gray_pixels,
)

#: Two weeks after a grade II sprain: the engine suggests no running and a rehab programme.
REHAB = intake(onset="sudden", pain_now=2, sprain_grade="II", swelling="none",
               pain_walking=False, injury_date=days_ago(14), weekly_distance=30,
               patient_name="Ann Lee", clinician_name="Sam Physio")
#: Thompson test and the Ottawa ankle rule positive: the engine refers and holds exercise.
REFERRED = intake(
    onset="sudden", side="right", injury_date=days_ago(1), pain_now=5,
    pain_locations=["back_of_ankle", "outer_ankle"], mechanism="push_off_or_landing",
    special_tests={"thompson_test": "positive", "squeeze_test": "negative"},
    ottawa={"tender_lateral_malleolus": True}, weekly_distance=30,
)
HOSTILE_NOTE = "Ice after runs <b>&</b> rest.\nTape stays on <i>2 days</i> & no more."
PLAN = make_plan(
    "caution",
    dose("calf_stretch", 1, 2, hold=30, times=2, per="week"),
    dose("eccentric_heel_drops", 3, 15, times=1, per="day"),
    dose("ankle_circuit", 1, 1),
    patient_note=HOSTILE_NOTE, record_note="Discussed load.", review_date="2026-03-16",
)


def stored(answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    validated = load_answers(answers)
    return validated, assess(validated)


def render(answers: dict[str, Any] = REHAB, **options: Any) -> bytes:
    return render_assessment(*stored(answers), **options)


def text_of(pdf: bytes) -> str:
    return flat(pdf_text(pdf))


def library(exercise_id: str) -> dict[str, Any]:
    (found,) = [ex for ex in CONTENT.exercises if ex["id"] == exercise_id]
    return found


def html_words(page: str) -> str:
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", page)))


# -- doses in words -------------------------------------------------------------

@pytest.mark.parametrize(("planned", "words"), [
    (dose("x", 3, 15, times=1, per="day"), "3 sets of 15, once a day"),
    (dose("x", 1, 2, hold=30, times=2, per="week"), "Hold 30 seconds, 2 times, 2 days a week"),
    (dose("x", 2, 10, times=2, per="day"), "2 sets of 10, twice a day"),
    (dose("x", 1, 12, times=3, per="day"), "12 times, 3 times a day"),
    (dose("x", 1, 1, times=1, per="day"), "Once a day"),
    (dose("x", 1, 1, hold=45, times=1, per="week"), "Hold 45 seconds, once a week"),
    (dose("x", 3, 5, hold=10, times=4, per="week"), "3 sets of 5, hold each 10 seconds, "
                                                    "4 days a week"),
    (dose("x", 2, 10), "the library's words"),
    (dose("x", 2, 10, times=2), "the library's words"),
])
def test_a_dose_reads_in_plain_words(planned: dict[str, Any], words: str) -> None:
    assert dose_words(planned, "the library's words") == words


def test_dose_words_are_data_not_code() -> None:
    labels = {**HANDOUT.labels, "dose_sets": "{sets} x {reps}", "often_day_1": "daily"}
    content = dataclasses.replace(HANDOUT, labels=labels)
    assert dose_words(dose("x", 3, 15, times=1, per="day"), "", content) == "3 x 15, daily"


def test_every_library_default_dose_reads_in_words() -> None:
    for ex in CONTENT.exercises:
        words = dose_words(ex["default_dose"], ex["dose"])
        assert words and "{" not in words and "None" not in words, ex["id"]


# -- what the handout prints ----------------------------------------------------

def grid_cells(chosen: dict[str, Any]) -> list[str]:
    """The dose grid's "label value" rows for a plan exercise, from its numbers."""
    label = HANDOUT.label
    cells = []
    if chosen["sets"] > 1:
        cells.append(f"{label('grid_sets')} {chosen['sets']}")
    if chosen["reps"] > 1:
        cells.append(f"{label('grid_reps')} {chosen['reps']}")
    if chosen["hold_seconds"]:
        cells.append(f"{label('grid_hold')} {chosen['hold_seconds']} seconds")
    return cells


def test_the_plans_exercises_print_in_its_order_with_its_doses() -> None:
    text = text_of(render(plan=PLAN, signoff=SIGNED, clinic=CLINIC))
    at = []
    for number, chosen in enumerate(PLAN["exercises"], start=1):
        ex = library(chosen["id"])
        head = f"{number}. {ex['name']}"
        assert head in text, head
        card = text[text.index(head):]
        for part in [*grid_cells(chosen), *ex["steps"], ex["stop_if"]]:
            assert part in card, part
        at.append(text.index(head))
    assert at == sorted(at)
    often = HANDOUT.label("grid_often")
    assert f"{often} Once a day" in text and f"{often} 2 days a week" in text
    # No frequency: the library's own words, in the "how much" row.
    assert f"{HANDOUT.label('grid_amount')} {library('ankle_circuit')['dose']}" in text


def test_the_engines_exercises_give_way_to_the_plans() -> None:
    answers, assessment = stored(REHAB)
    text = text_of(render_assessment(answers, assessment, plan=PLAN, signoff=SIGNED))
    for ex in assessment["exercises"]:
        if ex["id"] not in {e["id"] for e in PLAN["exercises"]}:
            assert f". {ex['name']} {HANDOUT.label('dose')}" not in text, ex["id"]
    # The log has one column per planned exercise, named by it.
    log = text[text.index(HANDOUT.text("heading_log")):]
    for chosen in PLAN["exercises"]:
        assert library(chosen["id"])["name"] in log, chosen["id"]
    for ex in assessment["exercises"]:
        if ex["id"] not in {e["id"] for e in PLAN["exercises"]}:
            assert ex["name"] not in log, ex["id"]


def test_what_to_do_now_is_the_clinicians_level() -> None:
    answers, assessment = stored(REHAB)
    assert assessment["triage"]["level"] == "stop"
    text = text_of(render_assessment(answers, assessment, plan=PLAN, signoff=SIGNED))
    box = text[text.index(HANDOUT.text("heading_now")):]
    assert box.startswith(f"{HANDOUT.text('heading_now')} {CONTENT.levels['caution']['summary']}")
    assert CONTENT.levels["stop"]["summary"] not in text


def test_the_patient_note_prints_as_typed_in_pdf_and_html() -> None:
    answers, assessment = stored(REHAB)
    text = text_of(render_assessment(answers, assessment, plan=PLAN, signoff=SIGNED))
    page = render_assessment_html(answers, assessment, plan=PLAN, signoff=SIGNED)
    for where in (text, html_words(page)):
        assert HANDOUT.text("heading_patient_note") in where
        assert "Ice after runs <b>&</b> rest." in where
        assert "Tape stays on <i>2 days</i> & no more." in where
    assert "<b>&" not in page and "&lt;b&gt;&amp;&lt;/b&gt;" in page
    blank = render_assessment(answers, assessment, plan={**PLAN, "patient_note": "  "},
                              signoff=SIGNED)
    assert HANDOUT.text("heading_patient_note") not in text_of(blank)


def test_page_one_names_the_clinician_the_review_date_and_the_clinic() -> None:
    pages = pdf_pages(render(plan=PLAN, signoff=SIGNED, clinic=CLINIC))
    first = flat(pages[0])
    for part in ("Riverside Physio", "Dr Ada Ode", f"{HANDOUT.label('next_appointment')} "
                 "16 March 2026", "020 7946 0018", "12 River Road, London SE1 7PB",
                 HANDOUT.text("call_us", phone="020 7946 0018")):
        assert part in first, part
    assert "Sam Physio" not in first  # the signer, not the name typed on the form


def test_without_a_phone_there_is_no_call_us_line() -> None:
    text = text_of(render(plan=PLAN, signoff=SIGNED, clinic={**CLINIC, "phone": ""}))
    assert "call us on" not in text and HANDOUT.label("clinic_phone") not in text
    assert "12 River Road" in text


def test_the_clinics_name_wins_and_an_empty_one_falls_back_to_clinic_name() -> None:
    assert "Eastside" not in text_of(render(clinic=CLINIC, clinic_name="Eastside"))
    fallback = text_of(render(clinic={**CLINIC, "name": ""}, clinic_name="Eastside"))
    assert "Eastside" in fallback


def test_a_draft_says_so_on_every_page_and_a_signed_plan_on_none() -> None:
    mark = HANDOUT.label("draft_mark")
    draft = pdf_pages(render(plan=PLAN, signoff=DRAFT, clinic=CLINIC))
    assert len(draft) >= 2
    for page in draft:
        assert mark in page
    assert HANDOUT.text("draft_notice") in flat(draft[0])
    for page in pdf_pages(render(plan=PLAN, signoff=SIGNED, clinic=CLINIC)):
        assert mark not in page and "Draft" not in page
    page = render_assessment_html(*stored(REHAB), plan=PLAN, signoff=DRAFT)
    assert HANDOUT.text("draft_notice") in html_words(page) and "ai-handout--draft" in page


def test_a_plan_handout_is_byte_identical_for_the_same_inputs() -> None:
    options = {"plan": PLAN, "signoff": DRAFT, "clinic": CLINIC, "large_print": True}
    first = render(**options)
    assert render(**{k: (dict(v) if isinstance(v, dict) else v) for k, v in options.items()}) \
        == first
    assert render(**{**options, "signoff": SIGNED}) != first


def test_no_plan_no_signoff_no_clinic_is_the_handout_of_before() -> None:
    answers, assessment = stored(REHAB)
    assert render_assessment(answers, assessment, plan=None, signoff=None, clinic=None,
                             clinic_name="Riverside") == \
        render_assessment(answers, assessment, clinic_name="Riverside")


# -- the referral follows the clinician's level -----------------------------------

def test_a_referral_the_clinician_keeps_prints_as_before() -> None:
    answers, assessment = stored(REFERRED)
    plan = engine_plan(assessment, review_date="2026-03-03")
    assert plan["triage_level"] == "see_clinician" and not plan["exercises"]
    text = text_of(render_assessment(answers, assessment, plan=plan, signoff=SIGNED))
    for item in ("heading_arranged", "referral_title", "heading_on_hold"):
        assert HANDOUT.text(item) in text, item
    for sentence in assessment["referral"]["patient_text"]:
        assert sentence in text
    # The sheet for the doctor names who referred and how to call them.
    sheet = render_assessment(answers, assessment, plan=plan, signoff=SIGNED, clinic=CLINIC)
    (page,) = [flat(p) for p in pdf_pages(sheet) if HANDOUT.text("referral_title") in p]
    assert "Dr Ada Ode" in page and "020 7946 0018" in page


def test_a_level_below_the_referral_has_no_referral_box_or_sheet() -> None:
    answers, assessment = stored(REFERRED)
    plan = make_plan("stop", dose("ankle_alphabet", 1, 1, times=1, per="day"),
                     override_reason="X-ray today: no fracture. Thompson repeated: negative.")
    text = text_of(render_assessment(answers, assessment, plan=plan, signoff=SIGNED))
    for item in ("heading_arranged", "referral_title", "heading_on_hold", "on_hold_text"):
        assert HANDOUT.text(item) not in text, item
    assert CONTENT.levels["stop"]["summary"] in text
    assert library("ankle_alphabet")["name"] in text
    assert "X-ray today" not in text  # the override reason is for the record


def test_a_plan_naming_an_unknown_exercise_or_level_is_refused() -> None:
    with pytest.raises(ValueError, match="no_such_exercise"):
        render(plan=make_plan("stop", dose("no_such_exercise", 1, 1)))
    with pytest.raises(ValueError, match="triage_level"):
        render(plan=make_plan("later"))


def test_the_html_handout_prints_the_same_plan() -> None:
    answers, assessment = stored(REHAB)
    options = {"plan": PLAN, "signoff": SIGNED, "clinic": CLINIC}
    words = html_words(render_assessment_html(answers, assessment, **options))
    printed = text_of(render_assessment(answers, assessment, **options))
    for chosen in PLAN["exercises"]:
        ex = library(chosen["id"])
        assert ex["name"] in words and all(cell in words for cell in grid_cells(chosen))
    for part in ("Dr Ada Ode", "16 March 2026", "020 7946 0018", "12 River Road",
                 CONTENT.levels["caution"]["summary"]):
        assert part in words and part in printed, part
    for item_id in HANDOUT.items:
        text = HANDOUT.text(item_id) if item_id not in ("earliest_return", "call_us") else \
            "call us on 020 7946 0018" if item_id == "call_us" else "Earliest day"
        assert (text in words) == (text in printed), item_id


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
@pytest.mark.parametrize("signoff", [SIGNED, DRAFT], ids=["signed", "draft"])
def test_every_page_of_a_plan_handout_renders(tmp_path: Path, signoff: dict) -> None:
    pdf = tmp_path / "handout.pdf"
    pdf.write_bytes(render(plan=PLAN, signoff=signoff, clinic=CLINIC))
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", "30", str(pdf), str(tmp_path / "p")],
                   check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == len(pdf_pages(pdf.read_bytes()))
    for png in pngs:
        _, _, pixels = png_gray_pixels(png.read_bytes())
        dark = sum(1 for p in pixels if p < 128) / len(pixels)
        assert 0.005 < dark < 0.5, png.name
