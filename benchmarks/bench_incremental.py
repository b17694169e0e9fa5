"""Incremental benchmark (issue 13): a first load's time and peak memory, and a small delta.

    python benchmarks/bench_incremental.py [--n 1000000 3000000] [--keep DIR] [--repeat 1]
                                           [--delta 1000] [--neo4j]

For each N: generates N synthetic events (``generate.py``; reused from ``--keep DIR``), then,
each run in a FRESH child process so that peak RSS belongs to that run alone:

- **first load**: ``identigraph.api.load`` of the N events into a new embedded store;
- **delta**: a copy of that store (written out to disk first), then a load of ``--delta``
  new events (default 1,000), half of them *late* (timestamps inside the stored range),
  half after it, every one carrying an email or external id of a stored person (so each
  touches a stored group), a quarter with a new phone. With ``--neo4j`` the same first
  load and delta run on a Neo4j test server instead (``tests/neo4j_server``, started by
  the script).

Prints medians over ``--repeat`` runs (wall s, CPU s, events/s, peak RSS, the events and
groups the load replayed when the store reports them) and the load average before each
run. Measures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from timing import TIMING_HEADER, median, rss_mb, spawn, timing, work_folder

HERE = Path(__file__).resolve().parent
MB = 1024 * 1024
BASE_TS = 1_700_000_000  # generate.py's first second; its events span one year
YEAR = 365 * 86400


# -- the delta file --------------------------------------------------------------------------
def write_delta(n_base: int, size: int, out: Path, seed: int = 11) -> None:
    """``size`` events about people of a ``generate.py`` file of ``n_base`` events: half late
    (inside its year), half after it; each carries the person's email or external id."""
    rng = np.random.default_rng(seed)
    people = max(1, int(n_base / 1.5))
    person = rng.integers(0, people, size)
    late = np.arange(size) < size // 2
    ts = np.where(late, BASE_TS + rng.integers(0, YEAR, size),
                  BASE_TS + YEAR + rng.integers(0, 86400, size))
    types = rng.choice(["form_submit", "checkout", "profile_update", "sms_keyword"], size)
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["event_id", "timestamp", "type", "email", "phone", "external_id"])
        for i in range(size):
            p = int(person[i])
            email = f"user{p}@example.com" if i % 3 else ""
            ext = "" if email else f"cust-{p}"
            phone = f"+1415{7000000 + i:07d}" if i % 4 == 0 else ""
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ts[i])))
            w.writerow([f"delta{seed}-{i:06d}", stamp, str(types[i]), email, phone, ext])


# -- child processes ---------------------------------------------------------------------------
def child_load(csv_path: str, store_path: str) -> dict[str, object]:
    """One ``identigraph.api.load`` of one file into a store (new or existing)."""
    from identigraph.api import load
    from identigraph.graph.open import open_store

    cpu0, t0 = time.process_time(), time.perf_counter()
    store = open_store(store_path)
    report = load(store, [csv_path])
    store.close()
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "cpu_s": time.process_time() - cpu0, "maxrss_mb": rss_mb(),
            "events_added": report.events_added,
            "replayed_events": getattr(report, "replayed_events", None),
            "replayed_groups": getattr(report, "replayed_groups", None)}


def _spawn(args: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    return spawn([__file__, "--child", *args], env)


def _fresh(path: Path) -> None:
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


# -- Neo4j -------------------------------------------------------------------------------------
def _neo4j_start() -> tuple[str, int]:
    """Start the test server on a free port; its Bolt URI and pid."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = HERE.parent / "tests" / "neo4j_server" / "start.sh"
    out = subprocess.run([str(start), str(port)], capture_output=True, text=True, check=True)
    return f"bolt://127.0.0.1:{port}", int(out.stdout.strip().splitlines()[-1])


def _neo4j_clear(uri: str) -> None:
    sys.path.insert(0, str(HERE.parent / "tests"))
    from support import clear_neo4j  # the test suite's own reset

    clear_neo4j(uri)


# -- the parent --------------------------------------------------------------------------------
def _row(name: str, n: int, r: dict[str, object]) -> str:
    groups = r.get("replayed_groups")
    replayed = r.get("replayed_events")
    return (f"{name:<30}{timing(n, r)}"
            f"{'-' if replayed is None else f'{replayed:,}':>12}"
            f"{'-' if groups is None else f'{groups:,}':>9}"
            f"{float(r['load_avg']):>7.2f}"  # type: ignore[arg-type]
            f"{float(r.get('steal', 0.0)):>8.1f}")  # type: ignore[arg-type]


def _ratio(first: dict[str, object], delta: dict[str, object]) -> str:
    wall = float(delta["wall_s"]) / float(first["wall_s"])  # type: ignore[arg-type]
    cpu = float(delta["cpu_s"]) / float(first["cpu_s"])  # type: ignore[arg-type]
    return f"{'  delta / first load':<30}{wall:>8.1%}{cpu:>9.1%}"


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000, 3_000_000])
    ap.add_argument("--delta", type=int, default=1000, help="events in the delta load")
    ap.add_argument("--keep", type=Path, help="folder to keep (and reuse) CSVs and stores in")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each; medians shown")
    ap.add_argument("--neo4j", action="store_true", help="on a Neo4j test server instead")
    ap.add_argument("--reuse", action="store_true",
                    help="keep a first-loaded store from --keep DIR: deltas only")
    ap.add_argument("--child", nargs=2, metavar=("CSV", "STORE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child_load(*args.child)))
        return
    folder, cleanup = work_folder(args.keep, "identigraph-bench-inc-")
    lines: list[str] = []
    load_start = os.getloadavg()
    neo = _neo4j_start() if args.neo4j else None
    try:
        for n in args.n:
            csv_path = folder / f"events_{n}.csv"
            if not csv_path.exists():
                print(f"generating {n:,} events ...", flush=True)
                subprocess.run([sys.executable, str(HERE / "generate.py"), "--n", str(n),
                                "--out", str(csv_path)], check=True)
            delta = folder / f"delta_{n}_{args.delta}.csv"
            write_delta(n, args.delta, delta)
            base, work = folder / f"store_{n}.db", folder / f"store_{n}_delta.db"
            firsts, deltas = [], []
            for _ in range(0 if neo else args.repeat):
                if not (args.reuse and base.exists()):
                    _fresh(base)
                    print(f"first load {n:,} ...", flush=True)
                    firsts.append(_spawn([str(csv_path), str(base)]))
                    print(_row(f"first load {n:,}", n, firsts[-1]), flush=True)
                _fresh(work)
                shutil.copy(base, work)
                os.sync()  # the copy written out first: its writeback would slow the commit
                print(f"delta {args.delta:,} into {n:,} ...", flush=True)
                deltas.append(_spawn([str(delta), str(work)]))
                print(_row(f"delta {args.delta:,} into {n:,}", args.delta, deltas[-1]),
                      flush=True)
            _fresh(work)
            if firsts:
                lines.append(_row(f"first load {n:,}", n, median(firsts)))
            if deltas:
                lines.append(_row(f"delta {args.delta:,} into {n:,}", args.delta,
                                  median(deltas)))
            if firsts and deltas:
                lines.append(_ratio(median(firsts), median(deltas)))
            if neo is not None:
                nfirst, ndelta = [], []
                for _ in range(args.repeat):
                    _neo4j_clear(neo[0])
                    print(f"Neo4j first load {n:,} ...", flush=True)
                    nfirst.append(_spawn([str(csv_path), neo[0]]))
                    print(f"Neo4j delta {args.delta:,} into {n:,} ...", flush=True)
                    ndelta.append(_spawn([str(delta), neo[0]]))
                lines.append(_row(f"Neo4j first load {n:,}", n, median(nfirst)))
                lines.append(_row(f"Neo4j delta {args.delta:,} into {n:,}", args.delta,
                                  median(ndelta)))
                lines.append(_ratio(median(nfirst), median(ndelta)))
    finally:
        if neo is not None:
            subprocess.run(["kill", str(neo[1])], check=False)
        cleanup()
    print()
    print(f"identigraph incremental benchmark, medians of {args.repeat} run(s); "
          f"{os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in load_start)} "
          f"at start, {' '.join(f'{x:.2f}' for x in os.getloadavg())} at end")
    print(f"{'run':<30}{TIMING_HEADER}"
          f"{'replayed':>12}{'groups':>9}{'load':>7}{'steal %':>8}")
    for line in lines:
        print(line)
    print("events/s: events of that load / wall s; replayed: events the load replayed "
          "(- when the store does not say); load: 1-minute load average before the run; "
          "steal %: the machine's CPU time the hypervisor took during it")
    print(f"python: {sys.executable}; pandas {'installed' if _has_pandas() else 'absent'} "
          "(pyarrow imports it when it is installed: ~35 MB more RSS per process; a plain "
          "`pip install identigraph` has none)")


def _has_pandas() -> bool:
    """Whether this interpreter can import pandas (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("pandas") is not None


if __name__ == "__main__":
    main()
