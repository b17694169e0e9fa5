"""Query latency in process: p50 / p99 of show, explain (same profile and apart) and how.

    python benchmarks/bench_lookups.py --store STORE [--n 1000] [--seed 7]

Opens the store once (embedded file or bolt:// URI) and answers, through the same
functions as the command line (``identigraph.answers``), ``show`` and ``how`` for N random
identifiers, ``explain`` for N pairs on one profile and N pairs on two. Identifiers are
drawn from the first 50,000 profiles by id (ids are hashes, so that is a random draw).
Prints the medians and 99th percentiles in milliseconds, of wall time and of the process's
CPU time (DuckDB's threads included: on a busy machine the wall-time tail is mostly the
wait for a core, which the CPU time leaves out), and the load average. Issue 12's goal:
p99 < 50 ms each on a 10M-event store.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

from identigraph import answers
from identigraph.graph.names import profile_keys
from identigraph.graph.open import open_store
from identigraph.graph.query import ProfileQuery


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--store", required=True)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-stats", action="store_true",
                        help="leave out the store's counts at the end (on Neo4j, stats reads "
                             "every event to find the largest groups: minutes at 10M)")
    opts = parser.parse_args(argv)
    rng = random.Random(opts.seed)
    store = open_store(opts.store, create=False)
    try:
        started = time.perf_counter()
        profiles = list(store.profiles_where(ProfileQuery(limit=50_000)))
        keys = [k for p in profiles for k in profile_keys(p)]
        multi = [p for p in profiles if len(profile_keys(p)) > 1]
        print(f"drew from {len(profiles):,} profiles ({len(keys):,} identifiers) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        singles = rng.sample(keys, min(opts.n, len(keys)))
        same = [tuple(rng.sample(profile_keys(p), 2)) for p in
                (rng.choice(multi) for _ in range(opts.n))] if multi else []
        apart = [(rng.choice(keys), rng.choice(keys)) for _ in range(opts.n)]
        cases: dict[str, tuple[Callable[[object], object], list[object]]] = {
            "show": (lambda k: answers.show(store, k), list(singles)),  # type: ignore[arg-type]
            "how": (lambda k: answers.how(store, k), list(singles)),  # type: ignore[arg-type]
            "explain (same)": (lambda ab: answers.explain(store, *ab), list(same)),  # type: ignore[misc]
            "explain (apart)": (lambda ab: answers.explain(store, *ab), list(apart)),  # type: ignore[misc]
        }
        before = os.getloadavg()
        print(f"{'answer':<16} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
              f"{'CPU p50':>8} {'CPU p99':>8}")
        for name, (work, inputs) in cases.items():
            times, cpu = [], []
            for item in inputs:
                t0, c0 = time.perf_counter(), time.process_time()
                work(item)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            if times:
                print(f"{name:<16} {len(times):>5} {statistics.median(times):>8.1f} "
                      f"{_pct(times, 0.99):>8.1f} {max(times):>8.1f} "
                      f"{statistics.median(cpu):>8.1f} {_pct(cpu, 0.99):>8.1f}", flush=True)
        after = os.getloadavg()
        if not opts.no_stats:
            stats = store.stats()
            print(f"store: {stats['backend']}, {stats['events']:,} events, "
                  f"{stats['profiles']:,} profiles", end="; ")
        print(f"load average {before[0]:.2f} before, {after[0]:.2f} after (1 min), "
              f"{os.cpu_count()} cores")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
