"""The worklist at scale: filtered first pages and cursor pages over 1,000,000 intakes.

Fills a scratch store (a SQLite file under /tmp, and a scratch PostgreSQL
database when ``--pg-url`` names one) with ``--rows`` intakes, made by the
migrations (so with the indexes a clinic has) and inserted with SQLAlchemy Core
in batches of 10,000. The rows look like a clinic's: real answers and real
assessments from ``assess()`` (about 11 kB of JSON a row), ``created_at``
spread over four years, 10,000 patient references, 20 clinicians, 70% signed
(a draft's clinician is who stored it). Versions and audit rows are not made:
the worklist reads neither.

Then :meth:`Storage.worklist` is timed, through the same engine a worker uses,
for the first page and for cursor pages under each filter: none, status,
patient_ref, clinician, a date range, and combinations; the parameters
rotate between repetitions. "deep cursor" pages start half-way through the
matching rows (a keyset cursor must cost the same wherever it points).
Median and p95 in ms; target: under 50 ms for every filtered page.

PostgreSQL is ANALYZEd after the fill (autovacuum would do it); SQLite is
left as a clinic's store is, without ANALYZE (``--analyze-sqlite`` to compare).

    su postgres -c "createdb -O ankle ankle_bench"
    .venv/bin/python benchmarks/worklist.py \\
        --pg-url postgresql+psycopg://ankle:ankle@127.0.0.1:5432/ankle_bench
    .venv/bin/python benchmarks/worklist.py --skip-fill ...   # time the filled stores again
    .venv/bin/python benchmarks/worklist.py --explain ...     # and print each query's plan

Both stores must be scratch ones: without ``--skip-fill`` the plugin's tables
in them are dropped and made again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from ankle_intake import InvalidAnswers, assess
from ankle_intake.guidance.plan import suggested_plan
from ankle_intake.store import Storage, assessments
from ankle_intake.store.decisions import encode_cursor

HERE = Path(__file__).resolve().parent
BATCH = 10_000
PATIENTS = 10_000
CLINICIANS = 20
SIGNED = 0.7
YEARS = 4
END = dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)
TARGET_MS = 50.0
VIGNETTE_DATE = dt.date(2026, 3, 2)


class _Text(TypeDecorator[Any]):
    """A JSON column's bind taking text already serialised (as the plugin's own insert does)."""

    impl = sa.JSON
    cache_ok = True

    def bind_processor(self, dialect: Any) -> None:
        return None


_INSERT = assessments.insert().values(
    answers=sa.type_coerce(sa.bindparam("answers"), _Text),
    assessment=sa.type_coerce(sa.bindparam("assessment"), _Text),
    plan=sa.type_coerce(sa.bindparam("plan"), _Text),
)

dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _pool() -> list[tuple[dict[str, Any], str, str, str]]:
    """Real intakes: the casebook's and the API benchmark's answers, each assessed once."""
    sys.path.insert(0, str(HERE))
    from api import CASES

    cases = [dict(c) for c in CASES]
    casebook = HERE.parent / "tests" / "casebook_cases.json"
    if casebook.exists():  # injury_days_ago -> injury_date, as tests/casebook.py does
        for case in json.loads(casebook.read_text()):
            answers = dict(case["answers"])
            days = answers.pop("injury_days_ago", None)
            answers["assessment_date"] = VIGNETTE_DATE.isoformat()
            if days is not None:
                answers["injury_date"] = (VIGNETTE_DATE - dt.timedelta(days=days)).isoformat()
            cases.append(answers)
    pool = []
    for answers in cases:
        for key in ("patient_ref", "encounter_ref", "patient_name"):
            answers.pop(key, None)
        try:
            assessment = assess(answers)
        except InvalidAnswers:  # a casebook case in a shape the vocabulary no longer takes
            continue
        plan = suggested_plan(assessment)
        pool.append((answers, dumps(assessment), dumps(plan), assessment["triage"]["level"]))
    return pool


def _names() -> list[str]:
    first = ["Ana", "Ben", "Chloé", "Dev", "Eilidh", "Femi", "Grace", "Hugo", "Isla", "Jonas"]
    last = ["Okafor", "Smith", "Nowak", "O'Brien", "García", "Singh", "Müller", "Lee"]
    return [f"{f} {s}" for f in first for s in last]


def fill(storage: Storage, rows: int, seed: int = 12) -> float:
    """Drop, migrate and fill the store; seconds taken."""
    rng = random.Random(seed)
    pool = _pool()
    names = _names()
    patients = [f"P-{i:06d}" for i in range(PATIENTS)]
    patient_names = [rng.choice(names) for _ in patients]
    clinicians = [f"clin-{i:02d}" for i in range(CLINICIANS)]
    span = int(dt.timedelta(days=365 * YEARS).total_seconds())
    start = END - dt.timedelta(seconds=span)
    storage.drop_tables()
    storage.create_tables()
    began = time.perf_counter()
    made = 0
    while made < rows:
        batch = []
        for _ in range(min(BATCH, rows - made)):
            p = rng.randrange(PATIENTS)
            answers, assessment, plan, level = pool[rng.randrange(len(pool))]
            created = start + dt.timedelta(seconds=rng.randrange(span))
            creator = rng.choice(clinicians)
            signed = rng.random() < SIGNED
            signer = (creator if rng.random() < 0.8 else rng.choice(clinicians)) if signed else None
            batch.append({
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "created_at": created,
                "patient_ref": patients[p],
                "encounter_ref": f"E-{rng.randrange(10**8):08d}",
                "rules_version": "2026.11",
                "answers": dumps({**answers, "patient_ref": patients[p],
                                  "patient_name": patient_names[p]}),
                "assessment": assessment,
                "status": "signed" if signed else "draft",
                "version": 1,
                "plan": plan if signed else None,
                "triage_level": level,
                "created_by": creator,
                "signed_by_id": signer,
                "signed_by_name": f"Dr {signer}" if signer else None,
                "signed_at": created + dt.timedelta(minutes=rng.randrange(5, 600))
                if signed else None,
            })
        with storage.engine.begin() as conn:
            conn.execute(_INSERT, batch)
        made += len(batch)
        if made % 100_000 == 0 or made == rows:
            rate = made / (time.perf_counter() - began)
            print(f"  {storage.engine.dialect.name}: {made:,} rows ({rate:,.0f}/s)", flush=True)
    return time.perf_counter() - began


def analyze(storage: Storage) -> None:
    with storage.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


# ------------------------------------------------------------------ the cases
Kwargs = dict[str, Any]


def _cases(rng: random.Random) -> list[tuple[str, Callable[[], Kwargs]]]:
    def patient() -> str:
        return f"P-{rng.randrange(PATIENTS):06d}"

    def clinician() -> str:
        return f"clin-{rng.randrange(CLINICIANS):02d}"

    def month() -> Kwargs:
        since = END - dt.timedelta(days=rng.randrange(31, 365 * YEARS))
        return {"since": since, "until": since + dt.timedelta(days=30)}

    def week() -> Kwargs:
        since = END - dt.timedelta(days=rng.randrange(8, 365 * YEARS))
        return {"since": since, "until": since + dt.timedelta(days=7)}

    return [
        ("no filter", lambda: {}),
        ("status=draft", lambda: {"status": "draft"}),
        ("status=signed", lambda: {"status": "signed"}),
        ("patient_ref", lambda: {"patient_ref": patient()}),
        ("clinician", lambda: {"clinician": clinician()}),
        ("dates (30 days)", month),
        ("status+clinician", lambda: {"status": "signed", "clinician": clinician()}),
        ("status+dates (7 d)", lambda: {"status": "draft", **week()}),
        ("clinician+dates (30 d)", lambda: {"clinician": clinician(), **month()}),
        ("patient+status", lambda: {"patient_ref": patient(), "status": "signed"}),
        ("all four", lambda: {"status": "signed", "clinician": clinician(), **month()}),
    ]


def _ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter_ns()
    out = fn()
    return (time.perf_counter_ns() - start) / 1e6, out


def _deep_cursor(storage: Storage, kwargs: Kwargs) -> str | None:
    """A cursor half-way down the rows this filter matches (the median created_at)."""
    page = storage.worklist(**kwargs, limit=1)
    if not page.items:
        return None
    newest = dt.datetime.fromisoformat(page.items[0]["created_at"])
    oldest = kwargs.get("since") or (END - dt.timedelta(days=365 * YEARS))
    middle = oldest + (newest - oldest) / 2
    return encode_cursor(middle.replace(microsecond=0), "ffffffff-ffff-4fff-bfff-ffffffffffff")


def measure(storage: Storage, reps: int, pages: int, seed: int = 7) -> list[dict[str, Any]]:
    """Time every case: the first page, the next ``pages`` by cursor, a deep cursor page."""
    rng = random.Random(seed)
    results = []
    for name, make in _cases(rng):
        first, follow, deep, sizes = [], [], [], []
        for rep in range(reps + 2):
            kwargs = make()
            took, page = _ms(lambda: storage.worklist(**kwargs))  # noqa: B023
            nxt = page.next
            more = []
            for _ in range(pages):
                if nxt is None:
                    break
                took_next, later = _ms(lambda: storage.worklist(**kwargs, cursor=nxt))  # noqa: B023
                more.append(took_next)
                nxt = later.next
            cursor = _deep_cursor(storage, kwargs)
            took_deep = None
            if cursor is not None:
                took_deep, _ = _ms(lambda: storage.worklist(**kwargs, cursor=cursor))  # noqa: B023
            if rep < 2:  # warm-up: the first touches of each index
                continue
            first.append(took)
            follow.extend(more)
            if took_deep is not None:
                deep.append(took_deep)
            sizes.append(len(page.items))
        results.append({"case": name, "first": first, "next": follow, "deep": deep,
                        "rows": statistics.median(sizes) if sizes else 0})
    return results


def _stat(samples: list[float]) -> str:
    if not samples:
        return "       -        -"
    s = sorted(samples)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return f"{statistics.median(s):8.2f} {p95:8.2f}"


def report(label: str, results: list[dict[str, Any]]) -> bool:
    print(f"\n{label}: Storage.worklist, 25 a page, ms (median, p95)")
    print(f"{'case':24} {'rows':>4} {'first page':>17} {'next pages':>17} {'deep cursor':>17}")
    ok = True
    for r in results:
        worst = max([0.0, *(sorted(x)[int(round(0.95 * (len(x) - 1)))]
                            for x in (r["first"], r["next"], r["deep"]) if x)])
        flag = "" if worst < TARGET_MS else "  <-- over 50 ms"
        ok &= worst < TARGET_MS
        print(f"{r['case']:24} {r['rows']:>4.0f} {_stat(r['first'])} {_stat(r['next'])} "
              f"{_stat(r['deep'])}{flag}")
    return ok


def explain(storage: Storage, seed: int = 7) -> None:
    """Each case's query plan, first page and deep cursor, as the store's planner chose it."""
    rng = random.Random(seed)
    captured: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
             executemany: bool) -> None:
        if statement.lstrip().startswith("SELECT") and "ankle_intake_assessments" in statement:
            captured.append((statement, parameters))

    engine = storage.engine
    dialect = engine.dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    for name, make in _cases(rng):
        kwargs = make()
        for label, extra in (("first", {}), ("deep", {"cursor": _deep_cursor(storage, kwargs)})):
            captured.clear()
            sa.event.listen(engine, "before_cursor_execute", grab)
            try:
                storage.worklist(**kwargs, **extra)
            finally:
                sa.event.remove(engine, "before_cursor_execute", grab)
            statement, parameters = captured[-1]
            with engine.connect() as conn:
                plan = conn.exec_driver_sql(prefix + statement, parameters).all()
            print(f"\n--- {dialect}: {name} ({label}) {kwargs}")
            for row in plan:
                print("   ", row[-1])


def run(label: str, url: str, args: argparse.Namespace) -> bool:
    storage = Storage(url)
    try:
        if not args.skip_fill:
            print(f"{label}: filling {args.rows:,} rows")
            took = fill(storage, args.rows)
            print(f"{label}: filled in {took:.0f} s")
            if storage.engine.dialect.name == "postgresql" or args.analyze_sqlite:
                analyze(storage)
        elif args.analyze_sqlite and storage.engine.dialect.name == "sqlite":
            analyze(storage)
        count = storage.count()
        if args.explain:
            explain(storage)
        return report(f"{label}, {count:,} rows", measure(storage, args.reps, args.pages))
    finally:
        storage.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite-path", default="/tmp/ankle-worklist-bench.db",
                        help="the SQLite file to fill (default %(default)s); '' to skip SQLite")
    parser.add_argument("--pg-url", default=None,
                        help="a scratch PostgreSQL database, e.g. "
                             "postgresql+psycopg://ankle:ankle@127.0.0.1:5432/ankle_bench")
    parser.add_argument("--skip-fill", action="store_true", help="reuse the filled stores")
    parser.add_argument("--reps", type=int, default=40, help="repetitions per case")
    parser.add_argument("--pages", type=int, default=3, help="cursor pages after the first")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    parser.add_argument("--analyze-sqlite", action="store_true",
                        help="run ANALYZE on the SQLite store first")
    args = parser.parse_args()
    ok = True
    if args.sqlite_path:
        ok &= run("SQLite", "sqlite:///" + args.sqlite_path, args)
    if args.pg_url:
        ok &= run("PostgreSQL", args.pg_url, args)
    print("\nall filtered pages under 50 ms" if ok else "\nsome pages over 50 ms (marked)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
