"""Median time of assess() and of loading the guidance content.

Targets (2-core machine): assess() under 0.5 ms; loading the content under 50 ms.
Run: .venv/bin/python benchmarks/assess.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from ankle_intake import assess
from ankle_intake.forms import load_answers
from ankle_intake.guidance import evaluate, load_content

CASES = [
    {"side": "right", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 3,
     "injury_date": "2026-03-01", "assessment_date": "2026-03-02", "sprain_grade": "I",
     "swelling": "mild", "weekly_distance": 40,
     "ottawa": {"tender_lateral_malleolus": False, "tender_medial_malleolus": False,
                "tender_fifth_metatarsal_base": False, "tender_navicular": False,
                "unable_to_bear_weight": False}},
    {"side": "left", "onset": "gradual", "pain_locations": ["back_of_ankle"], "pain_now": 2,
     "pain_running": 5, "pain_pattern": ["morning_stiffness", "eases_with_warmup_then_returns"],
     "training": ["mileage_increase", "hills_or_speedwork"], "assessment_date": "2026-03-02"},
    {"side": "right", "onset": "gradual", "pain_locations": ["top_of_foot"], "pain_now": 4,
     "pain_running": 7, "point_tenderness": True, "pain_walking": True,
     "pain_pattern": ["worse_with_impact"], "training": ["mileage_increase"],
     "risk_factors": ["under_fueling"], "assessment_date": "2026-03-02",
     "patient_name": "Zoë O'Brien", "weekly_distance": 25, "distance_unit": "mi"},
    # The examination (contract 3b): a full set of special tests and warning signs.
    {"side": "right", "onset": "sudden", "pain_locations": ["back_of_ankle", "heel"],
     "pain_now": 2, "injury_date": "2026-02-27", "assessment_date": "2026-03-02", "age": 44,
     "mechanism": "push_off_or_landing", "weight_bearing": "partial", "heel_raise_count": 0,
     "medications": ["fluoroquinolone"], "heard_pop": True, "pain_walking": True,
     "special_tests": {"thompson_test": "positive", "anterior_drawer": "negative",
                       "squeeze_test": "negative", "hop_test": "positive"}},
    {"side": "left", "onset": "sudden", "pain_locations": ["lower_shin", "outer_ankle"],
     "pain_now": 4, "injury_date": "2026-02-26", "assessment_date": "2026-03-02",
     "mechanism": "eversion_or_external_rotation", "swelling": "moderate", "previous_sprains": 2,
     "instability": True, "warning_signs": ["calf_pain_or_swelling"], "weekly_distance": 30,
     "special_tests": {"squeeze_test": "positive", "external_rotation_test": "positive",
                       "talar_tilt": "negative", "tinel_tarsal_tunnel": "negative"}},
]


def median_us(fn, rounds: int) -> float:  # noqa: ANN001 - any zero-argument callable
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2000)
    rounds = parser.parse_args().rounds
    for case in CASES:  # warm up
        assess(case)
    loaded = [load_answers(c) for c in CASES]
    results = {
        "assess() incl. validation": [median_us(lambda c=c: assess(c), rounds) for c in CASES],
        "validation only": [median_us(lambda c=c: load_answers(c), rounds) for c in CASES],
        "evaluate() only": [median_us(lambda a=a: evaluate(a), rounds) for a in loaded],
    }
    for name, per_case in results.items():
        figures = ", ".join(f"{us:.1f}" for us in per_case)
        print(f"{name:28s} median per case (us): {figures}; worst {max(per_case) / 1000:.3f} ms")
    load_ms = median_us(load_content.__wrapped__, max(20, rounds // 100)) / 1000
    print(f"{'load guidance content':28s} median: {load_ms:.2f} ms")
    print("targets: assess() < 0.5 ms, content load < 50 ms")


if __name__ == "__main__":
    main()
