"""The Spark engine next to the embedded one: time and peak memory of a whole load.

    python benchmarks/bench_spark.py --n 1000000 [--n 10000000] [--keep DIR]
    python benchmarks/bench_spark.py --giant 1000000 [--giant 3000000]   # one group of N
    python benchmarks/bench_spark.py --group 1000000   # that group's replay as a worker does it

Each load is ``identigraph --store NEW.db load FILE`` in a child process (``--engine spark
--spark-master local[2]`` for Spark); its process tree is sampled every 0.2 s and the peak
resident memory is reported per part: the driver (the identigraph Python process), the JVM
(Spark's driver and, in local mode, its executors: one JVM) and the Python workers that
replay the partitions. ``--giant N`` loads N events that all share one external id: one
connected group, so one Python worker replays it alone (the largest group an executor can
replay is where that worker runs out of memory). The 1-minute load average is printed
beside each figure: on a shared 2-core machine every time stretches with it.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate

PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(root: int) -> dict[int, str]:
    """The processes under ``root`` (itself included) and their command lines."""
    children: dict[int, list[int]] = {}
    cmd: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd[int(entry)] = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        out[pid] = cmd.get(pid, "")
        todo.extend(children.get(pid, []))
    return out


TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except OSError:
        return 0


def _part(pid: int, root: int, cmd: str) -> str:
    if pid == root:
        return "driver"
    if "java" in cmd.split(" ", 1)[0]:
        return "jvm"
    return "workers" if "pyspark" in cmd or "python" in cmd else "other"


def run(args: list[str]) -> dict[str, float]:
    """Run one load; wall seconds, CPU seconds and peak MB per part (and of their sum).
    CPU is each process's last sampled user + system time: a process that lived less than
    a sample apart (0.2 s) is missed; an exiting one (no command line left) stays in the
    part it was last seen in (the JVM starts as a script, then becomes ``java``)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak: dict[str, int] = {}
    cpu: dict[int, tuple[str, float]] = {}
    while proc.poll() is None:
        now: dict[str, int] = {}
        for pid, cmd in _tree(proc.pid).items():
            part = _part(pid, proc.pid, cmd)
            now[part] = now.get(part, 0) + _rss(pid)
            last, seconds = cpu.get(pid, (part, 0.0))  # its last part with a command line
            cpu[pid] = (last if part == "other" else part, max(_cpu(pid), seconds))
        now["total"] = sum(now.values())
        for part, rss in now.items():
            peak[part] = max(peak.get(part, 0), rss)
        time.sleep(0.2)
    wall = time.perf_counter() - started
    if proc.returncode:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"load failed ({proc.returncode}): {err[-2000:]}")
    cpu_s: dict[str, float] = {}
    for part, seconds in cpu.values():
        cpu_s[part] = cpu_s.get(part, 0.0) + seconds
    cpu_s["total"] = sum(cpu_s.values())
    return {"wall s": wall, **{f"{k} cpu s": v for k, v in cpu_s.items()},
            **{f"{k} MB": v / 2**20 for k, v in peak.items()}}


def giant(n: int, path: Path) -> None:
    """``n`` events of one group: every event carries the external id ``one`` and an email
    of its own (checkouts: a new email attaches, past the limit it is refused)."""
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["event_id", "timestamp", "type", "email", "external_id"])
        for i in range(n):
            w.writerow([f"g{i:09d}", f"2025-01-01T00:00:{i % 60:02d}Z", "checkout",
                        f"user{i}@example.com", "one"])


def one_group(n: int) -> None:
    """Replay one group of ``n`` events as one Python worker does (``replay_partition``, in
    this process: the events arrive as Arrow batches, the keyed state rows are written as
    Parquet); print its time and this process's peak memory."""
    import resource
    import shutil

    from identigraph.events import EventTable
    from identigraph.rules.registry import load_ruleset
    from identigraph.spark.replay import replay_partition

    events = EventTable.of({
        "event_id": [f"g{i:09d}" for i in range(n)],
        "ts": [1_735_689_600_000_000 + (i % 60) * 1_000_000 for i in range(n)],
        "type": ["checkout"] * n, "email": [f"user{i}@example.com" for i in range(n)],
        "external_id": ["one"] * n})
    batches = events.table.to_batches(max_chunksize=10_000)  # Spark's Arrow batch size
    del events
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    folder = tempfile.mkdtemp(prefix="bench-group-")
    started = time.perf_counter()
    rows = sum(sum(b.column("rows").to_pylist()) for b in replay_partition(
        load_ruleset("klaviyo-sms").model_dump_json(), folder, iter(batches)))
    wall = time.perf_counter() - started
    shutil.rmtree(folder)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"one group n={n:,}  replay s {wall:,.1f}  state rows {rows:,}  peak MB {peak:,.0f} "
          f"(inputs built: {before:,.0f})  load avg {load_avg()}", flush=True)


def load_avg() -> str:
    with open("/proc/loadavg") as fh:
        return fh.read().split()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, action="append", default=[])
    ap.add_argument("--giant", type=int, action="append", default=[])
    ap.add_argument("--group", type=int, default=None,
                    help="replay one group of N events as a worker does, in this process")
    ap.add_argument("--keep", type=Path, default=None)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--engines", default="embedded,spark")
    ap.add_argument("--spark-conf", action="append", default=[],
                    help="KEY=VALUE passed to the Spark loads (e.g. an event log to read stage "
                         "times from)")
    args = ap.parse_args()
    if args.group:
        one_group(args.group)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-spark-"))
    folder.mkdir(parents=True, exist_ok=True)
    cases = [("events", n) for n in args.n] + [("giant", n) for n in args.giant]
    for what, n in cases or [("events", 1_000_000)]:
        src = folder / f"{what}_{n}.csv"
        if not src.exists():
            (generate if what == "events" else giant)(n, src)
        for engine in args.engines.split(","):
            db = folder / f"{what}_{n}_{engine}.db"
            db.unlink(missing_ok=True)
            cmd = [sys.executable, "-m", "identigraph.cli", "--store", str(db), "load",
                   str(src), "--engine", engine]
            if engine == "spark":
                cmd += ["--spark-master", args.master]
                cmd += [a for kv in args.spark_conf for a in ("--spark-conf", kv)]
            before = load_avg()
            got = run(cmd)
            figures = "  ".join(f"{k} {v:,.1f}" for k, v in got.items())
            print(f"{what} n={n:,} {engine:<8} {figures}  load avg {before} -> {load_avg()}",
                  flush=True)
            db.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
