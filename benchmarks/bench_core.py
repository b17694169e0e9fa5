"""Core benchmark: identigraph load + resolve + store against the naive pipeline.

    python benchmarks/bench_core.py [--n 1000000] [--keep DIR] [--repeat 1]

Generates N synthetic canonical events (``generate.py``; reused from ``--keep DIR`` when
already there), then runs each of these in a FRESH child process, so that peak RSS is
per run (each child reports its own ``ru_maxrss``):

(a) ``identigraph.api.load`` into a new embedded store (DuckDB file);
(b) the naive pipeline (``naive.py``: pandas + phonenumbers per row + networkx);
(c) an instrumented identigraph run that calls the pieces the way ``core/api.py`` does
    and times each phase (read, validate, resolve, state tables, store write).

Prints one table and PASS/MISS against the targets of issue 2 (1M events in under 10 s
and 1.5 GB, at least 3x faster than naive). Measures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from timing import TIMING_HEADER, median, rss_mb, spawn, timing, work_folder

HERE = Path(__file__).resolve().parent
MB = 1024 * 1024
TARGET_S_PER_M = 10.0  # seconds per 1M events
TARGET_RSS_MB = 1.5e9 / MB  # 1.5 GB (decimal) = 1,430 MB
TARGET_RATIO = 3.0


# -- child processes --------------------------------------------------------------------------
def child_load(csv_path: str, store_path: str) -> dict[str, object]:
    """(a) the public API, exactly as ``identigraph --store X load FILE`` runs it."""
    t0 = time.perf_counter()
    from identigraph.api import load
    from identigraph.graph.open import open_store

    t1 = time.perf_counter()
    cpu1 = time.process_time()
    store = open_store(store_path)
    report = load(store, [csv_path])
    store.close()
    t2 = time.perf_counter()
    cpu_s = time.process_time() - cpu1
    summary = report.as_dict()
    return {
        "import_s": t1 - t0,
        "wall_s": t2 - t1,
        "cpu_s": cpu_s,
        "maxrss_mb": rss_mb(),
        "rows_read": summary["rows_read"],
        "events_added": report.events_added,
        "rejected": summary["rejected"],
        "warnings": summary["loaded_with_warnings"],
    }


def child_phases(csv_path: str, store_path: str) -> dict[str, object]:
    """(c) ``core/api.py``'s ``load`` taken apart, each phase timed (first load, fresh store).

    The state tables are built before ``store.write`` so that the write phase times the
    store alone; the times add up to about (a).
    """
    clock = time.perf_counter
    t0 = clock()
    import pyarrow as pa

    from identigraph.api import choose_ruleset, gc_paused
    from identigraph.arrays import as_array
    from identigraph.engine.resolver import resolve
    from identigraph.engine.state import StateRows
    from identigraph.eventids import settle_ids
    from identigraph.graph.open import open_store
    from identigraph.loaders.batch import ReadOptions
    from identigraph.loaders.canonical import Canonicaliser
    from identigraph.loaders.formats import pick_format
    from identigraph.loaders.report import FileReport

    ph: dict[str, float] = {"import": clock() - t0}
    cpu: dict[str, float] = {}  # CPU seconds of each phase (process_time)
    cpu_at = time.process_time

    def timed(name: str, t: float, c: float) -> None:
        ph[name] = ph.get(name, 0.0) + clock() - t
        cpu[name] = cpu.get(name, 0.0) + cpu_at() - c

    t, c = clock(), cpu_at()
    store = open_store(store_path)
    opts = ReadOptions()
    rs = choose_ruleset(store, None)
    path = Path(csv_path)
    fmt = pick_format(path, "auto")
    canon = Canonicaliser(rs, opts.default_region)
    timed("open store, rule set, format", t, c)
    rows_read = warnings = rejected = 0
    with gc_paused():
        t, c = clock(), cpu_at()
        checked = []
        report = FileReport(file=str(path), format=fmt.name)
        batches = iter(fmt.read(path, opts))
        while True:
            t, c = clock(), cpu_at()
            batch = next(batches, None)
            timed("read (format reader)", t, c)
            if batch is None:
                break
            t, c = clock(), cpu_at()
            valid = canon.validate(batch)
            timed("validate (Canonicaliser.validate)", t, c)
            rows_read += len(batch) + len(batch.rejected) + batch.folded
            rejected += valid.rejected
            checked.append((report, valid))
        t, c = clock(), cpu_at()
        ids = pa.concat_arrays([as_array(v.events.column("event_id")) for _, v in checked])
        new, _ = settle_ids(checked, store.events_with_ids(ids))
        warnings = report.loaded_with_warnings
        timed("dedupe + collect events", t, c)

        t, c = clock(), cpu_at()
        resolution = resolve(new, rs)
        timed("resolve (engine.resolver.resolve)", t, c)

        t, c = clock(), cpu_at()
        state = StateRows(new, resolution)
        tables = state.tables()
        state.tables = lambda: tables  # type: ignore[method-assign]
        timed("state tables (StateRows.tables)", t, c)

        t, c = clock(), cpu_at()
        store.write(rs, new, state)
        timed("store write (events + derived tables)", t, c)
    t, c = clock(), cpu_at()
    store.close()
    timed("close", t, c)
    return {
        "phases": ph,
        "cpu": cpu,
        "sub": {},
        "rows_read": rows_read,
        "events_added": len(new),
        "rejected": rejected,
        "warnings": warnings,
        "profiles": tables["profiles"].num_rows,
        "maxrss_mb": rss_mb(),
    }


# -- the parent -------------------------------------------------------------------------------
def _median_run(args: list[str], repeat: int, before: object = None) -> dict[str, object]:
    runs = []
    for _ in range(repeat):
        if callable(before):
            before()
        runs.append(spawn(args))
    return runs[0] if repeat == 1 else median(runs)


def _store_counts(path: Path) -> dict[str, int]:
    from identigraph.graph.open import open_store

    store = open_store(str(path), create=False)
    try:
        stats = store.stats()
    finally:
        store.close()
    edges: dict[str, int] = stats["edges"]  # type: ignore[assignment]
    idents: dict[str, int] = stats["identifiers"]  # type: ignore[assignment]
    return {
        "events": int(stats["events"]),  # type: ignore[call-overload]
        "identifiers": sum(idents.values()),
        "edges": sum(edges.values()),
        "merging_edges": sum(n for r, n in edges.items() if r in ("merge", "attach", "absorb")),
        "profiles": int(stats["profiles"]),  # type: ignore[call-overload]
        "merged_profiles": int(stats["merged_profiles"]),  # type: ignore[call-overload]
    }


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="events to generate")
    ap.add_argument("--keep", type=Path, help="folder to keep (and reuse) the CSV and store in")
    ap.add_argument("--repeat", type=int, default=1, help="runs of (a) and (b); median shown")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "CSV", "STORE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, csv_path, store_path = args.child
        fn = {"load": child_load, "phases": child_phases}[kind]
        print(json.dumps(fn(csv_path, store_path)))
        return

    folder, cleanup = work_folder(args.keep, "identigraph-bench-")
    csv_path = folder / f"events_{args.n}.csv"
    store_path = folder / f"store_{args.n}.db"
    phases_store = folder / f"store_{args.n}_phases.db"
    n = args.n
    me = str(Path(__file__).resolve())

    load_start = os.getloadavg()
    if csv_path.exists():
        print(f"reusing {csv_path}")
    else:
        print(f"generating {n:,} events into {csv_path} ...", flush=True)
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--n", str(n), "--out", str(csv_path)],
            check=True,
        )
        print(f"  generated in {time.perf_counter() - t:.1f} s", flush=True)

    def fresh(p: Path = store_path) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)

    print("(a) identigraph load ...", flush=True)
    ig = _median_run([me, "--child", "load", str(csv_path), str(store_path)], args.repeat, fresh)
    counts = _store_counts(store_path)
    store_mb = store_path.stat().st_size / MB
    print("(b) naive pipeline ...", flush=True)
    nv = _median_run([str(HERE / "naive.py"), str(csv_path), "--json"], args.repeat)
    print("(c) identigraph, instrumented phases ...", flush=True)
    fresh(phases_store)
    ph = spawn([me, "--child", "phases", str(csv_path), str(phases_store)])
    fresh(phases_store)
    load_end = os.getloadavg()

    ig_s, nv_s = float(ig["wall_s"]), float(nv["wall_s"])  # type: ignore[arg-type]
    ratio = nv_s / ig_s
    target_s = TARGET_S_PER_M * n / 1_000_000

    print()
    print(
        f"identigraph core benchmark: {n:,} events "
        f"({csv_path.stat().st_size / MB:,.0f} MB CSV), repeat={args.repeat}"
    )
    print(
        f"machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}; load average "
        f"{' '.join(f'{x:.2f}' for x in load_start)} at start, "
        f"{' '.join(f'{x:.2f}' for x in load_end)} at end"
    )
    print()
    print(f"{'run':<26}{TIMING_HEADER}{'process s':>11}{'load avg':>10}")
    for name, r in (("(a) identigraph load", ig), ("(b) naive pipeline", nv)):
        print(f"{name:<26}{timing(n, r)}{float(r['process_s']):>11.2f}"  # type: ignore[arg-type]
              f"{float(r['load_avg']):>10.2f}")  # type: ignore[arg-type]
        if "all_wall_s" in r and len(r["all_wall_s"]) > 1:  # type: ignore[arg-type]
            print(f"{'':<26}  runs: {r['all_wall_s']}")
    print(
        f"speed ratio naive/identigraph: {ratio:.2f}x  "
        f"(process times incl. interpreter start and imports: "
        f"{float(nv['process_s']) / float(ig['process_s']):.2f}x)"
    )  # type: ignore[arg-type]
    print(f"CPU-time ratio naive/identigraph: {float(nv['cpu_s']) / float(ig['cpu_s']):.2f}x")  # type: ignore[arg-type]
    print(
        "wall s = the work in the child, imports excluded; CPU s = its user+system CPU "
        "time (less\nsensitive to other work on the machine); process s = the whole child "
        "as seen by the parent"
    )
    print()
    scaled = "" if n == 1_000_000 else f" (scaled to {n:,} events)"
    print("targets (issue 2):")
    rss = float(ig["maxrss_mb"])  # type: ignore[arg-type]
    for label, figure, ok in (
        (f"resolved and stored in < {target_s:.1f} s{scaled}", f"{ig_s:,.2f} s", ig_s < target_s),
        (f"peak memory < 1.5 GB ({TARGET_RSS_MB:,.0f} MB)", f"{rss:,.0f} MB", rss < TARGET_RSS_MB),
        (f">= {TARGET_RATIO:.0f}x faster than naive", f"{ratio:.2f}x", ratio >= TARGET_RATIO),
    ):
        print(f"  {label:<58}{figure:>12}  {_mark(ok)}")
    print()
    print(
        f"store: {store_mb:,.1f} MB ({store_path.name}); events {counts['events']:,}, "
        f"identifiers {counts['identifiers']:,}, edges {counts['edges']:,} "
        f"({counts['merging_edges']:,} merging)"
    )
    print(
        f"profiles: {counts['profiles']:,} ({counts['merged_profiles']:,} with merges); "
        f"rows read {ig['rows_read']:,}, loaded {ig['events_added']:,}, "
        f"rejected {ig['rejected']:,}, loaded with warnings {ig['warnings']:,}"
    )
    print(
        f"naive: {nv['components']:,} connected components over {nv['nodes']:,} nodes, "
        f"{nv['edges']:,} edges (every event type merges, so fewer than profiles)"
    )
    if ph["profiles"] != counts["profiles"]:
        print(
            f"WARNING: instrumented run made {ph['profiles']:,} profiles, (a) made "
            f"{counts['profiles']:,}"
        )
    print()
    phases: dict[str, float] = ph["phases"]  # type: ignore[assignment]
    cpus: dict[str, float] = ph["cpu"]  # type: ignore[assignment]
    sub: dict[str, dict[str, float]] = ph["sub"]  # type: ignore[assignment]
    work = sum(v for k, v in phases.items() if k != "import")
    print(
        f"identigraph phases (separate instrumented run (c), fresh store; "
        f"peak RSS {float(ph['maxrss_mb']):,.0f} MB with the state tables built whole):"
    )  # type: ignore[arg-type]
    rv = phases["read (format reader)"] + phases["validate (Canonicaliser.validate)"]
    rv_c = cpus["read (format reader)"] + cpus["validate (Canonicaliser.validate)"]
    print(f"  {'phase':<46}{'wall':>8}  {'share':>6}{'CPU':>9}")
    for name, secs in phases.items():
        if name == "import":
            continue
        print(f"  {name:<46}{secs:8.2f} s  {100 * secs / work:5.1f}%{cpus[name]:8.2f} s")
        if name.startswith("validate"):
            print(f"  {'= read + validate':<46}{rv:8.2f} s  {100 * rv / work:5.1f}%{rv_c:8.2f} s")
        for group, parts in sub.items():
            if name.lower().startswith(group.lower()):
                for part, s in parts.items():
                    print(f"      {part:<42}{s:8.2f} s")
    print(
        f"  {'total (imports excluded)':<46}{work:8.2f} s  {'':6}{sum(cpus.values()):8.2f} s"
        f"   (run (a): {ig_s:.2f} s wall, {float(ig['cpu_s']):.2f} s CPU)"
    )  # type: ignore[arg-type]
    print(f"  {'imports':<46}{phases['import']:8.2f} s")
    print()
    print(
        "naive steps: "
        + ", ".join(
            f"{k} {float(nv[k + '_s']):.2f} s"  # type: ignore[arg-type]
            for k in ("read", "normalise", "graph", "components")
        )
    )
    cleanup()
    if args.keep:
        print(f"kept: {csv_path}, {store_path}")


if __name__ == "__main__":
    main()
