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

glibc also gives each new thread an arena of its own (up to 8 per core), each holding its
own free pages. :func:`few_arenas` caps them at :data:`LEAN_ARENAS`; glibc settles the cap
when a second thread first allocates, so the console script calls it first thing for a
``load`` (``identigraph.entry``): a 1M first load peaks 15-22 MB lower (median 391 MB
against 404), 0.1-0.6 CPU s more. A Python program that loads can set
``MALLOC_ARENA_MAX=2`` itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: loads running within :func:`roomy` (a count: ``IdentityGraph.load`` enters it around
#: ``api.load``, which enters it too)
_roomy = 0
#: the most glibc arenas a load leaves its threads (the main one and one shared)
LEAN_ARENAS = 2
_M_ARENA_MAX = -8  # malloc.h's mallopt parameter


@functools.cache
def _libc_function(name: str) -> Callable[..., int] | None:
    """A function of the C library (glibc's ``malloc_trim``, ``mallopt``); None elsewhere."""
    import ctypes  # here, not at import (~3 ms)

    try:  # the process's own symbols, the C library's among them (no library search)
        function: Callable[..., int] = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError, TypeError):
        return None
    return function


def few_arenas() -> None:
    """Cap glibc's arenas at :data:`LEAN_ARENAS` for the rest of the process (no effect once
    a second thread has allocated: call it before any thread starts)."""
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, LEAN_ARENAS)


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
    trim = _libc_function("malloc_trim")
    if trim is not None:
        trim(0)
