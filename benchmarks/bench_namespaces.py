"""Loading events with two vendor id namespaces against the plain load (issue 11).

    python benchmarks/bench_namespaces.py [--n 1000000] [--keep DIR] [--repeat 3]

Generates the same N synthetic events twice (``generate.py``): plain (an ``external_id``
on ~10% of events) and with ``--namespaces`` (those ids as ``klaviyo_id`` or
``shopify_customer_id``, half each). Each run loads one file into a new embedded store in
a fresh child process (``bench_core.py``'s ``child_load``: the public ``load``); the two
kinds alternate, so both see the same machine load. Prints the median wall and CPU
seconds of each, their ratio (the goal: namespaced within 10% of plain) and the load
average. Measures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from bench_core import _store_counts
from timing import median, spawn, work_folder

HERE = Path(__file__).resolve().parent

GOAL = 1.10


def _fresh(path: Path) -> None:
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="events per file")
    ap.add_argument("--keep", type=Path, help="folder to keep (and reuse) the files in")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each kind; medians shown")
    args = ap.parse_args()
    folder, cleanup = work_folder(args.keep, "identigraph-bench-ns-")
    kinds = {"plain": [], "namespaces": ["--namespaces"]}
    files = {k: folder / f"events_{args.n}_{k}.csv" for k in kinds}
    for kind, flag in kinds.items():
        if not files[kind].exists():
            print(f"generating {args.n:,} {kind} events ...", flush=True)
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--n", str(args.n),
                            "--out", str(files[kind]), *flag], check=True)
    bench_core = str(HERE / "bench_core.py")
    runs: dict[str, list[dict[str, object]]] = {k: [] for k in kinds}
    load_start = os.getloadavg()
    for i in range(args.repeat):
        for kind in kinds:
            store = folder / f"store_{kind}.db"
            _fresh(store)
            print(f"run {i + 1}/{args.repeat}: {kind} ...", flush=True)
            runs[kind].append(spawn([bench_core, "--child", "load", str(files[kind]),
                                     str(store)]))
    load_end = os.getloadavg()
    med = {kind: median(r) for kind, r in runs.items()}

    def figure(kind: str, key: str) -> float:
        return float(med[kind][key])  # type: ignore[arg-type]

    print()
    print(f"{args.n:,} events per load, {args.repeat} runs of each, alternating; load average "
          f"{' '.join(f'{x:.2f}' for x in load_start)} at start, "
          f"{' '.join(f'{x:.2f}' for x in load_end)} at end")
    print(f"{'load':<14}{'wall s (median)':>17}{'CPU s (median)':>16}{'peak RSS MB':>13}"
          f"{'  wall s of each run'}")
    for kind in kinds:
        print(f"{kind:<14}{figure(kind, 'wall_s'):>17.2f}{figure(kind, 'cpu_s'):>16.2f}"
              f"{figure(kind, 'maxrss_mb'):>13,.0f}  {med[kind]['all_wall_s']}")
    wall = figure("namespaces", "wall_s") / figure("plain", "wall_s")
    cpu = figure("namespaces", "cpu_s") / figure("plain", "cpu_s")
    mark = "PASS" if cpu <= GOAL and wall <= GOAL else "MISS"
    print(f"namespaces / plain: wall {wall:.3f}x, CPU {cpu:.3f}x (goal <= {GOAL:.2f}x): {mark}")
    for kind in kinds:
        counts = _store_counts(folder / f"store_{kind}.db")
        print(f"{kind:<14}profiles {counts['profiles']:,}, identifiers {counts['identifiers']:,}, "
              f"edges {counts['edges']:,}")
    cleanup()


if __name__ == "__main__":
    main()
