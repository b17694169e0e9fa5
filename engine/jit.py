"""The one numba decorator the kernels use: compiled once per machine (``cache=True``).

Kept apart so importing identigraph does not import numba (half a second): only the
kernel modules import this, and only when a replay runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., Any])


def njit(func: F) -> F:
    """``numba.njit(cache=True)``, typed for mypy: the compiled function keeps its signature."""
    return cast(F, numba.njit(cache=True, nogil=True)(func))
