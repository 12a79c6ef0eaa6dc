"""Median time per handout, beside a paragraphs-only floor, and memory growth.

Each case is timed beside a plain ReportLab build of the same text in the same
run (the handout's words, one Paragraph per printed line, same font, no tables,
pictures or QR codes), so the ratio says what the layout costs whatever the
machine's speed. Targets: with pictures, QR codes and progress charts a handout
stays within 2.5 times that floor; growth under 5 MB over 1,000 handouts
(resident set size, after a warm-up that loads fonts, pictures and content).
Run: .venv/bin/python benchmarks/handout.py [--rounds N] [--memory-rounds N]
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, SimpleDocTemplate

from ankle_intake import assess, load_answers, render_handout
from ankle_intake.reports.handout import render_assessment
from ankle_intake.reports.styles import get_styles

CLINIC = {"name": "Riverside Physio", "phone": "020 7946 0018",
          "address": "12 River Road, London SE1 7PB"}
SIGNED = {"status": "signed", "version": 1, "clinician": {"id": "u-7", "name": "Dr Ada Ode"},
          "signed_at": "2026-03-02T10:15:00+00:00", "addendum_reason": None}
VIDEO = "https://videos.example-clinic.org/ankle/{exercise_id}"
PROGRESS = [
    {"date": "2026-02-16", "pain_now": 5, "pain_during_run": 7, "planned_distance": 0,
     "completed_distance": 0, "unit": "km", "measures": {}},
    {"date": "2026-02-23", "pain_now": 3, "pain_during_run": 5, "planned_distance": 40,
     "completed_distance": 30, "unit": "km", "measures": {}},
    {"date": "2026-03-02", "pain_now": 2, "pain_during_run": 2, "planned_distance": 60,
     "completed_distance": 60, "unit": "km", "measures": {}},
]

CASES = {
    "acute sprain, day 1": {
        "side": "right", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 3,
        "injury_date": "2026-03-01", "assessment_date": "2026-03-02", "sprain_grade": "I",
        "swelling": "mild", "patient_name": "Zoë O'Brien", "clinician_name": "Łukasz Nguyễn"},
    "Achilles": {
        "side": "left", "onset": "gradual", "pain_locations": ["back_of_ankle"], "pain_now": 2,
        "pain_running": 5, "pain_pattern": ["morning_stiffness", "eases_with_warmup_then_returns"],
        "training": ["mileage_increase"], "assessment_date": "2026-03-02"},
    "stress fracture, referral": {
        "side": "right", "onset": "gradual", "pain_locations": ["top_of_foot"], "pain_now": 4,
        "pain_running": 7, "point_tenderness": True, "pain_walking": True,
        "pain_pattern": ["worse_with_impact"], "assessment_date": "2026-03-02"},
    "return, 40 km a week": {
        "side": "right", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 0,
        "pain_running": 0, "injury_date": "2026-02-09", "assessment_date": "2026-03-02",
        "sprain_grade": "I", "swelling": "none", "weekly_distance": 40},
}


def plain(answers: dict) -> Callable[[], bytes]:
    """The handout as it prints without a plan (the engine's suggestion)."""
    return lambda: render_handout(answers, clinic_name="Riverside Physio")


def planned(answers: dict, large_print: bool = False) -> Callable[[], bytes]:
    """The clinician's plan (the engine's exercises, three to five), pictures, QR codes,
    the clinic on page 1 and a three-visit "Your progress"."""
    validated = load_answers(answers)
    assessment = assess(validated)
    chosen = [{"id": ex["id"], **ex["default_dose"]} for ex in assessment["exercises"]][:5]
    plan = {"triage_level": assessment["triage"]["level"], "override_reason": None,
            "exercises": chosen, "patient_note": "", "record_note": "",
            "review_date": "2026-03-16"}
    return lambda: render_assessment(validated, assessment, plan=plan, signoff=SIGNED,
                                     clinic=CLINIC, video_url=VIDEO, progress=PROGRESS,
                                     large_print=large_print)


def floor_of(pdf: bytes, large_print: bool = False) -> Callable[[], bytes]:
    """A plain ReportLab build of the same words: one Paragraph per printed line."""
    lines = [line for page in PdfReader(io.BytesIO(pdf)).pages
             for line in (page.extract_text() or "").splitlines() if line.strip()]
    style = get_styles(large_print)["body"]

    def build() -> bytes:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=A4, invariant=1)
        doc.build([Paragraph(escape(line), style) for line in lines])
        return buffer.getvalue()

    return build


def timings_ms(make: Callable[[], bytes], rounds: int) -> tuple[float, float]:
    """Median and fastest time; the fastest shows the cost without other load on the machine."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        make()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1e6, min(samples) / 1e6


def paired_ms(make: Callable[[], bytes], floor: Callable[[], bytes],
              rounds: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """(median, fastest) of the handout and of its floor, sampled in turn, so a burst of
    load on a shared machine falls on both alike."""
    ours: list[int] = []
    base: list[int] = []
    for _ in range(rounds):
        for build, into in ((make, ours), (floor, base)):
            start = time.perf_counter_ns()
            build()
            into.append(time.perf_counter_ns() - start)
    return ((statistics.median(ours) / 1e6, min(ours) / 1e6),
            (statistics.median(base) / 1e6, min(base) / 1e6))


def rss_mb() -> float:
    """Current resident set size (Linux), else the peak that getrusage reports."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * resource.getpagesize() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def memory_growth_mb(rounds: int) -> float:
    answers = list(CASES.values())
    for item in answers:  # warm up: fonts, styles, content, ReportLab's own caches
        render_handout(item)
    gc.collect()
    before = rss_mb()
    for i in range(rounds):
        render_handout(answers[i % len(answers)], clinic_name="Riverside Physio")
    gc.collect()
    return rss_mb() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--memory-rounds", type=int, default=1000)
    args = parser.parse_args()
    start = time.perf_counter()
    render_handout(CASES["Achilles"])
    print(f"first handout (loads ReportLab fonts and styles): "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")
    cases = {f"{name}": (plain(answers), False) for name, answers in CASES.items()}
    for name in ("Achilles", "return, 40 km a week"):
        cases[f"{name} + plan, pictures, QR, progress"] = (planned(CASES[name]), False)
    cases["return + plan, pictures, ..., large print"] = (
        planned(CASES["return, 40 km a week"], True), True)
    worst = 0.0
    for name, (make, large) in cases.items():
        pdf = make()
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        (median, fastest), (floor, floor_fastest) = paired_ms(make, floor_of(pdf, large),
                                                              args.rounds)
        ratio, best = median / floor, fastest / floor_fastest
        if "pictures" in name:
            worst = max(worst, ratio)
        print(f"{name[:44]:44s} {pages:2d} pages  median {median:5.1f} ms (fastest {fastest:5.1f})"
              f"  floor {floor:5.1f} ms ({floor_fastest:5.1f})  ratio {ratio:4.2f} ({best:4.2f})")
    print(f"worst median ratio with pictures: {worst:.2f} (target <= 2.5); "
          "in brackets: fastest runs")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    growth = memory_growth_mb(args.memory_rounds)
    print(f"memory growth over {args.memory_rounds} handouts: {growth:.2f} MB (RSS)")
    print("targets: with pictures <= 2.5 x the paragraphs-only floor; "
          "< 5 MB growth over 1,000 handouts")


if __name__ == "__main__":
    main()
