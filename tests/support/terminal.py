"""Running the console script under a pseudo-terminal, as a person at a terminal would."""

from __future__ import annotations

import os
import pty
import subprocess
from collections.abc import Mapping

from support.cli import CONSOLE_SCRIPT


def on_a_terminal(args: list[str], env: Mapping[str, str], *,
                  stderr_too: bool = False) -> tuple[int, str]:
    """``identigraph ARGS`` with stdout (and stdin; stderr too when asked) on a
    pseudo-terminal: its exit code and everything it wrote there."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([str(CONSOLE_SCRIPT), *args], stdin=follower, stdout=follower,
                            stderr=follower if stderr_too else subprocess.DEVNULL,
                            close_fds=True, env=dict(env))
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")
