"""Writing test inputs: canonical events as JSON Lines, rows as CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any


def write_jsonl(path: Path, events: Iterable[Mapping[str, Any]]) -> Path:
    """Write one JSON object per line; returns ``path``."""
    path.write_text("".join(json.dumps(ev) + "\n" for ev in events), encoding="utf-8")
    return path


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write a CSV file with a header row; returns ``path``."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path
