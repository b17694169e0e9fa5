"""The console script caps glibc's arenas before any thread starts (``heap.few_arenas``):
threads share two heaps instead of one each, which lowers a load's peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import identigraph.cli
import identigraph.heap
from identigraph.entry import main

# a child process: optionally the cap, then six threads that each allocate and wait for the
# others, then glibc's own account of its heaps (malloc_info's XML, one <heap> per arena)
CHILD = """
import ctypes, sys, threading
from identigraph.heap import few_arenas
if sys.argv[1] == "capped":
    few_arenas()
barrier = threading.Barrier(7)
def work():
    held = [bytearray(50_000) for _ in range(20)]
    barrier.wait()
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads:
    t.start()
barrier.wait()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
out = libc.fopen(sys.argv[2].encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(out))
libc.fclose(ctypes.c_void_p(out))
barrier.wait()
for t in threads:
    t.join()
"""


def heaps(tmp_path: Path, mode: str) -> int:
    report = tmp_path / f"{mode}.xml"
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}  # glibc's own cap
    subprocess.run([sys.executable, "-c", CHILD, mode, str(report)], check=True, timeout=60,
                   env=env)
    return report.read_text().count("<heap nr=")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")
def test_capped_threads_share_two_heaps(tmp_path: Path) -> None:
    assert heaps(tmp_path, "capped") == identigraph.heap.LEAN_ARENAS
    assert heaps(tmp_path, "free") > identigraph.heap.LEAN_ARENAS


@pytest.mark.parametrize(("argv", "capped"), [
    (["load", "events.csv"], True),
    (["--store", "x.db", "load", "events.csv", "--json"], True),
    (["load", "--fast", "events.csv"], False),  # --fast trades memory for time
    (["serve"], False),  # its request threads allocate at once: fewer heaps, fewer answers
    (["--version"], False),
])
def test_the_console_script_caps_them_first(monkeypatch: pytest.MonkeyPatch, argv: list[str],
                                            capped: bool) -> None:
    calls: list[str] = []
    monkeypatch.setattr(identigraph.heap, "few_arenas", lambda: calls.append("cap"))
    monkeypatch.setattr(identigraph.cli, "run_process", lambda: calls.append("run"))
    monkeypatch.setattr(sys, "argv", ["identigraph", *argv])
    main()
    assert calls == (["cap", "run"] if capped else ["run"])
