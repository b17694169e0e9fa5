"""The compiled kernels as the replay, the groups and the interning call them: built ahead of
time when they can be (engine/aot.py), else compiled by numba on first use.

Numba costs every process that replays ~100 MB and ~0.6 s: importing it, then loading its
cached kernels (issue 13). The kernels built ahead of time (``python -m
identigraph.engine.aot``, which ``make install`` runs) are a plain C extension beside this
module that needs only numpy. Its name carries a digest of the kernels' source and
signatures, so an edited kernel is never answered by a stale build: without a build of
this source, the kernels are numba's, as before. ``IDENTIGRAPH_KERNELS=numba`` asks for
numba's even when a build is there (to compare, or to debug a kernel).
"""

from __future__ import annotations

import hashlib
import importlib
import os
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from identigraph.errors import UsageError

I32 = NDArray[np.int32]

#: the setting: ``numba`` for numba's kernels even when a build is there; empty or ``auto``
#: for the build when there is one
KERNELS_ENV = "IDENTIGRAPH_KERNELS"
#: each kernel's name in the build, its numba function (module, name) and its signature
SIGNATURES: dict[str, tuple[str, str, str]] = {
    "replay": ("replay_kernel", "_replay",
               "(int32[:, ::1], int32[::1], int32[::1], int32[::1], int32[::1], "
               "int32[:, ::1], int8[::1], boolean[::1], int32[::1], boolean[::1], "
               "int32[::1], int64)"),
    "groups": ("group_kernel", "_groups", "int64[::1](int32[:, ::1], boolean[::1])"),
    "first_seen": ("group_kernel", "_first_seen", "int64[::1](int32[::1], int64)"),
    "component_roots": ("group_kernel", "_component_roots",
                        "int64[::1](int64[::1], int64[::1], int64)"),
}
_HERE = Path(__file__).resolve().parent
#: what a build is made of: the kernels' source and the decision codes they compare with
SOURCES = (_HERE / "replay_kernel.py", _HERE / "group_kernel.py",
           _HERE.parent / "rules" / "decisions.py")


def digest() -> str:
    """The digest of the kernels' source and signatures that names their build."""
    h = hashlib.blake2b(repr(sorted(SIGNATURES.items())).encode(), digest_size=6)
    for path in SOURCES:
        h.update(path.read_bytes())
    return h.hexdigest()


def build_name() -> str:
    """The module name of this source's build (``_kernels_<digest>``), beside this module."""
    return f"_kernels_{digest()}"


def current_build() -> ModuleType | None:
    """This source's build, or None when there is none, it does not import here, or the
    source it was built from cannot be read to check it (an install without ``.py`` files)."""
    try:
        return importlib.import_module(f"identigraph.engine.{build_name()}")
    except (ImportError, OSError):
        return None


def _numba() -> ModuleType:
    """The kernels compiled by numba (cached per machine), as a module-like namespace."""
    funcs = {name: getattr(importlib.import_module(f"identigraph.engine.{mod}"), func)
             for name, (mod, func, _sig) in SIGNATURES.items()}
    module = ModuleType("identigraph.engine.kernels_numba")
    module.__dict__.update(funcs)
    return module


def setting() -> str:
    """``$IDENTIGRAPH_KERNELS``: ``auto`` (the default) or ``numba``; anything else is a
    usage error, which a load reports before it writes anything."""
    raw = os.environ.get(KERNELS_ENV, "")
    given = raw.strip().lower() or "auto"
    if given not in ("auto", "numba"):
        raise UsageError(f"{KERNELS_ENV}={raw!r} is neither auto nor numba")
    return given


@cache
def _kernels() -> ModuleType:
    """The kernels this process uses, chosen once: the build when there is one (and the
    setting allows it), else numba's."""
    built = None if setting() == "numba" else current_build()
    return built if built is not None else _numba()


def which() -> str:
    """``built`` when the kernels are the build ahead of time, ``numba`` when numba's."""
    return "numba" if _kernels().__name__.endswith("kernels_numba") else "built"


class ReplayOut(NamedTuple):
    """What the replay decided, as arrays; ``positions`` are indexes in event order."""

    ident_profile: I32  # root profile of each identifier, -1 when none
    ident_consent: I32  # consent code (of the consent vocabulary), -1 when none
    ident_consent_at: I32  # position of the event that set it, -1 when none
    edge_at: I32
    edge_src: I32
    edge_dst: I32
    edge_rule: NDArray[np.int8]
    profile_created_at: I32  # by profile index, in creation order
    profile_created_for: I32
    profile_label: I32  # root -> profile whose id shows
    live: I32  # roots that still hold identifiers, ascending
    live_size: I32  # their member counts
    live_head: I32  # their first member
    live_last: I32  # [live, 2]: last member of the consent kinds (email, phone), -1 when none
    members: I32  # their members, by kind, then live profile, then member order
    member_offsets: I32  # [K, live + 1] into ``members``
    merged: I32  # labels merged into each live profile, in merge order, concatenated
    merged_offsets: I32  # per live profile, into ``merged``
    merge_at: I32
    merge_into: I32  # label kept
    merge_from: I32  # label merged away
    merge_via: I32  # identifier that brought it
    detach_at: I32
    detach_profile: I32  # label of the profile the identifier left
    detach_ident: I32
    detach_by: I32  # the identifier that replaced it (the event's own, or the one the
    # landing profile kept when the event's own did not land), -1 when none


def _i32(a: Any) -> I32:
    return np.ascontiguousarray(a, np.int32)


def replay(
    carried: I32, strength: I32, etype: I32, modes: I32, absorbs: I32, consent_ev: I32,
    kind: NDArray[np.int8], blocked: NDArray[np.bool_], lim_max: I32,
    lim_replace: NDArray[np.bool_], consent_kind: I32,
) -> ReplayOut:
    """Replay events given as identifier numbers (engine/replay_kernel.py); every argument
    is indexed as documented:

    ``carried`` [event, K]: identifiers by kind code (-1 none), K the kinds replayed;
    ``strength``: the kind codes in strength order; ``etype`` [event]: event type code;
    ``modes``/``absorbs`` [type]: link mode (0 merge, 1 attach, 2 none) and a bit mask of
    the kinds absorbed; ``consent_ev`` [event, 2]: email and SMS consent codes (-1 none),
    ``consent_kind`` [2]: the kind codes they belong to (email, phone; -1 when not
    declared); ``kind``/``blocked`` [identifier]; ``lim_max``/``lim_replace`` [kind]: the
    limit (-1 unlimited) and whether past it replaces.
    """
    carried = _i32(carried)
    per_event = np.count_nonzero(carried >= 0, axis=1)
    e_cap = int(np.maximum(per_event - 1, 0).sum())  # edges: one per identifier past the first
    del per_event
    return ReplayOut(*_kernels().replay(
        carried, _i32(strength), _i32(etype), _i32(modes), _i32(absorbs), _i32(consent_ev),
        np.ascontiguousarray(kind, np.int8), np.ascontiguousarray(blocked, np.bool_),
        _i32(lim_max), np.ascontiguousarray(lim_replace, np.bool_), _i32(consent_kind),
        e_cap))


def connected_groups(carried: I32, blocked: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Group number of each event (row of ``carried``), numbered by first appearance.

    ``carried`` [event, kind]: identifier numbers the event carries (-1 none);
    ``blocked`` [identifier]: blocked values, which connect nothing. An event with no
    non-blocked identifier is a group of its own.
    """
    out: NDArray[np.int64] = _kernels().groups(_i32(carried),
                                               np.ascontiguousarray(blocked, np.bool_))
    return out


def first_seen(codes: I32, distinct: int) -> NDArray[np.int64]:
    """Renumber ``codes`` (values' numbers, -1 none; contiguous int32, changed in place) by
    first appearance; returns the old number of each new one."""
    if codes.dtype != np.int32 or not codes.flags.c_contiguous:
        raise TypeError("first_seen renumbers a contiguous int32 array in place")
    out: NDArray[np.int64] = _kernels().first_seen(codes, distinct)
    return out


def component_roots(src: NDArray[np.integer], dst: NDArray[np.integer], n: int
                    ) -> NDArray[np.int64]:
    """Each of ``n`` dense nodes' smallest component-mate over the edges ``src``-``dst``
    (the Spark engine's per-partition stars)."""
    out: NDArray[np.int64] = _kernels().component_roots(
        np.ascontiguousarray(src, np.int64), np.ascontiguousarray(dst, np.int64), n)
    return out
