"""Median in-process latency of POST /api/assessments with the default SQLite store.

Flask's test client, a fresh instance folder, warm-up first, then timed requests.
Target (2-core machine): median under 3 ms.
Run: .venv/bin/python benchmarks/api.py [--requests N] [--warmup N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time

from flask import Flask

from ankle_intake import AnkleIntake
from ankle_intake.extension import state

CASES = [
    {"side": "right", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 3,
     "injury_date": "2026-11-20", "sprain_grade": "II", "swelling": "moderate",
     "weekly_distance": 40, "patient_ref": "P-1", "encounter_ref": "E-1",
     "ottawa": {"tender_lateral_malleolus": False, "unable_to_bear_weight": False}},
    {"side": "left", "onset": "gradual", "pain_locations": ["back_of_ankle"], "pain_now": 2,
     "pain_running": 5, "pain_pattern": ["morning_stiffness", "eases_with_warmup_then_returns"],
     "training": ["mileage_increase", "hills_or_speedwork"], "weekly_distance": 30},
    {"side": "right", "onset": "gradual", "pain_locations": ["top_of_foot"], "pain_now": 4,
     "pain_running": 7, "point_tenderness": True, "pain_walking": True,
     "pain_pattern": ["worse_with_impact"], "training": ["mileage_increase"],
     "risk_factors": ["under_fueling"], "patient_name": "Zoë O'Brien",
     "weekly_distance": 25, "distance_unit": "mi"},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app = Flask("bench", instance_path=instance)
        app.config.update(SECRET_KEY="bench", ANKLE_INTAKE_AUTHORIZE=lambda: True)
        AnkleIntake(app)
        client = app.test_client()
        bodies = [json.dumps(c).encode() for c in CASES]

        def post(i: int) -> None:
            response = client.post("/ankle/api/assessments", data=bodies[i % len(bodies)],
                                   content_type="application/json")
            assert response.status_code == 201, response.get_data(as_text=True)

        for i in range(args.warmup):
            post(i)
        samples = []
        for i in range(args.requests):
            start = time.perf_counter_ns()
            post(i)
            samples.append((time.perf_counter_ns() - start) / 1e6)
        storage = state(app).storage
        stored = storage.count()
        storage.dispose()
    samples.sort()
    p90 = samples[int(len(samples) * 0.9)]
    print(f"POST /api/assessments, SQLite (WAL), {args.requests} requests after "
          f"{args.warmup} warm-up, {stored} rows stored")
    print(f"median {statistics.median(samples):.3f} ms; p90 {p90:.3f} ms; "
          f"min {samples[0]:.3f} ms; max {samples[-1]:.3f} ms (target: median < 3 ms)")


if __name__ == "__main__":
    main()
