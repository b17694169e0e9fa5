"""Text files (gunzipped when named ``.gz``) and CSV headers: the first record of a file, BOM
removed (streaming is in ``_csvstream``)."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import IO

from identigraph.errors import UsageError


def is_gzip(path: Path) -> bool:
    """Gzipped by name: ``.gz`` (any case) at the end."""
    return path.name.lower().endswith(".gz")


def open_text(path: Path) -> IO[str]:
    """Open a text file, gunzipping ``.gz``; a BOM is dropped."""
    if is_gzip(path):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open("r", encoding="utf-8-sig", newline="")


def read_header(path: Path) -> list[str]:
    """The first record of a CSV file, BOM removed and names trimmed."""
    try:
        with open_text(path) as fh:
            first = next(csv.reader(io.StringIO(_first_record(fh))), [])
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except (OSError, EOFError) as exc:  # gzip: not gzip data, or cut short
        raise UsageError(f"{path}: cannot read: {exc}") from exc
    return [h.strip() for h in first]


def _first_record(fh: IO[str]) -> str:
    text = ""
    for line in fh:
        text += line
        if text.count('"') % 2 == 0:
            break
    return text
