"""Median time per handout and memory growth over many handouts in one process.

Targets: under 25 ms per two-to-three page handout; growth under 5 MB over
1,000 handouts (resident set size, after a warm-up that loads fonts and content;
tracemalloc gave the same answer, 0.07 MB, but slows the loop five-fold).
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
from pathlib import Path

from pypdf import PdfReader

from ankle_intake import render_handout

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


def timings_ms(answers: dict, rounds: int) -> tuple[float, float]:
    """Median and fastest time; the fastest shows the cost without other load on the machine."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        render_handout(answers, clinic_name="Riverside Physio")
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1e6, min(samples) / 1e6


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
    for name, answers in CASES.items():
        pages = len(PdfReader(io.BytesIO(render_handout(answers))).pages)
        median, fastest = timings_ms(answers, args.rounds)
        print(f"{name:28s} {pages} pages  median {median:6.1f} ms  fastest {fastest:6.1f} ms")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    growth = memory_growth_mb(args.memory_rounds)
    print(f"memory growth over {args.memory_rounds} handouts: {growth:.2f} MB (RSS)")
    print("targets: < 25 ms per 2-3 page handout; < 5 MB growth over 1,000 handouts")


if __name__ == "__main__":
    main()
