"""Streaming CSV reading shared by every CSV format: Arrow's parser, all columns as text.

Handles a UTF-8 BOM, CRLF, quoted multi-line values and empty cells (read as None).
Rows with the wrong number of fields are reported, not dropped silently. ``line`` is the
record number (header = 1): equal to the physical line unless a value spans lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from identigraph.errors import UsageError


@dataclass(slots=True)
class CsvChunk:
    """A slice of a CSV file: record numbers, columns by header name, ragged rows."""

    lines: list[int]
    cols: dict[str, list[str | None]]
    ragged: list[tuple[int, str]]  # (line, text) of rows with a wrong field count


def read_header(path: Path) -> list[str]:
    """The first record of a CSV file, BOM removed and names trimmed."""
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            first = next(csv.reader(io.StringIO(_first_record(fh))), [])
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    return [h.strip() for h in first]


def _first_record(fh: io.TextIOBase) -> str:
    text = ""
    for line in fh:
        text += line
        if text.count('"') % 2 == 0:
            break
    return text


def _find_line(path: Path, text: str) -> int:
    """Physical line where a raw row's text starts (0 when not found)."""
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        for number, line in enumerate(fh, start=1):
            if line.rstrip("\r\n") == text.rstrip("\r\n"):
                return number
    return 0


def csv_chunks(path: Path, batch_rows: int = 100_000) -> Iterator[CsvChunk]:
    """Stream a CSV file as column chunks of text."""
    header = read_header(path)
    if not header or all(not h for h in header):
        raise UsageError(f"{path}: empty file or no header row")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise UsageError(f"{path}: duplicate column names in header: {', '.join(dupes)}")
    ragged_text: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        ragged_text.append(row.text)
        return "skip"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 22),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.string() for h in header},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    line = 1
    try:
        for rb in reader:
            for start in range(0, rb.num_rows, batch_rows):
                part = rb.slice(start, batch_rows)
                cols = {h: part.column(i).to_pylist() for i, h in enumerate(header)}
                lines = list(range(line + 1, line + 1 + part.num_rows))
                line += part.num_rows
                ragged = [(_find_line(path, t), t) for t in ragged_text]
                ragged_text.clear()
                yield CsvChunk(lines, cols, ragged)
    except pa.ArrowInvalid as exc:
        msg = str(exc).splitlines()[0]
        raise UsageError(f"{path}: cannot read as CSV: {msg}") from exc
    if ragged_text:
        yield CsvChunk([], {h: [] for h in header}, [(_find_line(path, t), t) for t in ragged_text])
