"""Load and fault run under gunicorn with the shipped config, on 127.0.0.1 only.

For each store (SQLite, then PostgreSQL when a URL is given), gunicorn runs
``deploy/gunicorn.conf.py`` with 2 workers (``--workers``, ``--threads``) and the
clinic's WSGI app (``deploy/wsgi.py``, its SSO hook fed the header) plus one bare Flask JSON
endpoint on the same app (``load_server.py``), so both are measured in the same run:

1. throughput: ``wrk`` POSTs to the bare endpoint, then to ``/api/assessments``,
   for ``--duration`` seconds at ``--connections`` connections each; requests
   per second, p50/p99 latency, and every non-201 or socket error counted;
   handouts per second too, when ``POST /api/handout`` exists;
2. faults: Python clients POST while one worker is killed with SIGKILL, each
   intake under its own ``Idempotency-Key`` and retried with it after a broken
   connection; then every id answered 201 is read back (GET, answers compared)
   and every stored row is read straight from the database (SQLite:
   ``PRAGMA integrity_check``). With the retries, "committed but not
   acknowledged" (a duplicate waiting to happen) should be 0;
3. memory: RSS and PSS of each worker over 8,000 mixed requests.

It stops by itself: every phase is bounded, an alarm ends the run after
``--deadline`` seconds, and every server it started is stopped on the way out.
The PostgreSQL database must be a scratch one: the run drops and recreates the
table ``ankle_intake_assessments`` in it.

    apt-get install wrk
    .venv/bin/pip install -e '.[deploy]'
    .venv/bin/python benchmarks/load.py [--pg-url postgresql+psycopg://...@127.0.0.1/db]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from load_server import HERE, JSON_HEADERS, USER, Server, exchange, request, running, wrk

PREFIX = "/ankle"
TARGET_MB = 120


def _cases() -> list[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("ankle_bench_api", HERE / "api.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


# -------------------------------------------------------------------- the phases
def throughput(server: Server, bodies: list[bytes], seconds: int, connections: int,
               handout: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    targets = [("bare", "/bare", 201), ("assessments", f"{PREFIX}/api/assessments", 201)]
    if handout:
        targets.append(("handout", f"{PREFIX}/api/handout", 200))
    for name, path, expect in targets:
        wrk(server.port, path, bodies, 2, connections, server.workdir, expect)  # warm-up
        out[name] = wrk(server.port, path, bodies, seconds, connections, server.workdir, expect)
    return out


def _clients(count: int, stop: threading.Event,
             job: Callable[[int], None]) -> list[threading.Thread]:
    def loop(k: int) -> None:
        while not stop.is_set():
            job(k)

    threads = [threading.Thread(target=loop, args=(k,), daemon=True) for k in range(count)]
    for t in threads:
        t.start()
    return threads


def fault(server: Server, bodies: list[bytes], database_url: str | None, seconds: float,
          connections: int) -> dict[str, Any]:
    """SIGKILL one worker mid-load; then check every acknowledged record and every row."""
    acknowledged: dict[str, int] = {}
    failures: Counter[str] = Counter()
    lock = threading.Lock()
    sequence = iter(range(10**9))
    run = os.urandom(4).hex()
    replays = [0]

    def post(_k: int) -> None:
        """One intake under its own Idempotency-Key, retried on a broken connection."""
        with lock:
            n = next(sequence)
        index = n % len(bodies)
        headers = {**JSON_HEADERS, "Idempotency-Key": f"load-{run}-{n}"}
        for attempt in range(RETRIES + 1):
            try:
                status, data, response_headers = exchange(
                    "POST", server.port, f"{PREFIX}/api/assessments", bodies[index], headers)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    failures[f"{type(exc).__name__}, retried"] += 1
                time.sleep(0.05 * (attempt + 1))
                continue
            with lock:
                if status == 201:
                    acknowledged[json.loads(data)["id"]] = index
                    replays[0] += response_headers.get("Idempotent-Replayed") == "true"
                else:
                    failures[f"HTTP {status}"] += 1
            return
        with lock:
            failures["gave up"] += 1

    before = server.workers()
    stop = threading.Event()
    threads = _clients(connections, stop, post)
    time.sleep(seconds / 3)
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    killed_at = len(acknowledged)
    time.sleep(seconds * 2 / 3)
    stop.set()
    for t in threads:
        t.join(timeout=15)
    replaced = sorted(set(server.workers()) - set(before))

    # Every 201 the client received can be read back, with the answers it sent.
    unreadable: list[str] = []
    mismatched: list[str] = []
    sent = [json.loads(b) for b in bodies]
    items = list(acknowledged.items())

    def check(k: int) -> None:
        for record_id, index in items[k::4]:
            status, data = request("GET", server.port,
                                   f"{PREFIX}/api/assessments/{record_id}", headers=USER)
            if status != 200:
                unreadable.append(record_id)
                continue
            if not _holds(json.loads(data)["answers"], sent[index]):
                mismatched.append(record_id)

    readers = [threading.Thread(target=check, args=(k,)) for k in range(4)]
    for t in readers:
        t.start()
    for t in readers:
        t.join(timeout=120)
    server.stop()
    rows = _read_all_rows(server, database_url)
    return {
        "acknowledged_201": len(acknowledged),
        "acknowledged_before_kill": killed_at,
        "client_failures": dict(failures),
        "answered_by_replay": replays[0],
        "killed_worker": victim,
        "replacement_workers": replaced,
        "unreadable": len(unreadable),
        "answers_mismatched": len(mismatched),
        **rows,
        "committed_not_acknowledged": rows["rows"] - len(acknowledged),
    }


RETRIES = 3


def _holds(stored: Any, sent: Any) -> bool:
    """Whether the stored answers hold everything sent (the store adds defaults)."""
    if isinstance(sent, dict):
        return isinstance(stored, dict) and all(_holds(stored.get(k), v) for k, v in sent.items())
    return stored == sent


def _read_all_rows(server: Server, database_url: str | None) -> dict[str, Any]:
    """Every stored row, read straight from the database after the server stopped."""
    from ankle_intake.store import Storage, sqlite_url

    url = database_url or sqlite_url(server.env["ANKLE_INSTANCE_PATH"], "ankle_intake.sqlite3")
    storage = Storage(url)
    damaged = 0
    integrity = "n/a"
    try:
        from sqlalchemy import select, text

        from ankle_intake.store import assessments

        with storage.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(select(assessments.c.id))]
            if storage.engine.dialect.name == "sqlite":
                integrity = conn.execute(text("PRAGMA integrity_check")).scalar_one()
        for record_id in ids:
            record = storage.get(record_id)
            ok = (
                record is not None
                and isinstance(record["answers"], dict) and record["answers"].get("side")
                and isinstance(record["assessment"], dict)
                and record["assessment"].get("triage", {}).get("level")
            )
            damaged += not ok
    finally:
        storage.dispose()
    return {"rows": len(ids), "damaged_rows": damaged, "integrity_check": integrity}


def _memory(pids: list[int]) -> dict[int, tuple[float, float]]:
    """pid -> (RSS MB, PSS MB)."""
    out = {}
    for pid in pids:
        values = {}
        for name in (f"/proc/{pid}/status", f"/proc/{pid}/smaps_rollup"):
            with contextlib.suppress(OSError), open(name) as f:
                for line in f:
                    key, _, rest = line.partition(":")
                    if key in ("VmRSS", "Pss"):
                        values[key] = int(rest.split()[0]) / 1024
        out[pid] = (values.get("VmRSS", 0.0), values.get("Pss", 0.0))
    return out


def memory(server: Server, bodies: list[bytes], handout: bool,
           checkpoints: tuple[int, ...] = (500, 1000, 2000, 4000, 6000, 8000)) -> dict[str, Any]:
    """Worker memory over mixed requests: form, API write and read, result page, OpenAPI.

    Up to 8,000 requests, because with handouts in the mix RSS still creeps up
    (ReportLab's caches, the allocator's arenas) for a few thousand requests before
    it levels off; "growth" is over the second half, 4,000 to 8,000.
    """
    status, data = request("POST", server.port, f"{PREFIX}/api/assessments", bodies[0],
                           JSON_HEADERS)
    assert status == 201, data[:200]
    known = json.loads(data)["id"]
    mix: list[tuple[str, str, bytes | None]] = [
        ("POST", f"{PREFIX}/api/assessments", None),
        ("GET", f"{PREFIX}/api/assessments/{known}", None),
        ("GET", f"{PREFIX}/assessments/{known}", None),
        ("GET", f"{PREFIX}/intake", None),
        ("POST", f"{PREFIX}/api/assessments", None),
        ("GET", f"{PREFIX}/api/openapi.json", None),
    ]
    if handout:
        mix.append(("POST", f"{PREFIX}/api/handout", None))
    done = 0
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    samples = {0: _memory(server.workers())}

    def run(total: int) -> None:
        counter = iter(range(total))

        def one(_k: int) -> None:
            nonlocal done
            with lock:
                n = next(counter, None)
            if n is None:
                stop.set()
                return
            method, path, _ = mix[n % len(mix)]
            body = bodies[n % len(bodies)] if method == "POST" else None
            try:
                status, _data = request(method, server.port, path, body,
                                        JSON_HEADERS if body else USER)
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            with lock:
                done += 1
                if status not in (200, 201):
                    errors[str(status)] += 1

        stop = threading.Event()
        for t in _clients(8, stop, one):
            t.join(timeout=300)

    previous = 0
    for checkpoint in checkpoints:
        run(checkpoint - previous)
        previous = checkpoint
        samples[checkpoint] = _memory(server.workers())
    workers = server.workers()
    last = samples[checkpoints[-1]]
    mid = samples[checkpoints[len(checkpoints) // 2]]
    return {
        "requests": done,
        "errors": dict(errors),
        "samples": {n: {str(p): [round(r, 1), round(s, 1)] for p, (r, s) in m.items()}
                    for n, m in samples.items()},
        "max_rss_mb": max(r for r, _ in last.values()),
        "growth_rss_mb_second_half": max(
            last[p][0] - mid[p][0] for p in workers if p in mid and p in last
        ) if workers else None,
    }


# ---------------------------------------------------------------------- the run
def _reset_postgres(url: str) -> None:
    from ankle_intake.store import Storage

    storage = Storage(url)
    try:
        storage.drop_tables()
    finally:
        storage.dispose()


def handout_exists(server: Server, body: bytes) -> bool:
    status, _ = request("POST", server.port, f"{PREFIX}/api/handout", body, JSON_HEADERS)
    return status not in (404, 405)


def run_store(name: str, database_url: str | None, args: argparse.Namespace,
              root: Path, bodies: list[bytes]) -> dict[str, Any]:
    result: dict[str, Any] = {"store": name}
    for phase in args.phases:
        if database_url:
            _reset_postgres(database_url)
        with running(root / f"{name}-{phase}", database_url, args.workers,
                     args.threads) as server:
            result.setdefault("handout_available", handout_exists(server, bodies[0]))
            if phase == "throughput":
                result["throughput"] = throughput(server, bodies, args.duration,
                                                  args.connections, result["handout_available"])
            elif phase == "fault":
                result["fault"] = fault(server, bodies, database_url, args.fault_seconds,
                                        args.connections)
            else:
                result["memory"] = memory(server, bodies, result["handout_available"])
        print(f"  {name}: {phase} done", flush=True)
    if database_url:
        _reset_postgres(database_url)
    return result


def _report_throughput(r: dict[str, Any]) -> None:
    t = r["throughput"]
    for name in ("bare", "assessments", "handout"):
        if name in t:
            x = t[name]
            print(f"  {name:12s} {x['rps']:8.1f} req/s  p50 {x['p50_us'] / 1000:6.1f} ms  "
                  f"p99 {x['p99_us'] / 1000:6.1f} ms  errors {x['errors']} "
                  f"({x['requests']} requests)")
    ratio = t["assessments"]["rps"] / t["bare"]["rps"]
    print(f"  assessments / bare = {ratio:.2f} (target >= 0.35, issue 13)")
    if not r["handout_available"]:
        print("  handouts: POST /api/handout is not on this branch; not measured")
    else:
        print(f"  handouts: {t['handout']['rps']:.1f} PDFs/s (target >= 40 on 2 cores)")


def _report_fault(f: dict[str, Any]) -> None:
    print(f"  fault: worker {f['killed_worker']} SIGKILLed after "
          f"{f['acknowledged_before_kill']} of {f['acknowledged_201']} acknowledged 201s; "
          f"replaced by {f['replacement_workers']}")
    print(f"         connection errors and other failures {f['client_failures']}; "
          f"answered by an Idempotency-Key replay {f.get('answered_by_replay', 0)}")
    print(f"         unreadable {f['unreadable']}, answers mismatched "
          f"{f['answers_mismatched']}, rows {f['rows']}, damaged {f['damaged_rows']}, "
          f"committed but not acknowledged {f['committed_not_acknowledged']}, "
          f"integrity_check {f['integrity_check']}")


def _report_memory(m: dict[str, Any]) -> None:
    print(f"  memory after {m['requests']} mixed requests (errors {m['errors']}):")
    for n, workers in m["samples"].items():
        print(f"    after {n:5d}: " + ", ".join(
            f"pid {p} RSS {v[0]:.1f} MB / PSS {v[1]:.1f} MB" for p, v in workers.items()))
    print(f"  max RSS {m['max_rss_mb']:.1f} MB (target < {TARGET_MB}); growth over the "
          f"second half {m['growth_rss_mb_second_half']:.1f} MB")


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    kind = "sync" if args.threads == 1 else f"gthread ({args.threads} threads each)"
    for r in results:
        print(f"\n== {r['store']} (gunicorn, {args.workers} {kind} workers, "
              f"wrk -t2 -c{args.connections}) ==")
        if "throughput" in r:
            _report_throughput(r)
        if "fault" in r:
            _report_fault(r["fault"])
        if "memory" in r:
            _report_memory(r["memory"])


def _alarm(_signum: int, _frame: Any) -> None:
    raise TimeoutError("benchmarks/load.py: --deadline reached; stopping")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=30, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn workers (the target is stated for 2)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; more than 1 is gunicorn's gthread worker")
    parser.add_argument("--fault-seconds", type=float, default=9.0)
    parser.add_argument("--pg-url", default=os.environ.get("ANKLE_LOAD_POSTGRES_URL"),
                        help="a scratch PostgreSQL database on 127.0.0.1 (its table is dropped)")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--phases", default="throughput,fault,memory",
                        type=lambda s: [p.strip() for p in s.split(",") if p.strip()],
                        help="which phases to run, in this order")
    parser.add_argument("--deadline", type=int, default=900, help="stop everything after this")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        parser.error("wrk is missing: apt-get install wrk")
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if "postgresql" in stores:
        if not args.pg_url:
            print("no --pg-url / ANKLE_LOAD_POSTGRES_URL: PostgreSQL skipped", file=sys.stderr)
            stores.remove("postgresql")
        elif urlsplit(args.pg_url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--pg-url must be on 127.0.0.1: this run loads only this machine")
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(args.deadline)
    bodies = [json.dumps(c, ensure_ascii=False).encode() for c in _cases()]
    results = []
    with tempfile.TemporaryDirectory(prefix="ankle-load-") as tmp:
        for store in stores:
            url = args.pg_url if store == "postgresql" else None
            print(f"{store}: running (about {3 * args.duration + 60} s)", flush=True)
            results.append({**run_store(store, url, args, Path(tmp), bodies),
                            "workers": args.workers, "threads": args.threads})
    signal.alarm(0)
    report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
