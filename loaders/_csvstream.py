"""Streaming an export CSV: only the columns a loader maps, with exact record numbers.

Like :mod:`csvfile` (Arrow's parser; BOM, CRLF, quoted multi-line values, empty cells
as None) but it converts only the columns asked for, which matters for exports with
eighty columns, and it keeps record numbers right when malformed rows are skipped: once
Arrow reports one, the file is walked in step with ``csv`` to number every record.

A quote that never closes would swallow every row after it into one value; a file whose
quotes do not pair up is checked for one first, and the row that opens it is rejected
with its record number while the rows after it are read on their own. A row holding a
value over MAX_VALUE_BYTES (which Arrow cannot read when it is past its block) is cut out
and rejected the same way; only files with a line that long are walked for one.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from identigraph.errors import UsageError
from identigraph.loaders.canonical import MAX_VALUE_BYTES, too_large
from identigraph.loaders.csvfile import is_gzip, open_text, read_header
from identigraph.loaders.report import Problem


@dataclass(slots=True)
class Slice:
    """Consecutive rows of an export: their record numbers (header = 1) and the columns."""

    lines: list[int]
    table: pa.Table
    ragged: list[Problem] = field(default_factory=list)

    def column(self, name: str) -> pa.ChunkedArray:
        """One column by its header name."""
        return self.table.column(name)


SWALLOWED = ("quoted value runs over {rows} line(s) that read as rows of this file: a quote "
             "left open above and one left open below pair up; fix the quotes and load the "
             "file again")
_CHUNK = 1 << 22  # bytes read at a time by the checks before a file is parsed
UNTERMINATED = ("unterminated quote: a quoted value opens in this row and never closes "
                "(the rows after it are read on their own)")


class _RecordScan:
    """Walks the file with ``csv`` to number records once a malformed row shows up."""

    def __init__(self, path: Path, width: int, first: int) -> None:
        self.fh = open_text(path)
        self.rows = csv.reader(self.fh)
        next(self.rows, None)  # header
        self.record = first
        self.width = width

    def take(self, count: int) -> tuple[list[int], list[tuple[int, str]]]:
        """Next ``count`` good record numbers (< 0: all), and the malformed ones on the way."""
        good: list[int] = []
        bad: list[tuple[int, str]] = []
        while count < 0 or len(good) < count:
            row = next(self.rows, None)
            if row is None:
                break
            if not row:
                continue  # Arrow skips blank lines too
            self.record += 1
            if len(row) == self.width:
                good.append(self.record)
            else:
                bad.append((self.record, ",".join(row)))
        return good, bad

    def close(self) -> None:
        self.fh.close()


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for h in header:
        n = seen.get(h, 0)
        seen[h] = n + 1
        out.append(h if n == 0 else f"{h}\x00{n}")
    return out


def _chunks(path: Path) -> Iterator[bytes]:
    """The file's bytes (gunzipped), 4 MiB at a time; none when it cannot be read (the
    reader then says what is wrong with it)."""
    opener = gzip.open if is_gzip(path) else open
    try:
        with opener(path, "rb") as fh:
            yield from iter(lambda: fh.read(_CHUNK), b"")
    except (OSError, EOFError):
        return


def _odd_quotes(path: Path) -> bool:
    """True when the file's double quotes do not pair up (cheap: one pass over bytes, numpy's
    vector compare: ``bytes.count`` of so common a byte took 3x the CPU, 0.17 s per 1M rows)."""
    return sum(int(np.count_nonzero(np.frombuffer(chunk, np.uint8) == ord('"')))
               for chunk in _chunks(path)) % 2 == 1


def _long_lines(path: Path) -> bool:
    """True when a line may hold a value over MAX_VALUE_BYTES: some aligned half of that
    holds no newline (cheap: a newline is found within a few bytes of each start)."""
    half = MAX_VALUE_BYTES // 2
    return any(chunk.find(b"\n", at, at + half) < 0
               for chunk in _chunks(path) for at in range(0, len(chunk) - half + 1, half))


@dataclass(frozen=True, slots=True)
class _Cut:
    """A record to take out of a file and reject: its record number (header = 1), the
    physical lines it spans (the first; 0 = the header's), and what the reject says."""

    record: int
    line: int
    lines: int
    column: str
    value: str
    reason: str


def _unterminated(path: Path) -> _Cut | None:
    """The row whose quoted value runs to the end of the file; None when there is none."""
    if not _odd_quotes(path):
        return None
    limit = csv.field_size_limit(1 << 30)  # the swallowed rows are one long value
    try:
        found = _last_open_record(path)
    finally:
        csv.field_size_limit(limit)
    if found is None:
        return None
    record, line, text = found
    return _Cut(record, line, 1, "", text[:200], UNTERMINATED)


def _last_open_record(path: Path) -> tuple[int, int, str] | None:
    """The last record of a file when its quoted value never closes (see _unterminated)."""
    with open_text(path) as fh:
        reader = csv.reader(fh)
        record, start, before = 0, 0, 0
        for row in reader:
            if row:
                record, start = record + 1, before
            before = reader.line_num
    with open_text(path) as fh:
        rest = "".join(itertools.islice(fh, start, None))
    try:
        list(csv.reader(io.StringIO(rest, newline=""), strict=True))
    except csv.Error:
        return record, start, rest.partition("\n")[0].rstrip("\r")
    return None


def _oversized(path: Path) -> _Cut | None:
    """The first record with a value over MAX_VALUE_BYTES (Arrow's reader cannot take a
    record longer than its block, and the row would be rejected anyway); None when none."""
    if not _long_lines(path):
        return None
    limit = csv.field_size_limit(1 << 30)
    try:
        with open_text(path) as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            record, before = 1, reader.line_num
            for row in reader:
                record += 1 if row else 0
                for i, value in enumerate(row):
                    if len(value) > MAX_VALUE_BYTES // 4 and (
                            size := len(value.encode())) > MAX_VALUE_BYTES:
                        column = header[i].strip() if i < len(header) else ""
                        return _Cut(record, before, reader.line_num - before, column, "",
                                    too_large(size))
                before = reader.line_num
    except csv.Error:
        return None  # the reader reports it
    finally:
        csv.field_size_limit(limit)
    return None


def csv_slices(path: Path, columns: Sequence[str], batch_rows: int) -> Iterator[Slice]:
    """Stream the named columns of a CSV export as text, ``batch_rows`` rows at a time."""
    yield from _split_slices(path, path, columns, batch_rows, 1)


def _split_slices(path: Path, shown: Path, columns: Sequence[str], batch_rows: int,
                  first: int) -> Iterator[Slice]:
    """Slices of ``path`` (reported as ``shown``, its header being record ``first``); a row
    opening a quote that never closes, or holding a value over MAX_VALUE_BYTES, splits it
    in two around that row, rejected."""
    cut = _unterminated(path) or _oversized(path)
    if cut is None:
        yield from _slices(path, shown, columns, batch_rows, first)
        return
    with tempfile.TemporaryDirectory(prefix="identigraph-csv-") as tmp:
        head, tail = Path(tmp) / "head.csv", Path(tmp) / "tail.csv"
        with open_text(path) as fh, head.open("w", encoding="utf-8", newline="") as h, \
                tail.open("w", encoding="utf-8", newline="") as t:
            lines = iter(fh)
            header = next(lines)
            h.write(header)
            t.write(header)
            for _ in range(cut.line - 1):
                h.write(next(lines))
            for _ in range(cut.lines):
                next(lines)  # the row cut out
            for rest in lines:
                t.write(rest)
        yield from _split_slices(head, shown, columns, batch_rows, first)
        at = first + cut.record - 1
        empty = pa.table({h: pa.array([], pa.string()) for h in dict.fromkeys(columns)})
        yield Slice([], empty, [Problem(str(shown), at, cut.column, cut.value, cut.reason,
                                        "rejected")])
        yield from _split_slices(tail, shown, columns, batch_rows, at)


def _rows_inside(value: str, width: int) -> int:
    """How many of a value's lines after its first read as whole rows of a file ``width``
    columns wide (a row swallowed by a quote opened above it and closed below)."""
    count = 0
    for line in value.split("\n")[1:]:
        try:
            count += len(next(csv.reader([line]), [])) == width
        except csv.Error:
            continue
    return count


def _may_hold_newline(values: pa.Array) -> bool:
    """False when no value of a text column can hold a newline: its data buffer has none
    (a find over raw bytes; a slice's buffer may hold more than its values, so True is only
    "look closer"). Matching every value took 0.3 CPU s per 1M rows of 13 columns."""
    buffers = values.buffers()
    data = buffers[2] if len(buffers) > 2 else None
    return data is not None and memoryview(data).tobytes().find(b"\n") >= 0


def _unswallowed(part: Slice, shown: Path, width: int) -> Slice:
    """The slice without rows whose quoted value runs over lines that read as rows: two
    unterminated quotes that pair up (see docs/hardening.md), each such row rejected."""
    if width < 2 or not part.table.num_rows:
        return part
    bad: dict[int, Problem] = {}
    for name in part.table.column_names:
        column = part.table.column(name)
        if not any(_may_hold_newline(chunk) for chunk in column.chunks):
            continue
        multiline = pc.fill_null(pc.match_substring(column, "\n"), False)
        if not pc.any(multiline).as_py():
            continue
        for row in np.flatnonzero(multiline.to_numpy(zero_copy_only=False)).tolist():
            value = column[row].as_py()
            if row not in bad and (rows := _rows_inside(value, width)):
                bad[row] = Problem(str(shown), part.lines[row], name.split("\x00")[0],
                                   value[:200], SWALLOWED.format(rows=rows), "rejected")
    if not bad:
        return part
    keep = [i for i in range(part.table.num_rows) if i not in bad]
    return Slice([part.lines[i] for i in keep], part.table.take(pa.array(keep, pa.int64())),
                 part.ragged + [bad[i] for i in sorted(bad)])


def _slices(path: Path, shown: Path, columns: Sequence[str], batch_rows: int,
            first: int) -> Iterator[Slice]:
    """Slices of one file whose quotes are sound (see :func:`_split_slices`)."""
    header = read_header(path)
    if not header or all(not h for h in header):
        raise UsageError(f"{shown}: empty file or no header row")
    wanted = list(dict.fromkeys(columns))
    for name in wanted:
        if header.count(name) > 1:
            raise UsageError(f"{shown}: column {name!r} appears more than once in the header")
    names = _unique(header)
    ragged_text: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        ragged_text.append(row.text)
        return "skip"

    try:
        source = pa.input_stream(str(path), compression="gzip" if is_gzip(path) else None)
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={h: pa.string() for h in wanted},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise UsageError(f"{shown}: cannot read as CSV: {str(exc).splitlines()[0]}") from exc
    scan: _RecordScan | None = None
    done = first  # records handed out so far, header included
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    found = 0  # malformed records the scan found

    def flush(final: bool = False) -> Slice:
        nonlocal scan, done, pending_rows, found
        table = pa.Table.from_batches(pending, schema=pending[0].schema)
        n = table.num_rows
        pending.clear()
        pending_rows = 0
        if ragged_text and scan is None:
            scan = _RecordScan(path, len(header), first)
            scan.take(done - first)
        if scan is None:
            lines = list(range(done + 1, done + 1 + n))
            done += n
            return _unswallowed(Slice(lines, table), shown, len(header))
        lines, bad = scan.take(-1 if final else n)
        if final:
            lines = lines[:n]
        if len(lines) != n:  # the two parsers disagree: fall back to counting
            lines = list(range(done + 1, done + 1 + n))
        done = lines[-1] if lines else done
        found += len(bad)
        problems = [
            Problem(str(shown), line, "", text[:200],
                    f"wrong number of fields (expected {len(header)})", "rejected")
            for line, text in bad
        ]
        if final and found < len(ragged_text):  # not found again: report Arrow's text
            problems += [
                Problem(str(shown), 0, "", text.rstrip("\r\n")[:200],
                        f"wrong number of fields (expected {len(header)})", "rejected")
                for text in ragged_text[found:]
            ]
        return _unswallowed(Slice(lines, table, problems), shown, len(header))

    try:
        for rb in reader:
            offset = 0
            while offset < rb.num_rows:
                take = min(batch_rows - pending_rows, rb.num_rows - offset)
                pending.append(rb.slice(offset, take))
                pending_rows += take
                offset += take
                if pending_rows >= batch_rows:
                    yield flush()
        if not pending and ragged_text:
            pending.append(pa.RecordBatch.from_pydict(
                {h: pa.array([], pa.string()) for h in wanted}))
        if pending:
            yield flush(final=True)
    except (pa.ArrowInvalid, OSError, EOFError) as exc:  # EOFError: a gzip cut short
        raise UsageError(f"{shown}: cannot read as CSV: {str(exc).splitlines()[0]}") from exc
    finally:
        if scan is not None:
            scan.close()
