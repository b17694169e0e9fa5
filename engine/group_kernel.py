"""The union-find of engine/groups.py: events joined by identifiers; the same over an edge
list (the Spark engine's per-partition stars, spark/components.py); and the interning's
numbering of values by first appearance. Numba source: engine/kernels.py calls it, built
ahead of time (engine/aot.py) or compiled by numba.

Identifier numbers in, one group number per event out; kept apart from engine/groups.py so
that the replay (engine/resolver.py) can number groups from its own interning.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from identigraph.engine.jit import njit


@njit
def find_root(parent: Any, x: int) -> int:
    """The union-find root of ``x``, halving the path behind it (the replay's too)."""
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@njit
def _groups(carried: NDArray[np.int32], blocked: NDArray[np.bool_]) -> NDArray[np.int64]:
    n, k = carried.shape
    parent = np.arange(blocked.shape[0], dtype=np.int64)
    first = np.full(n, -1, np.int64)  # an event's first non-blocked identifier
    for e in range(n):
        for j in range(k):
            x = carried[e, j]
            if x < 0 or blocked[x]:
                continue
            if first[e] < 0:
                first[e] = x
                continue
            a, b = find_root(parent, first[e]), find_root(parent, x)
            if a != b:  # the smaller number stays the root: the result is order-free
                if a < b:
                    parent[b] = a
                else:
                    parent[a] = b
    number = np.full(blocked.shape[0], -1, np.int64)
    out = np.empty(n, np.int64)
    seen = 0
    for e in range(n):  # dense group numbers by first appearance in row order
        if first[e] < 0:  # no identifier that links: a group of its own
            out[e] = seen
            seen += 1
            continue
        r = find_root(parent, first[e])
        if number[r] < 0:
            number[r] = seen
            seen += 1
        out[e] = number[r]
    return out


@njit
def _component_roots(src: NDArray[np.int64], dst: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Each of ``n`` dense nodes' smallest component-mate, over the edges ``src``-``dst``."""
    parent = np.arange(n, dtype=np.int64)
    for i in range(src.shape[0]):
        a, b = find_root(parent, src[i]), find_root(parent, dst[i])
        if a < b:
            parent[b] = a
        elif b < a:
            parent[a] = b
    for x in range(n):
        parent[x] = find_root(parent, x)
    return parent


@njit
def _first_seen(codes: NDArray[np.int32], distinct: int) -> NDArray[np.int64]:
    """Renumber ``codes`` (values' numbers, -1 none) in place by first appearance; returns
    the old number of each new one."""
    new = np.full(distinct, -1, np.int32)
    old = np.empty(distinct, np.int64)
    seen = 0
    for i in range(codes.shape[0]):
        c = codes[i]
        if c < 0:
            continue
        if new[c] < 0:
            new[c] = seen
            old[seen] = c
            seen += 1
        codes[i] = new[c]
    return old[:seen]
