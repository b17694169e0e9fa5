"""The ``identigraph`` console script: for a load, glibc's arenas capped before any thread
starts (its peak ~5% lower; not with ``--fast``, which trades memory for time, nor for
``serve``, whose threads answered ~7% fewer requests with the cap), and a Ctrl-C while the
command line is still being imported ends it as one anywhere else does (exit 130, one
line), not with a traceback."""

from __future__ import annotations

import sys


def main() -> None:
    """Import the command line, then run it (:func:`identigraph.cli.run_process`)."""
    args = sys.argv[1:]
    if "load" in args and "--fast" not in args:  # argv as is: the cap must come first
        from identigraph.heap import few_arenas

        few_arenas()
    try:
        from identigraph.cli import run_process as run
    except KeyboardInterrupt:
        from identigraph.errors import INTERRUPTED, INTERRUPTED_TEXT

        sys.stderr.write(INTERRUPTED_TEXT + "\n")
        sys.exit(INTERRUPTED)
    run()
