"""The ``identigraph`` console script: glibc's arenas capped before any thread starts (a
load's peak ~5% lower; not with ``--fast``, which trades memory for time), and a Ctrl-C
while the command line is still being imported ends it as one anywhere else does (exit
130, one line), not with a traceback."""

from __future__ import annotations

import sys


def main() -> None:
    """Import the command line, then run it (:func:`identigraph.cli.run_process`)."""
    if "--fast" not in sys.argv[1:]:
        from identigraph.heap import few_arenas

        few_arenas()
    try:
        from identigraph.cli import run_process as run
    except KeyboardInterrupt:
        from identigraph.errors import INTERRUPTED, INTERRUPTED_TEXT

        sys.stderr.write(INTERRUPTED_TEXT + "\n")
        sys.exit(INTERRUPTED)
    run()
