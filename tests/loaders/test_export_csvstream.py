"""Reading export CSVs: chosen columns only, record numbers right around malformed rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from identigraph.errors import UsageError
from identigraph.loaders._csvstream import csv_slices

TEXT = (
    "\ufeffa,b,c\r\n"
    "1,\"x\",3\r\n"          # record 2
    "4,\"multi\r\nline\",6\r\n"  # record 3 spans two lines
    "7,8\r\n"               # record 4: malformed
    "\r\n"                  # blank line: not a record
    "9,\"\",11\r\n"         # record 5, quoted empty value
    "12,13,14,15\r\n"       # record 6: malformed
    "16,17,18\r\n"          # record 7
)


def _write(tmp_path: Path, text: str = TEXT) -> Path:
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 100])
def test_record_numbers_and_malformed_rows(tmp_path: Path, batch_rows: int) -> None:
    path = _write(tmp_path)
    lines: list[int] = []
    values: list[str | None] = []
    bad: list[tuple[int, str, str]] = []
    for part in csv_slices(path, ["c", "b"], batch_rows):
        assert part.table.column_names == ["c", "b"]  # only those asked for
        lines += part.lines
        values += part.column("b").to_pylist()
        bad += [(p.line, p.value, p.reason) for p in part.ragged]
    assert lines == [2, 3, 5, 7]
    assert values == ["x", "multi\r\nline", None, "17"]
    assert bad == [(4, "7,8", "wrong number of fields (expected 3)"),
                   (6, "12,13,14,15", "wrong number of fields (expected 3)")]


def test_only_needed_duplicates_matter(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,a\n1,2,3\n")
    assert [p.column("b").to_pylist() for p in csv_slices(path, ["b"], 10)] == [["2"]]
    with pytest.raises(UsageError, match="more than once"):
        list(csv_slices(path, ["a"], 10))


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="empty file"):
        list(csv_slices(_write(tmp_path, ""), ["a"], 10))
