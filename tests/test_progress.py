"""The load progress bar: rows and rows/s on a terminal, nothing when output is not one."""

from __future__ import annotations

import os
from pathlib import Path

from support import ROOT, cli
from support.terminal import on_a_terminal

EXAMPLE = str(ROOT / "examples" / "forms.jsonl")


def test_progress_on_a_terminal(tmp_path: Path) -> None:
    """Under a pseudo-terminal, stderr shows the file's rows and a rate."""
    code, text = on_a_terminal(
        ["--store", str(tmp_path / "s.db"), "load", EXAMPLE],
        {**os.environ, "COLUMNS": "120", "TERM": "xterm"}, stderr_too=True)
    assert code == 0
    assert "forms.jsonl" in text and "73 rows" in text and "rows/s" in text


def test_quiet_when_not_a_terminal(tmp_path: Path) -> None:
    """Piped output carries the summary only, no progress bar."""
    out = cli("load", EXAMPLE, store=str(tmp_path / "s.db"), process=True)
    assert out.returncode == 0
    assert "rows/s" not in out.stderr and "rows/s" not in out.stdout
