"""Start-up time of query commands, as a ratio to ``python -c "import duckdb"``.

    python benchmarks/bench_startup.py [--repeat 15] [--store PATH]

Times whole processes (interpreter start, imports, the answer), interleaved so that a busy
machine slows all three alike: ``python -c "import duckdb"``, ``identigraph --version``
and ``identigraph show`` on a small store (the examples, loaded into a temporary store
unless ``--store`` names one). Prints the medians of wall time and of CPU time (user +
system, which a busy machine disturbs less), their ratios and the load average. Issue
12's goal: both ratios within 3x.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
IDENTIGRAPH = str(BIN / "identigraph")


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


#: the commands' environment: bytecode written (the warm-up run writes what an installed
#: copy has; with PYTHONDONTWRITEBYTECODE set, each run would compile every changed module)
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``cmd`` (its CPU: what the finished child adds to
    this process's children's usage)."""
    cpu, started = _cpu_children(), time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=_ENV)
    return time.perf_counter() - started, _cpu_children() - cpu


def _load_examples(store: Path) -> None:
    files = sorted(str(p) for p in (ROOT / "examples").glob("*.jsonl"))
    files += sorted(str(p) for p in (ROOT / "examples").glob("*.csv"))
    subprocess.run([IDENTIGRAPH, "--store", str(store), "load", *files], check=True,
                   stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    """Measure, print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--store", type=Path, help="an existing small store (else the examples)")
    parser.add_argument("--identifier", default="maria.lopez@example.com")
    opts = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="identigraph-startup-") as tmp:
        store = opts.store
        if store is None:
            store = Path(tmp) / "small.db"
            _load_examples(store)
        commands = {
            "import duckdb": [sys.executable, "-c", "import duckdb"],
            "identigraph --version": [IDENTIGRAPH, "--version"],
            "identigraph show": [IDENTIGRAPH, "--store", str(store), "show", opts.identifier],
        }
        for cmd in commands.values():  # warm the file cache and any compiled bytecode
            _timed(cmd)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        before = os.getloadavg()
        for _ in range(opts.repeat):
            for name, cmd in commands.items():
                times[name].append(_timed(cmd))
        after = os.getloadavg()
    wall = {name: [w for w, _ in values] for name, values in times.items()}
    cpu = {name: [c for _, c in values] for name, values in times.items()}
    base, base_cpu = (statistics.median(each["import duckdb"]) for each in (wall, cpu))
    print(f"{'command':<24} {'median s':>9} {'min s':>7} {'ratio':>6} {'CPU s':>7} "
          f"{'CPU ratio':>9}")
    for name in times:
        med, med_cpu = statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"{name:<24} {med:>9.3f} {min(wall[name]):>7.3f} {med / base:>6.2f} "
              f"{med_cpu:>7.3f} {med_cpu / base_cpu:>9.2f}")
    print(f"repeats: {opts.repeat}; load average before {before[0]:.2f}, after {after[0]:.2f} "
          f"(1 min), {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
