"""A first load, this tree against a base commit (issue 16: "the 1M load is no slower than before").

    python benchmarks/bench_compare_load.py FILE [--base e14bcdd] [--runs 3] [--warmup 1] [--fast]

Times ``identigraph --store NEW load FILE`` (the command a user runs) into a fresh store,
alternating base / current, ``--runs`` times each. The base runs from a worktree of the base
commit with its own ``.venv`` (``/work/wt/base`` by default; made with ``git worktree add``
and ``pip install -e '.[dev]'`` when missing, the extras ``make install`` gives this tree's
``.venv``); the current from this tree's ``.venv``. Each run is a
child process: its wall seconds, its own user+sys CPU seconds and peak RSS (``os.wait4``),
``/proc/loadavg`` as it started and the share of the machine's CPU time the hypervisor stole
while it ran (``/proc/stat``: on a shared host steal makes a two-thread load's wall time
swing by a third, so compare runs with little of it). ``--warmup`` untimed runs per side
first (numba's on-disk cache, the page cache). Prints every run, then medians, the ratios
current/base of the medians, and the median of each pair's ratio (a run against the base
run just before it: drift cancels). ``--fast`` adds a third side, this tree's
``identigraph load --fast`` (memory traded for time), in the same rotation.
Measures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from timing import cpu_ticks, steal_since

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    """One timed load."""

    side: str
    wall: float
    cpu: float
    rss_mb: float
    load: str
    steal: float  # % of the machine's CPU time stolen by the hypervisor during the run


def loadavg() -> str:
    """The three load averages, as /proc/loadavg gives them."""
    with open("/proc/loadavg", encoding="ascii") as fh:
        return " ".join(fh.read().split()[:3])


def base_tree(commit: str, where: Path) -> Path:
    """A worktree of ``commit`` with an installed ``.venv`` (made when missing)."""
    if not (where / ".venv" / "bin" / "identigraph").exists():
        if not where.exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where),
                            commit], check=True)
        subprocess.run([sys.executable, "-m", "venv", str(where / ".venv")], check=True)
        # the same extras as this tree's .venv (make install): with pandas installed, pyarrow
        # imports it on first use (~0.5 CPU s), so both sides must have it or neither
        subprocess.run([str(where / ".venv" / "bin" / "pip"), "install", "-q", "-e",
                        f"{where}[dev]"], check=True)
    head = subprocess.run(["git", "-C", str(where), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    if not commit.startswith(head) and not head.startswith(commit):
        raise SystemExit(f"{where} is at {head}, not {commit}")
    return where


def load_once(side: str, tree: Path, file: Path, folder: Path, extra: list[str]) -> Run:
    """``identigraph load FILE [extra]`` into a new store under ``folder``, from ``tree``'s
    .venv."""
    store = folder / f"{side}.db"
    for leftover in folder.glob(f"{side}.db*"):
        leftover.unlink()
    load = loadavg()
    ticks = cpu_ticks()
    started = time.perf_counter()
    with (folder / "stderr").open("w+b") as err:
        proc = subprocess.Popen([str(tree / ".venv" / "bin" / "identigraph"), "--store",
                                 str(store), "load", str(file), *extra], stdout=subprocess.DEVNULL,
                                stderr=err, cwd=folder)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        stolen = steal_since(ticks)
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"{side} load failed: {err.read().decode().strip()[-2000:]}")
    for leftover in folder.glob(f"{side}.db*"):
        leftover.unlink()
    return Run(side, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, load,
               stolen)


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--base", default="e14bcdd", help="the commit to compare with")
    ap.add_argument("--base-tree", type=Path, default=Path("/work/wt/base"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--fast", action="store_true", help="also time this tree's load --fast")
    args = ap.parse_args()
    file = args.file.resolve()
    sides: dict[str, tuple[Path, list[str]]] = {
        "base": (base_tree(args.base, args.base_tree), []), "current": (ROOT, [])}
    if args.fast:
        sides["fast"] = (ROOT, ["--fast"])
    with tempfile.TemporaryDirectory(prefix="compare_load_") as tmp:
        folder = Path(tmp)
        for _ in range(args.warmup):
            for side, (tree, extra) in sides.items():
                load_once(side, tree, file, folder, extra)
        runs: list[Run] = []
        print(f"{'run':<12}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}{'steal %':>8}"
              "  load average at start")
        for i in range(args.runs):
            for side, (tree, extra) in sides.items():
                run = load_once(side, tree, file, folder, extra)
                runs.append(run)
                print(f"{side + ' ' + str(i + 1):<12}{run.wall:>8.2f}{run.cpu:>8.2f}"
                      f"{run.rss_mb:>9,.0f}{run.steal:>8.1f}  {run.load}", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
    med = {side: [statistics.median(getattr(r, f) for r in runs if r.side == side)
                  for f in ("wall", "cpu", "rss_mb", "steal")] for side in sides}
    print(f"\nmedians of {args.runs} ({file.name}; base {args.base})")
    for side, (wall, cpu, rss, steal) in med.items():
        print(f"{side:<12}{wall:>8.2f}{cpu:>8.2f}{rss:>9,.0f}{steal:>8.1f}")
    bw, bc, br, _ = med["base"]
    for side in (s for s in sides if s != "base"):
        cw, cc, cr, _ = med[side]
        print(f"{side + '/base':<12}{cw / bw:>8.2f}{cc / bc:>8.2f}{cr / br:>9.2f}"
              f"  load average now {loadavg()}")
        pairs = [(b, c) for b, c in zip(
            [r for r in runs if r.side == "base"], [r for r in runs if r.side == side],
            strict=True)]
        print(f"{'pair ratios':<12}{statistics.median(c.wall / b.wall for b, c in pairs):>8.2f}"
              f"{statistics.median(c.cpu / b.cpu for b, c in pairs):>8.2f}"
              f"{statistics.median(c.rss_mb / b.rss_mb for b, c in pairs):>9.2f}"
              "  (median of each run's ratio to the base run of its round)")


if __name__ == "__main__":
    main()
