"""Shared mapping helpers of the export loaders: header aliases, values, times, countries.

Loaders only map: every helper here turns a raw export value into the canonical field's
raw text, or leaves it untouched so that :mod:`canonical` validates and reports it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.arrays import as_array
from identigraph.normalise import SPREADSHEET_DAMAGE, SPREADSHEET_NUMBER
from identigraph.normalise import is_spreadsheet_number as is_spreadsheet_number  # loaders'

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def norm_name(name: str) -> str:
    """A header or value compared loosely: lower case, runs of punctuation as one space."""
    return _NON_ALNUM.sub(" ", name.lower()).strip()


def find_column(header: Sequence[str], aliases: Sequence[str]) -> str | None:
    """The header's name of the first alias present (compared by :func:`norm_name`)."""
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(norm_name(h), h)
    for alias in aliases:
        found = by_norm.get(norm_name(alias))
        if found is not None:
            return found
    return None


def has_any(header: Sequence[str], aliases: Sequence[str]) -> bool:
    """True when any alias names a column of the header."""
    return find_column(header, aliases) is not None


def row_digests(parts: Sequence[pa.Array], digest_size: int = 6) -> pa.Array:
    """Per row, the hex BLAKE2b digest of its values joined by ``\\x1f`` (nulls as empty
    text): the content part of a stable event id."""
    if not parts or not len(parts[0]):
        return pa.array([], pa.string())
    joined = pc.binary_join_element_wise(*[pc.fill_null(p, "") for p in parts], "\x1f")
    blake = hashlib.blake2b
    return pa.array([blake(t, digest_size=digest_size).hexdigest()
                     for t in joined.cast(pa.binary()).to_pylist()], pa.string())


def spreadsheet_numbers(column: pa.Array) -> pa.Array:
    """:func:`is_spreadsheet_number` of each value of a trimmed column (false for nulls)."""
    return pc.fill_null(pc.match_substring_regex(column, SPREADSHEET_NUMBER), False)


def trimmed(column: pa.Array) -> pa.Array:
    """Cells without surrounding spaces and leading apostrophes; empty ones null."""
    out = pc.utf8_trim_whitespace(pc.utf8_ltrim(pc.utf8_trim_whitespace(column),
                                                characters="'"))
    return pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)


# -- values ----------------------------------------------------------------------------

#: Consent columns: Klaviyo's values and Shopify's yes/no. ``no`` is NOT an unsubscribe:
#: Shopify writes it for customers who never subscribed and for those who unsubscribed.
CONSENT_VALUES: dict[str, str | None] = {
    "subscribed": "subscribed", "unsubscribed": "unsubscribed",
    "never subscribed": "never_subscribed",
    "yes": "subscribed", "y": "subscribed", "true": "subscribed", "1": "subscribed",
    "no": None, "n": None, "false": None, "0": None,
}

#: Subscriber status columns of SMS platforms.
STATUS_VALUES: dict[str, str | None] = {
    **CONSENT_VALUES,
    "active": "subscribed", "opted in": "subscribed", "opt in": "subscribed",
    "eligible": "subscribed", "confirmed": "subscribed",
    "opted out": "unsubscribed", "opt out": "unsubscribed", "inactive": "unsubscribed",
    "stopped": "unsubscribed", "stop": "unsubscribed", "ineligible": "unsubscribed",
    "no": "unsubscribed", "n": "unsubscribed", "false": "unsubscribed", "0": "unsubscribed",
    "pending": "never_subscribed", "never subscribed": "never_subscribed",
}


def value_mapper(table: dict[str, str | None]) -> Callable[[str | None], str | None]:
    """Map raw values through ``table``, loosely compared; unknown ones stay for the check."""
    cache: dict[str, str | None] = {}

    def mapped(raw: str | None) -> str | None:
        if raw is None:
            return None
        if raw not in cache:
            key = norm_name(raw.strip().lstrip("'"))
            cache[raw] = table.get(key, raw if key else None)
        return cache[raw]

    return mapped


_COUNTRIES: dict[str, str] = {
    "united states": "US", "united states of america": "US", "usa": "US", "u s a": "US",
    "america": "US", "canada": "CA", "mexico": "MX", "united kingdom": "GB", "uk": "GB",
    "u k": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "ireland": "IE", "australia": "AU", "new zealand": "NZ",
    "france": "FR", "germany": "DE", "deutschland": "DE", "netherlands": "NL",
    "the netherlands": "NL", "holland": "NL", "belgium": "BE", "luxembourg": "LU",
    "spain": "ES", "portugal": "PT", "italy": "IT", "switzerland": "CH", "austria": "AT",
    "sweden": "SE", "norway": "NO", "denmark": "DK", "finland": "FI", "iceland": "IS",
    "poland": "PL", "czech republic": "CZ", "czechia": "CZ", "greece": "GR", "israel": "IL",
    "japan": "JP", "south korea": "KR", "china": "CN", "hong kong": "HK", "singapore": "SG",
    "india": "IN", "brazil": "BR", "argentina": "AR", "chile": "CL", "colombia": "CO",
    "south africa": "ZA", "united arab emirates": "AE", "uae": "AE", "saudi arabia": "SA",
    "puerto rico": "PR", "philippines": "PH", "malaysia": "MY", "turkey": "TR",
    "turkiye": "TR",
}


def country_code(raw: str | None) -> str | None:
    """A country cell as a two-letter code (English names mapped); unknown text stays."""
    if raw is None:
        return None
    v = raw.strip().lstrip("'").strip()
    if not v:
        return None
    if len(v) == 2 and v.isalpha():
        return v.upper()
    return _COUNTRIES.get(norm_name(v), v)


def map_array(column: pa.Array | pa.ChunkedArray,
              fn: Callable[[str | None], str | None]) -> pa.Array:
    """Apply a value mapping to a column, once per distinct value (nulls are mapped too)."""
    enc = pc.dictionary_encode(as_array(column), null_encoding="encode")
    mapped = pa.array([fn(v) for v in enc.dictionary.to_pylist()], pa.string())
    return mapped.take(enc.indices)


# -- times -----------------------------------------------------------------------------

_TIME_RULES: tuple[tuple[str, str], ...] = (
    # Shopify: 2025-08-22 12:43:50 +0100 -> 2025-08-22T12:43:50+01:00
    (r"^\s*(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?) ?([+-]\d{2}):?(\d{2})\s*$",
     r"\1T\2\3:\4"),
    # no offset (or a spelled-out UTC): UTC, as SPEC section 3 says
    (r"^\s*(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?) ?(?:Z|UTC|GMT)?\s*$",
     r"\1T\2Z"),
    (r"^\s*(\d{4}-\d{2}-\d{2})\s*$", r"\1T00:00:00Z"),
)
_TIME_RES = tuple(re.compile(p) for p, _ in _TIME_RULES)


def _all_parse(column: pa.Array) -> bool:
    """True when Arrow reads every value as a time (the canonical check's fast path)."""
    for part in (column.slice(0, 256), column):  # a failing cast is slow: sample first
        try:
            pc.cast(part, pa.timestamp("us", tz="UTC"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return False
    return True


def iso_times(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Export times as ISO 8601 with an offset where the shape is certain; others stay."""
    out = as_array(column)
    if out.null_count == len(out) or _all_parse(out):
        return out
    sample = [v for v in out.slice(0, 256).to_pylist() if v is not None]
    order = sorted(range(len(_TIME_RULES)),
                   key=lambda k: -sum(1 for v in sample if _TIME_RES[k].match(v)))
    for k in order:  # the shape the file uses first; stop once everything reads
        pattern, repl = _TIME_RULES[k]
        out = pc.replace_substring_regex(out, pattern=pattern, replacement=repl)
        if _all_parse(out):
            break
    return out


# -- Arrow columns -----------------------------------------------------------------------

#: :data:`SPREADSHEET_NUMBER` in an untrimmed cell (spaces, one leading apostrophe)
_SPREADSHEET_CELL = r"^\s*'?" + SPREADSHEET_NUMBER[1:-1] + r"\s*$"
_NULL_TEXT = pa.scalar(None, pa.string())


def spreadsheet_damage(what: str = "phone number") -> str:
    """The one warning every loader gives for a value a spreadsheet wrote in scientific
    notation (``1.41555E+10``) and that it drops: ``phone number mangled by a spreadsheet
    (scientific notation)``."""
    return f"{what} {SPREADSHEET_DAMAGE}"


def drop_spreadsheet_numbers(column: pa.Array, on_drop: Callable[[int, str], None]
                             ) -> pa.Array:
    """Null the ``1.41555E+10``-like values of a column, calling ``on_drop(row, value)``."""
    if len(column) == 0 or column.null_count == len(column):
        return column
    if not pc.any(pc.match_substring(column, "e", ignore_case=True)).as_py():
        return column
    hit = pc.fill_null(pc.match_substring_regex(column, _SPREADSHEET_CELL), False)
    rows = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
    if len(rows) == 0:
        return column
    values = column.take(pa.array(rows)).to_pylist()
    for i, v in zip(rows.tolist(), values, strict=True):
        on_drop(i, v)
    return pc.if_else(hit, _NULL_TEXT, column)


def json_present(fields: Sequence[tuple[str, pa.Array]]) -> pa.Array:
    """Per row, the JSON object of the fields present there (null when none is):
    ``json.dumps`` of the row's non-null values, keys in the given order."""
    n = len(fields[0][1])
    out = pa.nulls(n, pa.string())
    present = [np.asarray(c.is_valid().to_numpy(zero_copy_only=False), bool) for _, c in fields]
    for pattern in itertools.product((True, False), repeat=len(fields)):
        rows = np.ones(n, bool)
        for p, has in zip(pattern, present, strict=True):
            rows &= has if p else ~has
        if any(pattern) and rows.any():
            subset = [f for f, p in zip(fields, pattern, strict=True) if p]
            out = pc.if_else(pa.array(rows), json_objects(subset), out)
    return out


def json_objects(fields: Sequence[tuple[str, pa.Array]]) -> pa.Array:
    """JSON object text per row from Arrow columns, keys in the given (sorted) order."""
    pieces: list[pa.Array | str] = []
    unsafe: np.ndarray | None = None
    literal = "{"
    nulls = False
    for key, col in fields:
        literal += json.dumps(key) + ": "
        if pa.types.is_string(col.type):
            pieces += [literal + '"', pc.fill_null(col, _NULL_MARK) if col.null_count else col]
            literal = '", '
            nulls = nulls or bool(col.null_count)
            bad = pc.or_(pc.or_(pc.match_substring(col, '"'), pc.match_substring(col, "\\")),
                         pc.invert(pc.utf8_is_printable(col)))
            bad_np = pc.fill_null(bad, False).to_numpy(zero_copy_only=False)
            unsafe = bad_np if unsafe is None else unsafe | bad_np
        else:
            pieces += [literal, pc.fill_null(pc.cast(col, pa.string()), "null")]
            literal = ", "
    pieces.append(literal.removesuffix(", ") + "}")
    out = pc.binary_join_element_wise(*pieces, "")
    if nulls:  # null values as JSON null
        out = pc.replace_substring(out, f'"{_NULL_MARK}"', "null")
    if unsafe is not None and unsafe.any():  # quotes, backslashes, control characters
        rows = pa.array(np.flatnonzero(unsafe))
        lists = [col.take(rows).to_pylist() for _, col in fields]
        fixed = [json.dumps({key: lists[f][j] for f, (key, _) in enumerate(fields)},
                            ensure_ascii=False) for j in range(len(rows))]
        out = pc.replace_with_mask(out, pa.array(unsafe), pa.array(fixed, pa.string()))
    return out


_NULL_MARK = "\x00null\x00"  # never in a safe value: control characters are unsafe
