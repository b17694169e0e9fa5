"""CSV headers: the first record of a file, BOM removed (streaming is in ``_csvstream``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from identigraph.errors import UsageError


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
