"""The canonical ``events`` format: JSON Lines or CSV with SPEC section 3's field names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from identigraph.arrays import as_array
from identigraph.errors import UsageError
from identigraph.loaders._csvstream import csv_slices
from identigraph.loaders.batch import RAW_FIELDS, RawBatch, ReadOptions, RowBatch, is_namespace
from identigraph.loaders.csvfile import open_text, read_header
from identigraph.loaders.report import Problem

REQUIRED = ("timestamp", "type")


def is_jsonl(path: Path) -> bool:
    """JSON Lines by extension (``.jsonl``, ``.ndjson``, ``.json``, optionally ``.gz``)."""
    name = path.name.lower().removesuffix(".gz")
    return name.endswith((".jsonl", ".ndjson", ".json"))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line, object or None when malformed, error) for every non-blank line."""
    try:
        with open_text(path) as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, None, f"malformed JSON: {exc.msg} at column {exc.colno}"
                    continue
                except RecursionError:
                    yield number, None, "JSON nested too deeply"
                    continue
                if not isinstance(obj, dict):
                    yield number, None, "a JSON Lines row must be an object"
                    continue
                yield number, obj, ""
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from exc


class EventsFormat:
    """Canonical events: the reference format every other loader maps onto."""

    name = "events"

    def matches(self, header: list[str]) -> bool:
        """A header naming ``timestamp`` and ``type`` (other columns are then checked)."""
        return all(f in header for f in REQUIRED)

    def read(self, path: Path, options: ReadOptions) -> Iterator[RawBatch]:
        """Raw batches of canonical fields."""
        if is_jsonl(path):
            yield from self._read_jsonl(path, options)
        else:
            yield from self._read_csv(path, options)

    def _read_csv(self, path: Path, options: ReadOptions) -> Iterator[RawBatch]:
        header = read_header(path)
        unknown = [h for h in header if h not in RAW_FIELDS and not is_namespace(h, options.kinds)]
        missing = [f for f in REQUIRED if f not in header]
        if unknown or missing:
            what = f"unknown column {unknown[0]!r}" if unknown else f"no {missing[0]!r} column"
            raise UsageError(
                f"{path}: {what} in events CSV (columns: {', '.join(RAW_FIELDS)}, "
                "or an id namespace: a declared kind or a name ending in _id)"
            )
        for part in csv_slices(path, header, options.batch_rows):
            cols = {h: as_array(part.column(h)) for h in header}
            yield RawBatch(str(path), part.lines, cols, "events", rejected=part.ragged)

    def _read_jsonl(self, path: Path, options: ReadOptions) -> Iterator[RawBatch]:
        batch = RowBatch(str(path), RAW_FIELDS, "events")
        for number, obj, error in jsonl_records(path):
            if obj is None:
                batch.rejected.append(Problem(str(path), number, "", "", error, "rejected"))
                continue
            row = {f: _text(obj.get(f)) for f in RAW_FIELDS}
            for key in obj:
                if is_namespace(key, options.kinds):
                    row[key] = _text(obj[key])
                elif key not in RAW_FIELDS:
                    batch.warnings.append(Problem(str(path), number, key, _text(obj[key]) or "",
                                                  "unknown field ignored", "warning"))
            batch.add(number, row)
            if len(batch) >= options.batch_rows:
                yield batch.raw()
                batch = RowBatch(str(path), RAW_FIELDS, "events")
        if len(batch) or batch.rejected:
            yield batch.raw()
