"""The ``identigraph`` console script: a Ctrl-C while the command line is still being
imported ends it as one anywhere else does (exit 130, one line), not with a traceback."""

from __future__ import annotations

import sys


def main() -> None:
    """Import the command line, then run it (:func:`identigraph.cli.run_process`)."""
    try:
        from identigraph.cli import run_process as run
    except KeyboardInterrupt:
        from identigraph.errors import INTERRUPTED, INTERRUPTED_TEXT

        sys.stderr.write(INTERRUPTED_TEXT + "\n")
        sys.exit(INTERRUPTED)
    run()
