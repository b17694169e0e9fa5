"""True causes and exit codes (issue 17, classes 3 and 4): a store problem is exit 3 with
its cause, a file that cannot be used is exit 2 naming it, bad options are refused before
anything is written; never a Python class name, never a ROLLBACK error instead of the cause."""

from __future__ import annotations

import json
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import cli, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(str(p) for p in (ROOT / "examples").glob("*.jsonl"))
GOOD = {"event_id": "g1", "timestamp": "2025-01-01T10:00:00Z", "type": "form_submit",
        "email": "ann@example.com"}
CLASS_NAME = re.compile(r"\b[A-Z][a-zA-Z]*(Error|Exception)\b")


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and not CLASS_NAME.search(lines[0]), stderr
    return lines[0]


def _load_with_file_limit(db: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """A load whose writes fail past ``limit`` bytes, as on a full disk."""
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it then fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "identigraph.cli", "--store", str(db), "load",
                           *EXAMPLES], preexec_fn=limited, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.mark.parametrize("limit", [20_000, 300_000])
def test_a_failed_write_says_its_cause_not_rollback(tmp_path: Path, limit: int) -> None:
    """Writes failing mid-transaction (or at the checkpoint after it): exit 3 naming the
    cause ("File too large"), not "cannot rollback" or "transaction is aborted"."""
    db = tmp_path / "s.db"
    out = _load_with_file_limit(db, limit)
    assert out.returncode == 3, out.stderr
    line = _one_line(out.stderr)
    assert "File too large" in line and "rollback" not in line.lower(), line


def test_a_store_that_cannot_be_created_says_why(tmp_path: Path) -> None:
    """Not even the empty store fits: exit 3, the cause, and no half-made file left."""
    db = tmp_path / "s.db"
    out = _load_with_file_limit(db, 1_000)
    assert out.returncode == 3
    assert "cannot create the store" in _one_line(out.stderr)
    assert not db.exists()


@pytest.mark.parametrize("how", ["truncated", "cut_short", "scribbled"])
def test_a_damaged_store_is_exit_3(tmp_path: Path, how: str) -> None:
    """A cut or overwritten store file: any command that reads the damage is exit 3, "store
    is damaged"; a load (it reads every event) always does."""
    db = tmp_path / "s.db"
    assert cli("load", *EXAMPLES, store=str(db)).returncode == 0
    data = bytearray(db.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 4]
    elif how == "cut_short":
        data = data[:100]
    else:
        data[4096:] = bytes(range(256)) * ((len(data) - 4096) // 256) + bytes(
            (len(data) - 4096) % 256)
    db.write_bytes(bytes(data))
    for args in (("profiles",), ("stats",), ("load", EXAMPLES[0])):
        out = cli(*args, store=str(db))
        assert out.returncode in (0, 3), (args, out.stderr)
        if out.returncode == 3 or args[0] == "load":
            assert out.returncode == 3, out.stderr
            assert "store is damaged" in _one_line(out.stderr)


@pytest.mark.slow
def test_sigint_during_a_load_is_130_and_keeps_the_store(tmp_path: Path) -> None:
    """Ctrl-C at several moments of a big load: exit 130 with "interrupted" (or the load had
    finished), and the store holds the last completed load, never a half one."""
    db = tmp_path / "s.db"
    assert cli("load", *EXAMPLES, store=str(db)).returncode == 0
    before = json.loads(cli("stats", "--json", store=str(db)).stdout)["events"]
    big = tmp_path / "big.csv"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--n", "150000",
                    "--out", str(big)], check=True, timeout=300)
    started = time.monotonic()  # how long the command takes to start, on this machine now
    subprocess.run([sys.executable, "-c", "import identigraph.cli"], check=True, timeout=120)
    start_up = time.monotonic() - started
    interrupted = 0
    for delay in (start_up + 1.0, start_up + 2.5, start_up + 4.0):
        proc = subprocess.Popen([sys.executable, "-m", "identigraph.cli", "--store", str(db),
                                 "load", str(big)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=240)
        assert proc.returncode in (0, 130), err
        events = json.loads(cli("stats", "--json", store=str(db)).stdout)["events"]
        if proc.returncode == 130:
            interrupted += 1
            assert "interrupted" in _one_line(err)
        assert events in (before, before + 150_000)
        if events != before:
            break  # it finished: later runs would add nothing to interrupt
    assert interrupted >= 1, "every load finished before the signal"


def test_files_that_cannot_be_used_are_exit_2_naming_them(tmp_path: Path) -> None:
    """A binary rule set or source map: exit 2, one line naming the file."""
    ok = write_jsonl(tmp_path / "ok.jsonl", [GOOD])
    binary = tmp_path / "rules.yaml"
    binary.write_bytes(bytes(range(256)))
    for option in ("--ruleset", "--source-map"):
        out = cli("load", str(ok), option, str(binary), store=str(tmp_path / "s.db"))
        assert out.returncode == 2, out.stderr
        assert "rules.yaml" in _one_line(out.stderr)


def test_a_row_too_deep_or_too_big_is_a_reject_with_its_record(tmp_path: Path) -> None:
    """A 100,000-deep JSON row and a 2 MiB value: each rejected with its line, the rest
    loaded; never a crash."""
    src = tmp_path / "rows.jsonl"
    big = {**GOOD, "event_id": "big", "attributes": {"blob": "y" * (2 << 20)}}
    src.write_text('{"a":' * 100_000 + "1" + "}" * 100_000 + "\n" + json.dumps(big) + "\n"
                   + json.dumps(GOOD) + "\n", encoding="utf-8")
    rejects = tmp_path / "r.csv"
    out = cli("load", str(src), "--json", "--rejects", str(rejects),
              store=str(tmp_path / "s.db"))
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["loaded"], summary["rejected"]) == (1, 2)
    text = rejects.read_text(encoding="utf-8")
    assert "nested too deeply" in text and "too large" in text


def test_options_are_checked_before_anything_is_written(tmp_path: Path) -> None:
    """An unwritable --rejects, an unknown --default-region, a bad --undated-time: exit 2,
    one line, and the store not even created."""
    ok = write_jsonl(tmp_path / "ok.jsonl", [GOOD])
    db = tmp_path / "s.db"
    for args, text in [
        (("--rejects", str(tmp_path / "missing" / "r.csv")), "r.csv"),
        (("--rejects", str(tmp_path)), "folder"),
        (("--default-region", "XX"), "XX"),
        (("--undated-time", "soon"), "--undated-time"),
    ]:
        out = cli("load", str(ok), *args, store=str(db))
        assert out.returncode == 2, (args, out.stderr)
        assert text in _one_line(out.stderr)
        assert not db.exists(), args
    # before a Spark session too: the option's line, not the missing Java's
    out = cli("load", str(ok), "--default-region", "XX", "--engine", "spark", store=str(db),
              env={"JAVA_HOME": str(tmp_path / "no-java")})
    assert out.returncode == 2 and "XX" in _one_line(out.stderr) and not db.exists()
    out = cli("--default-region", "XX", "show", "4155550101", store=str(db))
    assert out.returncode == 2 and "XX" in _one_line(out.stderr)
