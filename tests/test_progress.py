"""The load progress bar: rows and rows/s on a terminal, nothing when output is not one."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

from support import CONSOLE_SCRIPT, ROOT, cli

EXAMPLE = str(ROOT / "examples" / "forms.jsonl")


def test_progress_on_a_terminal(tmp_path: Path) -> None:
    """Under a pseudo-terminal, stderr shows the file's rows and a rate."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(CONSOLE_SCRIPT), "--store", str(tmp_path / "s.db"), "load",
         EXAMPLE], stdin=follower, stdout=follower, stderr=follower, close_fds=True,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"})
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    text = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "forms.jsonl" in text and "73 rows" in text and "rows/s" in text


def test_quiet_when_not_a_terminal(tmp_path: Path) -> None:
    """Piped output carries the summary only, no progress bar."""
    out = cli("load", EXAMPLE, store=str(tmp_path / "s.db"), process=True)
    assert out.returncode == 0
    assert "rows/s" not in out.stderr and "rows/s" not in out.stdout
