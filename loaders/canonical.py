"""Validation of raw canonical columns into an :class:`EventTable` (SPEC sections 2 and 3).

One place for every format: timestamps, event types, identifiers, consent, channel and
attributes are checked here, column by column, and each dropped value or rejected row
is reported with its file, line, column and reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from identigraph.events import EventTable
from identigraph.loaders.batch import RawBatch
from identigraph.loaders.normalise import (
    Invalid,
    clean_raw,
    normalise_email,
    normalise_external_id,
    normalise_phone,
)
from identigraph.loaders.report import Problem
from identigraph.model import Consent
from identigraph.rules.ids import content_event_id
from identigraph.rules.model import RuleSet

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CONSENTS = {c.value for c in Consent}
Warn = Callable[[int, str, str, str], None]
Norm = Callable[[str, int], "str | Invalid"]


@dataclass(slots=True)
class Validated:
    """The events a batch yielded, where each came from, and what was reported."""

    events: EventTable
    lines: list[int]
    warned: list[bool]
    problems: list[Problem] = field(default_factory=list)
    rejected: int = 0


def clean_column(values: list[str | None]) -> list[str | None]:
    """:func:`clean_raw` over a column, with the common clean case kept cheap."""
    out = [None if v is None else (v.strip() or None) for v in values]
    for i, v in enumerate(out):
        if v is not None and v[0] == "'":
            out[i] = clean_raw(v)
    return out


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


def parse_timestamps(values: list[str | None]) -> list[int | Invalid | None]:
    """Vectorised :func:`parse_timestamp`: Arrow's parser first, Python for the rest."""
    try:
        arr = pc.cast(pa.array(values, pa.string()), pa.timestamp("us", tz="UTC"))
        return [None if v is None else int(v) for v in arr.cast(pa.int64()).to_pylist()]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return [None if v is None else parse_timestamp(v) for v in values]


class Canonicaliser:
    """Turns raw batches into validated events for one rule set and default region."""

    def __init__(self, ruleset: RuleSet, default_region: str = "US") -> None:
        self.ruleset = ruleset
        self.default_region = default_region.upper()
        self.channels = {name: t.channel for name, t in ruleset.event_types.items()}

    def validate(self, batch: RawBatch) -> Validated:
        """Check every row of a batch; keep the good ones, report the rest."""
        n = len(batch)
        # columns that are absent or empty throughout are skipped, not checked row by row
        cols = {k: v for k, v in batch.cols.items() if v is not None and any(v)}
        empty: list[str | None] = [None] * n

        def col(name: str) -> list[str | None]:
            return cols.get(name, empty)

        src = batch.source_columns
        problems: list[Problem] = list(batch.rejected) + list(batch.warnings)
        warned_lines = {p.line for p in batch.warnings}
        bad: list[str | None] = [None] * n  # first reason a row is rejected
        bad_col: list[str] = [""] * n
        bad_val: list[str] = [""] * n
        warned = [False] * n

        def warn(i: int, column: str, value: str, reason: str) -> None:
            warned[i] = True
            problems.append(Problem(batch.file, batch.lines[i], src.get(column, column), value,
                                    reason, "warning"))

        def reject(i: int, column: str, value: str, reason: str) -> None:
            if bad[i] is None:
                bad[i], bad_col[i], bad_val[i] = reason, src.get(column, column), value

        # timestamps
        raw_ts = clean_column(col("timestamp"))
        ts = parse_timestamps(raw_ts)
        for i, t in enumerate(ts):
            if t is None:
                reject(i, "timestamp", "", "missing timestamp")
            elif isinstance(t, Invalid):
                reject(i, "timestamp", raw_ts[i] or "", t.reason)
        # event types and channels
        types = clean_column(col("type"))
        known = self.channels
        for i, typ in enumerate(types):
            if typ is None:
                reject(i, "type", "", "missing event type")
            elif typ not in known:
                reject(i, "type", typ, f"unknown event type for rule set {self.ruleset.name}")
        # identifiers
        countries = ([self._country(i, v, warn) for i, v in enumerate(col("country"))]
                     if "country" in cols else empty)
        emails = self._idents(col("email"), "email", warn, lambda v, _i: normalise_email(v))
        phones = self._idents(
            col("phone"), "phone", warn,
            lambda v, i: normalise_phone(v, countries[i], self.default_region),
        )
        externals = self._idents(
            col("external_id"), "external_id", warn, lambda v, _i: normalise_external_id(v)
        )
        for i in range(n):
            if emails[i] is None and phones[i] is None and externals[i] is None:
                reject(i, "email/phone/external_id", "", "no valid identifier")
        email_c = self._consents(col("email_consent"), "email_consent", warn)
        sms_c = self._consents(col("sms_consent"), "sms_consent", warn)
        attributes = (self._attributes(col("attributes"), warn)
                      if "attributes" in cols else empty)
        channels = clean_column(col("channel"))
        sources = clean_column(col("source"))
        ids = clean_column(col("event_id"))

        keep = [i for i in range(n) if bad[i] is None]
        for i in range(n):
            if bad[i] is not None:
                problems.append(Problem(batch.file, batch.lines[i], bad_col[i], bad_val[i],
                                        bad[i] or "", "rejected"))
        for i in keep:
            if ids[i] is None:
                ids[i] = content_event_id(batch.id_prefix, [
                    str(ts[i]), types[i] or "", emails[i] or "", phones[i] or "",
                    externals[i] or "", email_c[i] or "", sms_c[i] or "", channels[i] or "",
                    sources[i] or "", attributes[i] or "",
                ])
            if channels[i] is None:
                channels[i] = known[types[i] or ""]

        def pick(values: list[Any]) -> list[Any]:
            return values if len(keep) == n else [values[i] for i in keep]

        out = EventTable(pick(ids), pick(ts), pick(types), pick(channels), pick(sources),
                         pick(emails), pick(phones), pick(externals), pick(countries),
                         pick(email_c), pick(sms_c), pick(attributes))
        lines = pick(batch.lines)
        warned_out = [warned[i] or batch.lines[i] in warned_lines for i in keep]
        return Validated(out, lines, warned_out, problems, n - len(keep) + len(batch.rejected))

    @staticmethod
    def _idents(values: list[str | None], column: str, warn: Warn,
                norm: Norm) -> list[str | None]:
        out: list[str | None] = []
        memo: dict[str, str | Invalid] = {}
        for i, v in enumerate(clean_column(values)):
            if v is None:
                out.append(None)
                continue
            res = memo.get(v)
            if res is None:
                res = memo[v] = norm(v, i)
            if isinstance(res, Invalid):
                warn(i, column, v, res.reason)
                out.append(None)
            else:
                out.append(res)
        return out

    @staticmethod
    def _consents(values: list[str | None], column: str, warn: Warn) -> list[str | None]:
        out: list[str | None] = []
        for i, v in enumerate(clean_column(values)):
            if v is None:
                out.append(None)
                continue
            low = v.lower().replace(" ", "_").replace("-", "_")
            if low in _CONSENTS:
                out.append(low)
            else:
                warn(i, column, v, "consent must be subscribed, unsubscribed or never_subscribed")
                out.append(None)
        return out

    @staticmethod
    def _country(i: int, raw: str | None, warn: Warn) -> str | None:
        v = clean_raw(raw)
        if v is None:
            return None
        if len(v) != 2 or not v.isalpha():
            warn(i, "country", v, "country must be a two-letter ISO code")
            return None
        return v.upper()

    @staticmethod
    def _attributes(values: list[str | None], warn: Warn) -> list[str | None]:
        """JSON objects kept as given; one parse for the whole column when all are fine."""
        cleaned = clean_column(values)
        present = [v for v in cleaned if v is not None]
        try:
            parsed = json.loads("[" + ",".join(present) + "]")
            if len(parsed) == len(present) and all(isinstance(d, dict) for d in parsed):
                return cleaned
        except ValueError:
            pass
        out: list[str | None] = []
        for i, v in enumerate(cleaned):
            if v is not None:
                try:
                    ok = isinstance(json.loads(v), dict)
                except ValueError:
                    ok = False
                if not ok:
                    warn(i, "attributes", v[:200], "attributes must be a JSON object")
                    v = None
            out.append(v)
        return out
