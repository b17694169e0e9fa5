"""How many examples a property test tries: every one in a whole run (``make test``,
``pytest --all``), a fifth in the quick gate (``make check``, kept under 3 minutes)."""

from __future__ import annotations

import os

#: set (by tests/conftest.py) for a whole run
FULL_RUN_ENV = "IDENTIGRAPH_TEST_FULL_RUN"


def examples(full: int) -> int:
    """``full`` in a whole run; otherwise a fifth of it, at least 5."""
    return full if os.environ.get(FULL_RUN_ENV) else max(5, full // 5)
