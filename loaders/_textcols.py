"""Text columns as Arrow arrays: the cheap whole-column steps of validation.

A million values cost a few milliseconds per step here, against about a second for a
Python loop over them (and its garbage). Each helper reproduces a per-value Python
function exactly: it settles the plain values (ASCII, no surrounding space) in bulk and
hands the rest to that function, so the result is the same whatever the input.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.arrays import as_array
from identigraph.normalise import clean_raw

_NULL = pa.scalar(None, pa.string())


def text_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous ``string`` Arrow array of a column (a null column becomes text)."""
    values = as_array(values)
    if values.type != pa.string():
        values = values.cast(pa.string())
    return values


def _bytes(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (len + 1) and data bytes of a ``string`` array, for byte-level masks."""
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    data = (np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None and bufs[2].size
            else np.zeros(1, dtype=np.uint8))
    return offsets, data


#: bytes of printable ASCII other than space: a value starting and ending with one of
#: these has nothing to trim (for the start, not the apostrophe either)
_PRINTABLE = np.zeros(256, dtype=bool)
_PRINTABLE[0x21:0x7F] = True
_PLAIN_START = _PRINTABLE.copy()
_PLAIN_START[0x27] = False


def clean_text(arr: pa.Array) -> pa.Array:
    """:func:`clean_raw` over a column: trimmed, one leading apostrophe dropped, "" as null.

    A value whose first and last characters are printable ASCII other than space is
    already trimmed; only the others (rare: padding, non-ASCII ends) go through Python.
    """
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return pa.nulls(n, pa.string())
    offsets, data = _bytes(arr)
    starts, ends = offsets[:-1], offsets[1:]
    lens = ends - starts
    valid = (np.ones(n, dtype=bool) if arr.null_count == 0
             else arr.is_valid().to_numpy(zero_copy_only=False))
    first = np.take(data, starts, mode="clip")
    second = np.take(data, starts + 1, mode="clip")
    last = np.take(data, ends - 1, mode="clip")
    tail = _PRINTABLE[last] & valid
    plain = _PLAIN_START[first] & tail & (lens > 0)
    apostrophe = (first == 0x27) & _PRINTABLE[second] & tail & (lens > 1)
    empty = valid & (lens == 0)
    odd = valid & ~plain & ~apostrophe & ~empty
    out = arr
    if apostrophe.any():
        out = pc.if_else(pa.array(apostrophe), pc.utf8_slice_codeunits(arr, 1), out)
    if empty.any():
        out = pc.if_else(pa.array(empty), _NULL, out)
    if odd.any():
        rows = np.flatnonzero(odd)
        fixed = [clean_raw(v) for v in arr.take(pa.array(rows)).to_pylist()]
        out = pc.replace_with_mask(out, pa.array(odd), pa.array(fixed, pa.string()))
    return out


def without_ascii(arr: pa.Array, chars: str) -> pa.Array:
    """Each value without any of these ASCII characters, in one pass over the column's
    bytes (an ASCII byte is never part of another UTF-8 character). ``replace_substring``
    once per character took 8x the CPU (0.2 s for the phones of 1M rows)."""
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return arr
    offsets, data = _bytes(arr)
    start = int(offsets[0])
    body = data[start:int(offsets[-1])]
    drop = np.zeros(256, dtype=bool)
    drop[list(chars.encode("ascii"))] = True
    keep = ~drop[body]
    kept = np.zeros(len(body) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept[1:])
    new_offsets = kept[offsets - start].astype(np.int32)
    validity = None if arr.null_count == 0 else arr.is_valid().buffers()[1]
    return pa.Array.from_buffers(pa.string(), n, [validity, pa.py_buffer(new_offsets),
                                                  pa.py_buffer(body[keep])],
                                 null_count=arr.null_count)


def valid_mask(arr: pa.Array) -> np.ndarray:
    """True where a value is present."""
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def bool_mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow result as numpy, nulls as False."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


class Distinct:
    """A column's distinct values and, per row, the position of its value (-1: null).

    Codes follow first appearance, so ``first[k]`` is the first row holding value ``k``.
    """

    def __init__(self, arr: pa.Array) -> None:
        enc = pc.dictionary_encode(arr)
        self.values: pa.Array = enc.dictionary
        idx = enc.indices
        self.codes: np.ndarray = np.asarray(
            pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
        before = np.maximum.accumulate(np.concatenate([[-1], self.codes]))[:-1]
        self.first: np.ndarray = np.flatnonzero(self.codes > before)
        if len(self.first) != len(self.values):  # not in order of appearance: sort instead
            uniq, pos = np.unique(self.codes, return_index=True)
            self.first = pos[uniq >= 0]

    def rows_where(self, flags: np.ndarray) -> np.ndarray:
        """Rows whose value has ``flags[value]`` set, in row order."""
        if not flags.any():
            return np.zeros(0, dtype=np.int64)
        ext = np.append(flags, False)
        return np.flatnonzero(ext[self.codes])
