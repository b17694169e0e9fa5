"""Hand the C heap's freed memory back to the system between the phases of a load.

A load's Arrow buffers come from the C allocator (``api.system_allocator``). glibc keeps
what is freed inside its heaps (and the CSV reader's threads' arenas) for reuse, so a
million events read in batches left ~300 MB of freed memory resident that no later phase
reused. ``malloc_trim`` returns those pages; it takes a few milliseconds. Elsewhere than
glibc (macOS, musl) it is a no-op.

Handing pages back costs time: the next buffer faults them in again, zeroed by the kernel
(~0.3 CPU s of a 1M first load, with the trims themselves). A load told to be fast
(``load(..., fast=True)``, ``identigraph load --fast``) runs within :func:`roomy`: freed
memory stays for reuse and DuckDB gets more while it writes (graph/embedded/memory.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: loads running within :func:`roomy` (a count: ``IdentityGraph.load`` enters it around
#: ``api.load``, which enters it too)
_roomy = 0


@functools.cache
def _trim() -> Callable[[int], int] | None:
    import ctypes  # here, not at import: ctypes.util costs a query's start-up ~50 ms
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    return trim


@contextmanager
def roomy() -> Iterator[None]:
    """Within: memory traded for time. :func:`give_back` keeps freed pages for reuse and a
    full load's DuckDB writes get ``memory.ROOMY_BULK_MB`` (a 1M first load: ~6% less
    time, ~1.5x the peak). Process-wide, like the load's Arrow allocator: the threads a
    load starts (readers, DuckDB's) see it too."""
    global _roomy
    _roomy += 1
    try:
        yield
    finally:
        _roomy -= 1


def is_roomy() -> bool:
    """Whether a load within :func:`roomy` is running."""
    return _roomy > 0


def give_back() -> None:
    """Return the heap's free pages to the system (glibc's ``malloc_trim(0)``), unless a
    load runs :func:`roomy`."""
    if _roomy:
        return
    trim = _trim()
    if trim is not None:
        trim(0)
