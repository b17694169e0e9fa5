"""How much memory the embedded store lets DuckDB use for queries, deltas and index builds:
``$IDENTIGRAPH_MEMORY_LIMIT`` when set, otherwise sized from the machine. Past it DuckDB
spills to a temporary folder (queries) rather than fail."""

from __future__ import annotations

import os
import re
from pathlib import Path

from identigraph.errors import UsageError
from identigraph.heap import is_roomy

#: DuckDB's memory while a full load writes a table whole. Its rows need not keep their order
#: across threads (store._bulk), so both threads write within 48 MB; kept in order, the insert
#: ran on one thread at 64 MB and needed 256 MB for two (~100 MB more peak at 1M events). At
#: 32 MB a 1M first load took ~0.6 CPU s more; 48 MB is ~15 MB of peak under 64 MB's.
BULK_MB = 48
#: the same within a fast load (``heap.roomy``): at 256 MB DuckDB writes with fewer,
#: larger flushes (~0.5 CPU s less of a 1M first load, ~130 MB more peak)
ROOMY_BULK_MB = 256
#: the setting: a size DuckDB reads (``2GB``, ``512MB``, ``1.5GiB``)
MEMORY_ENV = "IDENTIGRAPH_MEMORY_LIMIT"
#: the default: half the machine's memory (or of its cgroup's limit), within these bounds
DEFAULT_MIN_MB, DEFAULT_MAX_MB = 256, 4096
_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)", re.IGNORECASE)
_POWERS = {"B": 0, "KB": 1, "MB": 2, "GB": 3, "TB": 4}  # of 1024 (DuckDB's KB is KiB too)
_CGROUP_LIMIT = Path("/sys/fs/cgroup/memory.max")


def machine_bytes() -> int | None:
    """The memory this process may use: the machine's, or its cgroup's limit when lower
    (None when neither can be read)."""
    try:
        total: int | None = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = None
    try:
        limit = _CGROUP_LIMIT.read_text().strip()
    except OSError:
        limit = "max"
    if limit.isdigit():
        total = int(limit) if total is None else min(total, int(limit))
    return total


def working_memory() -> str:
    """DuckDB's ``memory_limit`` for queries, deltas and index builds."""
    given = os.environ.get(MEMORY_ENV, "").strip()
    if given:
        if not _SIZE.fullmatch(given):
            raise UsageError(f"{MEMORY_ENV}={given!r} is not a size (e.g. 2GB or 512MB)")
        return given
    total = machine_bytes()
    if total is None:
        return f"{DEFAULT_MAX_MB}MB"
    return f"{max(DEFAULT_MIN_MB, min(DEFAULT_MAX_MB, total // 2 >> 20))}MB"


def bulk_memory() -> str:
    """DuckDB's ``memory_limit`` while a full load writes one table: BULK_MB (ROOMY_BULK_MB
    within a fast load), or ``$IDENTIGRAPH_MEMORY_LIMIT`` when that is smaller (a setting
    that is no size is a usage error, as everywhere)."""
    bulk = ROOMY_BULK_MB if is_roomy() else BULK_MB
    given = working_memory()
    if os.environ.get(MEMORY_ENV, "").strip() and _megabytes(given) < bulk:
        return given
    return f"{bulk}MB"


def _megabytes(size: str) -> float:
    """A size DuckDB reads (``1.5GiB``, as :func:`working_memory` checked it), in MB."""
    match = _SIZE.fullmatch(size)
    if match is None:
        raise ValueError(f"not a size: {size!r}")
    power = _POWERS[match.group(2).upper().replace("I", "")]
    return float(size[:match.start(2)]) * 1024.0 ** (power - 2)


def out_of_memory(path: object, cause: str) -> str:
    """The line a user sees when DuckDB ran out of the memory it was given."""
    return (f"store {path}: out of memory ({cause}); {MEMORY_ENV}={working_memory()} "
            "is too little for this store: set it higher")
