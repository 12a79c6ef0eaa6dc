"""Where the time of ``POST /api/assessments`` goes under load: the same run with parts left out.

``load.py`` measures the real thing against a bare Flask endpoint. This script
answers the next question, what the gap is made of, by running the same wrk
load (SQLite, 2 workers, shipped gunicorn config, 127.0.0.1 only) against
variants of the app, each in a gunicorn of its own:

- ``real``: nothing left out (the figure ``load.py`` reports);
- ``no-validation``: marshmallow and the assessment answered from a cache;
- ``no-write``: the intake is not stored (its JSON is still encoded);
- ``nothing``: none of the three;
- ``sync-NORMAL`` / ``sync-OFF``: stored with SQLite's ``synchronous`` lowered,
  that is without waiting for the disk (a power cut may lose acknowledged intakes);
- ``mmap`` / ``cache``: SQLite reading through a 1 GB memory map, or with a
  64 MB page cache per connection (neither changes what is written).

Beside each rate it prints the workers' CPU per request (user + system, from
``/proc``) and how idle the machine was: on 2 cores shared with wrk the run is
CPU-bound, so the ratio follows the CPU a request costs.

The variants exist only inside this script's server; the product never runs them.

    .venv/bin/python benchmarks/load_breakdown.py [--duration 12] [--variants real,no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from load_server import running, wrk

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU of these processes so far (Linux ``/proc``)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def _machine() -> tuple[float, float]:
    """All CPU time and idle time of the machine so far, in seconds."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) / TICK, (values[3] + values[4]) / TICK

PREFIX = "/ankle"
VARIANTS = {
    "real": "",
    "no-validation": "load,eval",
    "no-write": "write",
    "nothing": "load,eval,write",
    "sync-NORMAL": "pragma:synchronous=NORMAL",
    "sync-OFF": "pragma:synchronous=OFF",
    "mmap": "pragma:mmap_size=1073741824",
    "cache": "pragma:cache_size=-65536",
}
ENV = "ANKLE_BENCH_LEAVE_OUT"


def variant_app() -> Any:
    """gunicorn's app: ``bench_app()`` without the parts named in ``$ANKLE_BENCH_LEAVE_OUT``."""
    from load_server import bench_app

    app = bench_app()
    parts = {p for p in os.environ.get(ENV, "").split(",") if p}
    from ankle_intake.api import views as api
    from ankle_intake.extension import state
    from ankle_intake.store import Stored, intake, to_json

    with app.app_context():
        storage = state(app).storage
    if "load" in parts:
        api.load_answers = _cached(api.load_answers, lambda raw: json.dumps(raw, sort_keys=True))
    if "eval" in parts:  # keyed by the cached answers themselves, so only with "load"
        intake.evaluate = _cached(intake.evaluate, id)
    if "write" in parts:
        def add(answers: Any, assessment: Any, claim: Any = None, user_id: Any = None,
                episode_id: Any = None, authored: Any = None) -> Stored:
            record = {"id": str(uuid.uuid4()), "rules_version": assessment["rules_version"],
                      "episode_id": episode_id or str(uuid.uuid4()), "visit": 1,
                      "authored": authored, "answers": answers, "assessment": assessment}
            return Stored(record, to_json(record))

        storage.add = add  # type: ignore[method-assign]
    for part in parts:
        if part.startswith("pragma:"):
            from sqlalchemy import event

            pragma = part.split(":", 1)[1]
            event.listen(storage.engine, "connect", lambda dbapi, _rec, pragma=pragma:
                         dbapi.execute(f"PRAGMA {pragma}"))
            storage.engine.dispose()
    return app


def _cached(function: Any, key: Any) -> Any:
    """``function`` answering from a cache: the benchmark's bodies repeat, so it runs 3 times."""
    cache: dict[Any, tuple[Any, Any]] = {}

    def wrapper(value: Any) -> Any:
        k = key(value)
        if k not in cache:
            cache[k] = (value, function(value))  # the value kept alive: its id stays its own
        return cache[k][1]

    return wrapper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=12, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        parser.error("wrk is missing: apt-get install wrk")
    from load import _cases

    bodies = [json.dumps(c, ensure_ascii=False).encode() for c in _cases()]
    print(f"SQLite, 2 sync workers, wrk -c{args.connections}, {args.duration} s a run")
    with tempfile.TemporaryDirectory(prefix="ankle-breakdown-") as tmp:
        for name in [v.strip() for v in args.variants.split(",") if v.strip()]:
            os.environ[ENV] = VARIANTS[name]
            with running(Path(tmp) / name, None, app="load_breakdown:variant_app()") as server:
                rates, cpu, idle = [], [], []
                for path in ("/bare", f"{PREFIX}/api/assessments"):
                    wrk(server.port, path, bodies, 2, args.connections, server.workdir, 201)
                    workers = server.workers()
                    before, (all0, idle0) = _cpu_seconds(workers), _machine()
                    r = wrk(server.port, path, bodies, args.duration, args.connections,
                            server.workdir, 201)
                    after, (all1, idle1) = _cpu_seconds(workers), _machine()
                    assert r["errors"] == 0, (name, path, r)
                    rates.append(r["rps"])
                    cpu.append(1e3 * (after - before) / r["requests"])
                    idle.append(100 * (idle1 - idle0) / (all1 - all0))
            shown = [f"{rate:6.0f} req/s ({ms:.2f} ms CPU, {free:.0f}% idle)"
                     for rate, ms, free in zip(rates, cpu, idle, strict=True)]
            print(f"  {name:14s} bare {shown[0]}  assessments {shown[1]}"
                  f"  ratio {rates[1] / rates[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
