"""Memory and time of one load, phase by phase (issue 13): where a load's peak RSS comes from.

    python benchmarks/bench_phases.py FILE STORE

Loads FILE into STORE (an embedded store, new or not) through ``identigraph.api.load`` in
this process, with a thread sampling RSS every 10 ms, and marks the start and end of the
load's phases (each a function of the load path, wrapped for the run). Prints, per phase,
the RSS at its end, the highest RSS seen within it, its wall and CPU seconds, then the
process's peak RSS and the load average. The sampler costs a few percent of CPU: compare
phases with each other, and totals with ``bench_incremental.py``. Measures only.
"""

from __future__ import annotations

import argparse
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from timing import cpu_ticks, steal_since

INTERVAL = 0.01  # seconds between two RSS samples


def rss_mb() -> int:
    """The process's resident memory now, in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


class Phases:
    """Marks: each closes the phase that ran since the previous one."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, int, int, float, float]] = []
        self.peak = rss_mb()
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, rss_mb())
            time.sleep(INTERVAL)

    def mark(self, name: str) -> None:
        """End the phase ``name`` now."""
        now = rss_mb()
        wall, cpu = time.perf_counter(), time.process_time()
        self.rows.append((name, now, max(self.peak, now), wall - self.wall, cpu - self.cpu))
        self.peak, self.wall, self.cpu = now, wall, cpu

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        """Mark the phase before ``owner.attr`` is called and the phase it is."""
        func: Callable[..., Any] | None = getattr(owner, attr, None)
        if func is None:  # not on this version's load path
            return
        inner = func

        def marked(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is not threading.main_thread():
                return inner(*args, **kwargs)  # within the main thread's phase
            self.mark(f"(until {name})")
            out = inner(*args, **kwargs)
            self.mark(name)
            return out

        setattr(owner, attr, marked)


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("store", type=Path)
    args = ap.parse_args()
    phases = Phases()
    from identigraph import api
    from identigraph.engine import groups
    from identigraph.graph.embedded import delta, layout
    from identigraph.graph.embedded.store import EmbeddedStore

    for owner, attr, name in (
            (EmbeddedStore, "events_with_ids", "stored events with the load's ids"),
            (api, "settle_ids", "settle event ids"),
            (groups, "event_groups", "number the events' groups"),
            (api, "resolve", "replay (resolve)"),
            (api, "prepare", "order, intern and group the events (prepare)"),
            (api, "replay_prepared", "replay (the kernel, profile ids)"),
            (EmbeddedStore, "write_delta", "delta: replay the touched groups and write"),
            (EmbeddedStore, "_replace_derived", "write the derived tables"),
            (EmbeddedStore, "_append_events", "append the events"),
            (layout, "rebuild_lookup", "write the lookup table"),
            (delta, "_touched", "delta: the groups it touches"),
            (delta, "resolve", "delta: replay them"),
            (delta, "write_sorted", "delta: write a table's rows"),
            (delta, "add_lookup", "delta: write their lookup rows"),
            (EmbeddedStore, "_checkpoint", "commit + checkpoint"),
            (EmbeddedStore, "_index", "build the lookup indexes")):
        phases.wrap(owner, attr, name)
    phases.mark("imports")
    ticks = cpu_ticks()
    store = EmbeddedStore(args.store)
    api.load(store, [args.file])
    store.close()
    phases.mark("(until the end)")
    print(f"{'phase (each ends where the next begins)':<52}{'RSS MB':>8}{'peak MB':>9}"
          f"{'wall s':>8}{'CPU s':>7}")
    for name, now, peak, wall, cpu in phases.rows:
        print(f"{name:<52}{now:>8,}{peak:>9,}{wall:>8.2f}{cpu:>7.2f}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/loadavg", encoding="ascii") as fh:
        load = fh.read().split()[:3]
    print(f"peak RSS {usage.ru_maxrss // 1024:,} MB; CPU {usage.ru_utime + usage.ru_stime:.2f} s;"
          f" load average {' '.join(load)}; steal {steal_since(ticks):.1f}% during the load")


if __name__ == "__main__":
    main()
