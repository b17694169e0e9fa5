"""Validation of raw canonical columns into an :class:`EventTable` (SPEC sections 2 and 3).

One place for every format: timestamps, event types, identifiers, consent, channel and
attributes are checked here, column by column, and each dropped value or rejected row
is reported with its file, line, column and reason.

Columns are Arrow arrays while they are checked: whole-column steps settle the common
values, distinct values are normalised once, and only odd values and reported rows are
handled one by one in Python (``_textcols``, ``_identcols``). The kept rows' columns
become the :class:`EventTable` as they are: no Python object per event.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.events import EventTable, schema_with
from identigraph.loaders import _identcols
from identigraph.loaders._columns import row_digests
from identigraph.loaders._textcols import Distinct, bool_mask, clean_text, text_array, valid_mask
from identigraph.loaders.batch import RAW_FIELDS, RawBatch
from identigraph.loaders.report import Problem
from identigraph.model import KINDS, Consent
from identigraph.normalise import PLACEHOLDER_REASON, Invalid, placeholder_set
from identigraph.rules.model import Normaliser, RuleSet

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CONSENTS = {c.value for c in Consent}
_CONSENT_REASON = "consent must be subscribed, unsubscribed or never_subscribed"
_COUNTRY_REASON = "country must be a two-letter ISO code"
#: bytes of the digest in an event id made from a row's content: ``PREFIX:`` and 20 hex digits
EVENT_DIGEST = 10
#: the largest single value a row may carry (1 MiB): a bigger one rejects its row
MAX_VALUE_BYTES = 1 << 20


def too_large(size: int) -> str:
    """The reason a row with a value of ``size`` bytes is rejected."""
    return f"value too large ({size:,} bytes; at most {MAX_VALUE_BYTES:,})"


Warn = Callable[[int, str, str, str], None]


@dataclass(slots=True)
class Validated:
    """The events a batch yielded, where each came from, and what was reported."""

    events: EventTable
    lines: np.ndarray  # record number of each event (int64): no Python int per event
    warned: np.ndarray  # bool per event
    problems: list[Problem] = field(default_factory=list)
    rejected: int = 0
    #: event fields the reader made up (see RawBatch.made_up), by their EventTable names
    made_up: frozenset[str] = frozenset()


def parse_timestamp(value: str) -> int | Invalid:
    """ISO 8601 to UTC microseconds; a time without an offset is UTC."""
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        return Invalid("not an ISO 8601 timestamp")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class _Outcome:
    """What validation decided per row: warnings as they come, the first reject reason."""

    def __init__(self, batch: RawBatch) -> None:
        self.batch = batch
        self.problems: list[Problem] = list(batch.rejected) + list(batch.warnings)
        self.warned = np.zeros(len(batch), dtype=bool)
        self.bad: dict[int, tuple[str, str, str]] = {}  # row -> reason, column, value

    def column(self, name: str) -> str:
        """The export's own name of a canonical field, for the report."""
        return self.batch.source_columns.get(name, name)

    def warn(self, rows: Sequence[int], name: str, values: Sequence[str],
             reasons: Sequence[str] | str) -> None:
        """Report dropped values of these rows (in row order)."""
        b, column = self.batch, self.column(name)
        for k, i in enumerate(rows):
            why = reasons if isinstance(reasons, str) else reasons[k]
            self.problems.append(Problem(b.file, b.lines[i], column, values[k], why, "warning"))
        self.warned[np.asarray(rows, dtype=np.int64)] = True

    def reject(self, rows: Sequence[int], name: str, values: Sequence[str] | str,
               reasons: Sequence[str] | str) -> None:
        """Mark rows rejected, unless an earlier check already did."""
        column = self.column(name)
        for k, i in enumerate(rows):
            if i not in self.bad:
                self.bad[i] = (reasons if isinstance(reasons, str) else reasons[k], column,
                               values if isinstance(values, str) else values[k])


class Canonicaliser:
    """Turns raw batches into validated events for one rule set and default region."""

    def __init__(self, ruleset: RuleSet, default_region: str = "US") -> None:
        self.ruleset = ruleset
        self.default_region = default_region.upper()
        self.channels = {name: t.channel for name, t in ruleset.event_types.items()}
        self.placeholders = placeholder_set(ruleset.missing_values)
        self._placeholder_len = max(map(len, self.placeholders), default=0)

    def validate(self, batch: RawBatch) -> Validated:
        """Check every row of a batch; keep the good ones, report the rest."""
        n = len(batch)
        nulls = pa.nulls(n, pa.string())
        cols = {k: clean_text(text_array(v)) for k, v in batch.cols.items()}

        def col(name: str) -> pa.Array:
            return cols.get(name, nulls)

        res = _Outcome(batch)
        for name in list(cols):
            cols[name] = _too_large(cols[name], name, res)
        ts = self._timestamps(col("timestamp"), res)
        types = col("type")
        type_channel = self._types(types, res)
        countries = self._countries(col("country"), res)
        for name in cols:
            if name in KINDS or name not in RAW_FIELDS:
                cols[name] = self._placeholders(cols[name], name, res)
        ids = self._identifiers(cols, countries, res)
        emails, phones = ids["email"], ids["phone"]
        externals = ids.get("external_id", nulls)
        namespaces = {k: v for k, v in ids.items() if k not in KINDS}
        email_c = self._consents(col("email_consent"), "email_consent", res)
        sms_c = self._consents(col("sms_consent"), "sms_consent", res)
        attributes = self._attributes(col("attributes"), res, "attributes" in batch.checked)
        channels, sources, ids_in = col("channel"), col("source"), col("event_id")

        bad_rows = sorted(res.bad)
        for i in bad_rows:
            reason, column, value = res.bad[i]
            res.problems.append(Problem(batch.file, batch.lines[i], column, value, reason,
                                        "rejected"))
        keep_mask = np.ones(n, dtype=bool)
        keep_mask[bad_rows] = False
        keep = pa.array(keep_mask)
        everything = not bad_rows

        def pick(arr: pa.Array) -> pa.Array:
            return arr if everything else arr.filter(keep)

        kept_ts = ts if everything else ts[keep_mask]
        kept_ns = {k: pick(v) for k, v in sorted(namespaces.items())}
        event_ids = self._content_ids(pick(ids_in), batch.id_prefix, kept_ts, [
            pick(types), pick(emails), pick(phones), pick(externals),
            pick(email_c), pick(sms_c), pick(channels), pick(sources), pick(attributes)],
            kept_ns)
        channels = pc.coalesce(pick(channels), pick(type_channel))
        out = EventTable(pa.Table.from_arrays([  # ids and types are present on the rows kept
            event_ids, pa.array(kept_ts, pa.int64()), pick(types), channels, pick(sources),
            pick(emails), pick(phones), pick(externals),
            pick(countries), pick(email_c), pick(sms_c), pick(attributes), *kept_ns.values()],
            schema=schema_with(list(kept_ns))))
        lines_np = np.asarray(batch.lines, dtype=np.int64)
        warned = res.warned
        if batch.warnings:
            warned = warned | np.isin(lines_np, [p.line for p in batch.warnings])
        lines = lines_np if everything else lines_np[keep_mask]
        warned_out = warned if everything else warned[keep_mask]
        made_up = frozenset("ts" if f == "timestamp" else f for f in batch.made_up)
        return Validated(out, lines, warned_out, res.problems,
                         len(bad_rows) + len(batch.rejected), made_up)

    def _identifiers(self, cols: dict[str, pa.Array], countries: pa.Array,
                     res: _Outcome) -> dict[str, pa.Array]:
        """Each declared kind's normalised column (email and phone always, the others when
        the batch has them); values dropped are reported. A row whose only identifiers
        are in namespaces the rule set does not declare is rejected saying so; a row with
        none at all, ``no valid identifier``."""
        n = len(res.batch)
        nulls = pa.nulls(n, pa.string())
        rs = self.ruleset
        found: dict[str, pa.Array] = {}
        for kind in rs.identifiers:
            arr = cols.get(kind.name)
            if kind.name == "email":
                got = _identcols.emails(nulls if arr is None else arr)
            elif kind.name == "phone":
                got = _identcols.phones(nulls if arr is None else arr, countries,
                                        self.default_region, vanity=rs.vanity_phones)
            elif arr is None:
                continue
            else:
                plain = kind.normaliser == Normaliser.EXACT
                got = _identcols.namespace_ids(arr, None if plain else kind.normalise,
                                               kind.normaliser.value)
            if arr is not None:
                res.warn(got.bad_rows.tolist(), kind.name, _values(arr, got.bad_rows),
                         got.reasons)
            found[kind.name] = got.values
        has = np.zeros(n, dtype=bool)
        for values in found.values():
            has |= valid_mask(values)
        stray: dict[int, list[str]] = {}  # row -> undeclared namespaces it has values in
        for name, arr in cols.items():
            if name in found or not (name in KINDS or name not in RAW_FIELDS):
                continue
            rows = np.flatnonzero(valid_mask(arr))
            res.warn(rows.tolist(), name, _values(arr, rows),
                     f"{name} is not an identifier kind of rule set {rs.name}")
            for i in rows[~has[rows]].tolist():
                stray.setdefault(i, []).append(name)
        declared = ", ".join(rs.kind_names())
        for i, names in stray.items():
            res.reject([i], "/".join(names), cols[names[0]][i].as_py() or "",
                       f"only identifiers in namespaces rule set {rs.name} does not declare "
                       f"({', '.join(names)}); it declares {declared}")
        res.reject(np.flatnonzero(~has).tolist(), "email/phone/external_id", "",
                   "no valid identifier")
        return found

    def _placeholders(self, arr: pa.Array, name: str, res: _Outcome) -> pa.Array:
        """A column without the values that only say "no value" (``NULL``, ``N/A``...): each
        reported as a warning and then missing (a placeholder is no identifier)."""
        if not self.placeholders or arr.null_count == len(arr):
            return arr
        short = bool_mask(pc.less_equal(pc.utf8_length(arr), self._placeholder_len))
        if not short.any():
            return arr
        rows = np.flatnonzero(short)
        hit = [v is not None and v.lower() in self.placeholders
               for v in arr.take(pa.array(rows)).to_pylist()]
        rows = rows[np.array(hit, dtype=bool)]
        if not len(rows):
            return arr
        res.warn(rows.tolist(), name, _values(arr, rows), PLACEHOLDER_REASON)
        mask = np.zeros(len(arr), dtype=bool)
        mask[rows] = True
        return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)

    @staticmethod
    def _timestamps(raw: pa.Array, res: _Outcome) -> np.ndarray:
        """UTC microseconds per row (0 where rejected: missing or not ISO 8601)."""
        try:
            micros = pc.cast(raw, pa.timestamp("us", tz="UTC")).cast(pa.int64())
            ts = np.asarray(pc.fill_null(micros, 0).to_numpy(zero_copy_only=False),
                            dtype=np.int64)
            missing = ~valid_mask(raw)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            d = Distinct(raw)
            parsed = [parse_timestamp(v) for v in d.values.to_pylist()]
            ts = np.array([v if isinstance(v, int) else 0 for v in parsed] + [0],
                          dtype=np.int64)[d.codes]
            invalid = np.array([isinstance(v, Invalid) for v in parsed], dtype=bool)
            rows = d.rows_where(invalid)
            why = [v.reason if isinstance(v, Invalid) else "" for v in parsed]
            reasons = [why[k] for k in d.codes[rows].tolist()]
            missing = d.codes < 0
            if len(rows):  # missing rows are not among them, so the order does not matter
                res.reject(rows.tolist(), "timestamp", _values(raw, rows), reasons)
        res.reject(np.flatnonzero(missing).tolist(), "timestamp", "", "missing timestamp")
        return ts

    def _types(self, types: pa.Array, res: _Outcome) -> pa.Array:
        """Reject rows without a known event type; the default channel of each row's type."""
        d = Distinct(types)
        names = d.values.to_pylist()
        res.reject(np.flatnonzero(d.codes < 0).tolist(), "type", "", "missing event type")
        unknown = np.array([t not in self.channels for t in names], dtype=bool)
        rows = d.rows_where(unknown)
        res.reject(rows.tolist(), "type", _values(types, rows),
                   f"unknown event type for rule set {self.ruleset.name}")
        channel = pa.array([self.channels.get(t) for t in names], pa.string())
        return channel.take(pa.array(d.codes, mask=d.codes < 0))

    @staticmethod
    def _countries(raw: pa.Array, res: _Outcome) -> pa.Array:
        """Two-letter codes, upper-cased, per row (null where missing or reported)."""
        if raw.null_count == len(raw):
            return raw
        d = Distinct(raw)
        names = d.values.to_pylist()
        ok = [len(v) == 2 and v.isalpha() for v in names]
        rows = d.rows_where(~np.array(ok, dtype=bool))
        res.warn(rows.tolist(), "country", _values(raw, rows), _COUNTRY_REASON)
        codes = pa.array([v.upper() if good else None for v, good in zip(names, ok, strict=True)],
                         pa.string())
        return codes.take(pa.array(d.codes, mask=d.codes < 0))

    @staticmethod
    def _consents(raw: pa.Array, name: str, res: _Outcome) -> pa.Array:
        """Consent values, loosely spelled, as the canonical words; others reported."""
        if raw.null_count == len(raw):
            return raw
        d = Distinct(raw)
        low = [v.lower().replace(" ", "_").replace("-", "_") for v in d.values.to_pylist()]
        good = [v if v in _CONSENTS else None for v in low]
        rows = d.rows_where(np.array([v is None for v in good], dtype=bool))
        res.warn(rows.tolist(), name, _values(raw, rows), _CONSENT_REASON)
        return pa.array(good, pa.string()).take(pa.array(d.codes, mask=d.codes < 0))

    @staticmethod
    def _attributes(raw: pa.Array, res: _Outcome, checked: bool) -> pa.Array:
        """JSON objects kept as given; one parse for the whole column when all are fine."""
        if checked or raw.null_count == len(raw):
            return raw
        cleaned = raw.to_pylist()
        present = [v for v in cleaned if v is not None]
        try:
            parsed = json.loads("[" + ",".join(present) + "]")
            if len(parsed) == len(present) and all(isinstance(d, dict) for d in parsed):
                return raw
        except (ValueError, RecursionError):
            pass
        rows: list[int] = []
        values: list[str] = []
        for i, v in enumerate(cleaned):
            if v is not None:
                try:
                    ok = isinstance(json.loads(v), dict)
                except (ValueError, RecursionError):
                    ok = False
                if not ok:
                    rows.append(i)
                    values.append(v[:200])
                    cleaned[i] = None
        res.warn(rows, "attributes", values, "attributes must be a JSON object")
        return pa.array(cleaned, pa.string())

    @staticmethod
    def _content_ids(ids: pa.Array, prefix: str, ts: np.ndarray,
                     parts: list[pa.Array], namespaces: dict[str, pa.Array]) -> pa.Array:
        """Rows without an event id get a hash of their content (SPEC section 3).

        ``PREFIX:`` and the hex BLAKE2b digest (:data:`EVENT_DIGEST` bytes) of the row's
        parts joined by ``\\x1f`` (``loaders._columns.row_digests``). A row with namespace
        ids has one more part, ``kind=value\\x1e`` of each (by kind), so a
        row without any keeps the id it always had.
        """
        missing = ~valid_mask(ids)

        def hashed(ids: pa.Array, rows: np.ndarray, parts: list[pa.Array]) -> pa.Array:
            if not rows.any():
                return ids
            sel = pa.array(rows)
            digests = row_digests([pa.array(ts[rows]).cast(pa.string())]
                                  + [p.filter(sel) for p in parts], digest_size=EVENT_DIGEST)
            made = pc.binary_join_element_wise(f"{prefix}:", digests, "")
            return pc.replace_with_mask(ids, sel, made)

        if namespaces and missing.any():
            ns = pc.binary_join_element_wise(*[pc.fill_null(pc.binary_join_element_wise(
                f"{k}=", v, "\x1e", ""), "") for k, v in namespaces.items()], "")
            with_ns = missing & bool_mask(pc.not_equal(ns, ""))
            ids = hashed(ids, with_ns, [*parts, ns])
            missing &= ~with_ns
        return hashed(ids, missing, parts)


def _too_large(arr: pa.Array, name: str, res: _Outcome) -> pa.Array:
    """A column without values over MAX_VALUE_BYTES: their rows are rejected (a value that
    size is no contact data, and the store would hold it whole)."""
    if not len(arr) or (arr.nbytes < MAX_VALUE_BYTES):
        return arr
    big = bool_mask(pc.greater(pc.binary_length(arr), MAX_VALUE_BYTES))
    if not big.any():
        return arr
    rows = np.flatnonzero(big)
    sizes = pc.binary_length(arr.take(pa.array(rows))).to_pylist()
    res.reject(rows.tolist(), name, [""] * len(rows),
               [too_large(n) for n in sizes])
    return pc.if_else(pa.array(big), pa.scalar(None, pa.string()), arr)


def _values(arr: pa.Array, rows: np.ndarray) -> list[str]:
    """The values of some rows, as the report shows them."""
    if not len(rows):
        return []
    return [v or "" for v in arr.take(pa.array(rows)).to_pylist()]
