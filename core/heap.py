"""Hand the C heap's freed memory back to the system between the phases of a load.

A load's Arrow buffers come from the C allocator (``api.system_allocator``). glibc keeps
what is freed inside its heaps (and the CSV reader's threads' arenas) for reuse, so a
million events read in batches left ~300 MB of freed memory resident that no later phase
reused. ``malloc_trim`` returns those pages; it takes a few milliseconds. Elsewhere than
glibc (macOS, musl) it is a no-op.
"""

from __future__ import annotations

import functools
from collections.abc import Callable


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


def give_back() -> None:
    """Return the heap's free pages to the system (glibc's ``malloc_trim(0)``)."""
    trim = _trim()
    if trim is not None:
        trim(0)
