"""``identigraph serve`` under concurrent clients: p50 / p99 per request kind, errors.

    python benchmarks/bench_serve.py --store STORE [--clients 50] [--seconds 30]
                                     [--load-copy EVENTS_FILE]

Starts ``identigraph --store STORE serve`` on a free loopback port, then N client threads
(stdlib HTTP, one connection per request) ask for 30 s, round robin: ``show``, ``how``,
``explain`` and ``cluster`` of random identifiers (drawn through the API's own
``/api/profiles``), and ``stats``. With ``--load-copy FILE`` the store is first copied
(embedded stores only) and FILE is loaded into the copy while the clients run, to see the
503s and the recovery. Prints, per kind: requests, p50 and p99 in ms, statuses; and the
load average. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

BIN = Path(sys.executable).parent
IDENTIGRAPH = str(BIN / "identigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) a process and its children (server workers) have used so
    far (Linux /proc; None elsewhere)."""
    try:
        import glob

        ticks = 0
        pids = {str(pid)} | {p.split("/")[2] for p in glob.glob("/proc/[0-9]*/stat")
                             if _parent(p) == pid}
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _parent(stat_path: str) -> int | None:
    try:
        return int(Path(stat_path).read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    """Serve, hammer, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--store", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--load-copy", type=Path, help="load this file into a copy meanwhile")
    opts = parser.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="identigraph-bench-serve-")
    store = opts.store
    if opts.load_copy:
        store = str(Path(tmp) / "copy.db")
        shutil.copyfile(opts.store, store)
    port = _free_port()
    server = subprocess.Popen([IDENTIGRAPH, "--store", store, "serve", "--port", str(port)],
                              stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("server did not start") from None
                time.sleep(0.1)
        _, body = _get(f"{base}/api/profiles?limit=5000")
        profiles = json.loads(body)
        keys = [f"{k}:{v}" for p in profiles for k, field in
                (("external_id", "external_ids"), ("email", "emails"), ("phone", "phones"))
                for v in p[field]]
        q = urllib.parse.quote
        kinds = {
            "show": lambda r: f"/api/identifiers/{q(r.choice(keys))}",
            "how": lambda r: f"/api/how/{q(r.choice(keys))}",
            "explain": lambda r: f"/api/explain?a={q(r.choice(keys))}&b={q(r.choice(keys))}",
            "cluster": lambda r: f"/api/cluster/{q(r.choice(keys))}?depth=1",
            "stats": lambda r: "/api/stats",
        }
        times: dict[str, list[float]] = defaultdict(list)
        statuses: dict[str, Counter[int]] = defaultdict(Counter)
        stop = threading.Event()

        def client(n: int) -> None:
            rng = random.Random(n)
            names = list(kinds)
            i = n
            while not stop.is_set():
                name = names[i % len(names)]
                i += 1
                t0 = time.perf_counter()
                try:
                    code, _ = _get(base + kinds[name](rng))
                except OSError:
                    code = -1
                times[name].append((time.perf_counter() - t0) * 1000)
                statuses[name][code] += 1

        before = os.getloadavg()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(opts.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        load_note = ""
        if opts.load_copy:
            time.sleep(min(5.0, opts.seconds / 4))
            t0 = time.perf_counter()
            out = subprocess.run([IDENTIGRAPH, "--store", store, "load", str(opts.load_copy)],
                                 capture_output=True, text=True, check=False)
            load_note = (f"load meanwhile: exit {out.returncode} in "
                         f"{time.perf_counter() - t0:.1f} s")
        time.sleep(max(0.0, opts.seconds - (time.perf_counter() - started)))
        stop.set()
        for t in threads:
            t.join(120)
        elapsed = time.perf_counter() - started
        after = os.getloadavg()
        server_cpu = _cpu_seconds(server.pid)
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    total = sum(len(v) for v in times.values())
    print(f"{opts.clients} clients, {elapsed:.0f} s, {total:,} requests "
          f"({total / elapsed:.0f}/s) on {opts.store}")
    print(f"{'kind':<8} {'n':>6} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for name in kinds:
        v = times[name]
        print(f"{name:<8} {len(v):>6} {statistics.median(v) if v else 0:>8.1f} "
              f"{_pct(v, 0.99):>8.1f}  {dict(statuses[name])}")
    if load_note:
        print(load_note)
    if server_cpu is not None:
        print(f"server CPU {server_cpu:.1f} s ({server_cpu * 1000 / max(total, 1):.1f} ms per "
              "request, start-up included)")
    print(f"load average {before[0]:.2f} before, {after[0]:.2f} after (1 min), "
          f"{os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
