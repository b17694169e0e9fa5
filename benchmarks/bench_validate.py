"""Benchmark: reading + validating input alone (no resolve, no store).

Times, for a canonical events CSV and for the Shopify order and SMS subscriber exports of
``bench_exports.py``, the two steps ``identigraph.api.load`` runs before resolving: the
format reader (``Format.read``: CSV parsing and the export's column mapping) and
``Canonicaliser.validate`` (timestamps, types, identifier normalisation, consent), batch
by batch, with the GC paused as ``load`` pauses it. Each input runs in a fresh child
process, so its peak memory (``ru_maxrss``) is its own. Wall and CPU seconds are printed
for both steps; on a shared machine compare CPU seconds, or take the median of
``--repeat`` runs.

``--digest`` also prints a hash of everything the steps produced (events, line numbers,
warned flags, problems, counts): two versions of the loaders behave identically on a
file when their digests are equal.

    python benchmarks/bench_validate.py                      # all three, generated if needed
    python benchmarks/bench_validate.py --only events --repeat 3
    python benchmarks/bench_validate.py --file some_export.csv --digest
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(path: str, digest: bool) -> None:
    """Read and validate one file; print JSON figures (run in its own process)."""
    import gc

    from identigraph.loaders.batch import ReadOptions
    from identigraph.loaders.canonical import Canonicaliser
    from identigraph.loaders.formats import pick_format
    from identigraph.rules.registry import load_ruleset

    opts = ReadOptions()
    fmt = pick_format(Path(path))
    canon = Canonicaliser(load_ruleset(None), opts.default_region)
    h = hashlib.blake2b(digest_size=16)
    counts = {"rows": 0, "events": 0, "rejected": 0, "folded": 0, "problems": 0}
    read_w = read_c = val_w = val_c = 0.0
    gc.disable()
    t0w, t0c = time.perf_counter(), time.process_time()
    batches = iter(fmt.read(Path(path), opts))
    while True:
        w, c = time.perf_counter(), time.process_time()
        batch = next(batches, None)
        read_w += time.perf_counter() - w
        read_c += time.process_time() - c
        if batch is None:
            break
        w, c = time.perf_counter(), time.process_time()
        checked = canon.validate(batch)
        val_w += time.perf_counter() - w
        val_c += time.process_time() - c
        counts["rows"] += len(batch) + len(batch.rejected) + batch.folded
        counts["events"] += len(checked.events)
        counts["rejected"] += checked.rejected
        counts["folded"] += batch.folded
        counts["problems"] += len(checked.problems)
        if digest:
            for column in checked.events.columns():
                h.update(repr(column).encode())
            h.update(repr((checked.lines.tolist(), checked.warned, checked.rejected,
                           batch.folded, len(batch), len(batch.rejected))).encode())
            h.update(repr(checked.problems).encode())
    total_w, total_c = time.perf_counter() - t0w, time.process_time() - t0c
    print(json.dumps({
        "format": fmt.name, "read": [read_w, read_c], "validate": [val_w, val_c],
        "total": [total_w, total_c], "counts": counts,
        "digest": h.hexdigest() if digest else None,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load_average": os.getloadavg()[0],
    }))


def _run_child(path: Path, digest: bool) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", str(path)]
                         + (["--digest"] if digest else []),
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{path}: child failed:\n{out.stderr[-3000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _inputs(args: argparse.Namespace) -> dict[str, Path]:
    """The files to measure, generating the synthetic ones that are missing."""
    if args.file:
        return {Path(f).name: Path(f) for f in args.file}
    sys.path.insert(0, str(HERE))
    import bench_exports  # a sibling script, only needed here

    data: Path = args.data_dir
    data.mkdir(parents=True, exist_ok=True)
    wanted = {
        "events": (data / f"events_{args.rows}.csv", _make_events),
        "orders": (data / f"orders_{args.rows}.csv", bench_exports.make_orders),
        "sms": (data / f"sms_{args.rows}.csv", bench_exports.make_sms),
    }
    return {name: bench_exports.ensure(path, args.rows, make)
            for name, (path, make) in wanted.items() if not args.only or name == args.only}


def _make_events(path: Path, rows: int) -> None:
    """Canonical events, written by benchmarks/generate.py."""
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--n", str(rows), "--out",
                    str(path)], check=True)


def main() -> None:
    """Measure each input ``--repeat`` times and print the medians."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--data-dir", type=Path,
                    default=Path(tempfile.gettempdir()) / "identigraph-bench")
    ap.add_argument("--only", choices=("events", "orders", "sms"))
    ap.add_argument("--file", action="append", help="measure this file instead (repeatable)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--digest", action="store_true", help="print a hash of the output")
    ap.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.digest)
        return
    for name, path in _inputs(args).items():
        runs = [_run_child(path, args.digest) for _ in range(max(1, args.repeat))]

        def med(key: str, k: int, runs: list[dict[str, object]] = runs) -> float:
            return statistics.median(float(r[key][k]) for r in runs)  # type: ignore[index]

        last = runs[-1]
        loads = ", ".join(f"{float(str(r['load_average'])):.1f}" for r in runs)
        counts = last["counts"]
        assert isinstance(counts, dict)
        print(f"{name} ({last['format']}, {counts['rows']:,} rows -> {counts['events']:,} "
              f"events, {counts['rejected']:,} rejected, {counts['folded']:,} folded, "
              f"{counts['problems']:,} problems)")
        print(f"  read     {med('read', 0):6.2f} s wall {med('read', 1):6.2f} s CPU")
        print(f"  validate {med('validate', 0):6.2f} s wall {med('validate', 1):6.2f} s CPU")
        print(f"  total    {med('total', 0):6.2f} s wall {med('total', 1):6.2f} s CPU   "
              f"peak {statistics.median(float(r['max_rss_mb']) for r in runs):,.0f} MB "
              f"(median of {len(runs)}; load average {loads})")
        if last["digest"]:
            digests = {r["digest"] for r in runs}
            print(f"  digest   {', '.join(str(d) for d in digests)}")


if __name__ == "__main__":
    main()
