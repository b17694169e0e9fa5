"""Identifier columns normalised in bulk, with exactly the per-value functions' results.

Each function takes a cleaned column (:func:`_textcols.clean_text`) and returns the
normalised column (null where a value is missing or invalid) and the invalid rows with
their reasons, in row order. The common values are settled by whole-column Arrow steps;
whatever those cannot vouch for goes through :mod:`normalise` and :mod:`phones` themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.loaders._textcols import Distinct, bool_mask, valid_mask, without_ascii
from identigraph.normalise import (
    EMAIL_RE,
    SPREADSHEET_NUMBER,
    Invalid,
    normalise_email,
    normalise_external_id,
)
from identigraph.phones import (
    MAX_PHONE_TEXT,
    PHONE_PUNCTUATION,
    is_nanp_region,
    nanp_patterns,
    normalise_phone,
)

_EMAIL_FULL = f"^(?:{EMAIL_RE.pattern})$"
_NULL = pa.scalar(None, pa.string())
#: what the fast path strips, but for the non-ASCII space (values here are ASCII)
_PHONE_PUNCTUATION = PHONE_PUNCTUATION.replace("\u00a0", "")


@dataclass(slots=True)
class Normalised:
    """A normalised identifier column and the rows whose value was dropped, and why."""

    values: pa.Array
    bad_rows: np.ndarray
    reasons: list[str]


def _settle(arr: pa.Array, out: pa.Array, suspect: np.ndarray,
            fn: Callable[[str], str | Invalid]) -> Normalised:
    """Run the per-value function on the suspect rows and merge its answers into ``out``."""
    if not suspect.any():
        return Normalised(out, np.zeros(0, dtype=np.int64), [])
    rows = np.flatnonzero(suspect)
    answers = [fn(v) for v in arr.take(pa.array(rows)).to_pylist()]
    fixed = [None if isinstance(a, Invalid) else a for a in answers]
    out = pc.replace_with_mask(out, pa.array(suspect), pa.array(fixed, pa.string()))
    bad = [(j, a.reason) for j, a in enumerate(answers) if isinstance(a, Invalid)]
    return Normalised(out, rows[[j for j, _ in bad]], [why for _, why in bad])


def emails(arr: pa.Array) -> Normalised:
    """:func:`normalise_email` over a column: lower-cased ASCII addresses checked in bulk."""
    valid = valid_mask(arr)
    if not valid.any():
        return Normalised(arr, np.zeros(0, dtype=np.int64), [])
    low = pc.ascii_lower(arr)
    mailto = bool_mask(pc.starts_with(low, "mailto:"))
    if mailto.any():
        low = pc.if_else(pa.array(mailto), pc.utf8_slice_codeunits(low, 7), low)
    ok = (valid & bool_mask(pc.string_is_ascii(arr))
          & bool_mask(pc.match_substring_regex(low, _EMAIL_FULL))
          & bool_mask(pc.less_equal(pc.utf8_length(low), 254))
          & bool_mask(pc.less_equal(pc.find_substring(low, "@"), 64)))
    out = low if ok.all() else pc.if_else(pa.array(ok), low, _NULL)
    return _settle(arr, out, valid & ~ok, normalise_email)


def external_ids(arr: pa.Array) -> Normalised:
    """:func:`normalise_external_id` over a column: only odd values go through Python."""
    valid = valid_mask(arr)
    if not valid.any():
        return Normalised(arr, np.zeros(0, dtype=np.int64), [])
    odd = valid & ~(bool_mask(pc.string_is_ascii(arr))
                    & ~bool_mask(pc.match_substring_regex(arr, SPREADSHEET_NUMBER))
                    & bool_mask(pc.less_equal(pc.utf8_length(arr), 512)))
    return _settle(arr, arr, odd, normalise_external_id)


def namespace_ids(arr: pa.Array, normalise: Callable[[str], str] | None,
                  normaliser: str = "") -> Normalised:
    """The ids of one namespace: checked as external ids are (:func:`external_ids`), then
    through the kind's normaliser once per distinct value (``None``: kept as they are). A
    value the normaliser leaves empty (``digits`` of ``abc``) is dropped and reported."""
    base = external_ids(arr)
    if normalise is None or base.values.null_count == len(base.values):
        return base
    d = Distinct(base.values)
    done = [normalise(v) for v in d.values.to_pylist()]
    empty = np.array([not v for v in done], dtype=bool)
    out = pa.array([v or None for v in done], pa.string()).take(
        pa.array(d.codes, mask=d.codes < 0))
    rows = d.rows_where(empty)
    if not len(rows):
        return Normalised(out, base.bad_rows, base.reasons)
    why = f"nothing left after the {normaliser} normaliser"
    bad = np.concatenate([base.bad_rows, rows])
    reasons = base.reasons + [why] * len(rows)
    order = np.argsort(bad, kind="stable")
    return Normalised(out, bad[order], [reasons[k] for k in order.tolist()])


def _nanp_bulk(values: pa.Array, nanp: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """The values :func:`phones._fast_phone` settles as US numbers, settled in bulk.

    ``+1`` and ten digits, or (where the region is a NANP one) ten digits with an
    optional leading 1, after the formatting characters the fast path ignores; valid
    when the first NANP region's rule for ten digits matches, as ``_fast_valid`` asks.
    Returns which values were settled, and their E.164 form.
    """
    none = np.zeros(len(values), dtype=bool)
    patterns = nanp_patterns()
    if patterns is None or not len(values):
        return none, values
    digits = without_ascii(values, _PHONE_PUNCTUATION)
    candidate = bool_mask(pc.match_substring_regex(digits, r"^\+1[2-9][0-9]{9}$"))
    if nanp.any():
        candidate |= nanp & bool_mask(pc.match_substring_regex(digits, r"^1?[2-9][0-9]{9}$"))
    candidate &= bool_mask(pc.string_is_ascii(values))
    candidate &= bool_mask(pc.less_equal(pc.utf8_length(values), MAX_PHONE_TEXT))
    if not candidate.any():
        return none, values
    nsn = pc.utf8_slice_codeunits(digits, -10)
    general, body = patterns
    settled = (candidate & bool_mask(pc.match_substring_regex(nsn, f"^(?:{general})$"))
               & bool_mask(pc.match_substring_regex(nsn, f"^(?:{body})$")))
    return settled, pc.binary_join_element_wise("+1", nsn, "")


def phones(arr: pa.Array, countries: pa.Array | None, default_region: str, *,
           vanity: bool = False) -> Normalised:
    """:func:`normalise_phone` once per distinct (value, country) pair.

    A national number means different things under different countries, so the pair is
    the unit. The common US shapes are settled in bulk (:func:`_nanp_bulk`), the rest one
    by one. ``vanity``: letters are read as keypad digits (the rule set's ``vanity_phones``).
    """
    regions: list[str | None]
    if countries is None or countries.null_count == len(countries):
        d = Distinct(arr)
        values = d.values
        regions = [None] * len(values)
    else:
        country = pc.fill_null(countries, "")
        d = Distinct(pc.binary_join_element_wise(arr, country, "\x1f"))  # null phone: null
        first = pa.array(d.first)
        values = arr.take(first)
        regions = countries.take(first).to_pylist()
    by_region = {r: is_nanp_region((r or default_region or "US").upper()) for r in set(regions)}
    nanp = np.array([by_region[r] for r in regions], dtype=bool)
    settled, e164 = _nanp_bulk(values, nanp)
    rest = np.flatnonzero(~settled)
    answers = [normalise_phone(v, regions[i], default_region, vanity=vanity)
               for v, i in zip(values.take(pa.array(rest)).to_pylist(), rest.tolist(),
                               strict=True)]
    normal = e164
    if len(rest):
        fixed = pa.array([None if isinstance(a, Invalid) else a for a in answers], pa.string())
        normal = pc.replace_with_mask(e164, pa.array(~settled), fixed)
    out = normal.take(pa.array(d.codes, mask=d.codes < 0))
    invalid = np.zeros(len(values), dtype=bool)
    why = np.empty(len(values), dtype=object)
    for k, a in zip(rest.tolist(), answers, strict=True):
        if isinstance(a, Invalid):
            invalid[k] = True
            why[k] = a.reason
    rows = d.rows_where(invalid)
    return Normalised(out, rows, why[d.codes[rows]].tolist() if len(rows) else [])
