"""What the benchmarks share: a child process per timed run (its last stdout line a JSON
object), the median of repeated runs, and the columns of their timing tables."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the timing columns every benchmark table starts with (see :func:`timing`)
TIMING_HEADER = f"{'wall s':>9}{'CPU s':>8}{'events/s':>11}{'peak MB':>10}"


def rss_mb() -> float:
    """This process's peak resident memory in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_ticks() -> tuple[int, int]:
    """The machine's (steal, total) CPU ticks so far (/proc/stat; (0, 0) where unreadable)."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            ticks = [int(t) for t in fh.readline().split()[1:]]
    except OSError:
        return 0, 0
    return (ticks[7] if len(ticks) > 7 else 0), sum(ticks[:8])


def steal_since(before: tuple[int, int]) -> float:
    """The % of the machine's CPU time the hypervisor stole since ``before`` (cpu_ticks):
    on a shared host it stretches a load's wall time by up to a third."""
    steal, total = cpu_ticks()
    return 100 * (steal - before[0]) / max(total - before[1], 1)


def spawn(args: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run ``python ARGS`` from the repository root; its last stdout line (a JSON object),
    with ``process_s`` (the whole child, as the parent saw it), ``load_avg`` (the
    1-minute load average when it started) and ``steal`` (:func:`steal_since` its start)."""
    import time

    load_before = os.getloadavg()[0]
    ticks = cpu_ticks()
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, check=False)
    process_s = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"child failed: {' '.join(args)}")
    out: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_s"] = process_s
    out["load_avg"] = load_before
    out["steal"] = steal_since(ticks)
    return out


def median(runs: list[dict[str, object]]) -> dict[str, object]:
    """The run of median wall time, with the medians of wall, CPU, RSS, process time and
    load average, and every run's wall time (``all_wall_s``)."""
    ordered = sorted(runs, key=lambda r: float(r["wall_s"]))  # type: ignore[arg-type]
    med = dict(ordered[len(ordered) // 2])
    for key in ("wall_s", "cpu_s", "maxrss_mb", "process_s", "load_avg", "steal"):
        if all(key in r for r in runs):
            med[key] = statistics.median(float(r[key]) for r in runs)  # type: ignore[arg-type]
    med["runs"] = len(runs)
    med["all_wall_s"] = [round(float(r["wall_s"]), 2) for r in runs]  # type: ignore[arg-type]
    return med


def timing(n: int, r: dict[str, object]) -> str:
    """The timing columns of one run of ``n`` events (under :data:`TIMING_HEADER`)."""
    wall = float(r["wall_s"])  # type: ignore[arg-type]
    return (f"{wall:>9.2f}{float(r['cpu_s']):>8.2f}"  # type: ignore[arg-type]
            f"{n / wall:>11,.0f}{float(r['maxrss_mb']):>10,.0f}")  # type: ignore[arg-type]


def work_folder(keep: Path | None, prefix: str) -> tuple[Path, Callable[[], None]]:
    """The folder a benchmark writes its inputs and stores in: ``keep`` (made if missing,
    kept) or a new temporary one; and what removes it at the end (nothing for ``keep``)."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        return keep, lambda: None
    tmp = tempfile.TemporaryDirectory(prefix=prefix)
    return Path(tmp.name), tmp.cleanup
