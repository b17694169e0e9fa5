"""CSV damage is precise (issue 17, class 5): a quote that never closes costs its own row,
named by record number, and every row after it is still read and counted."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from support import cli

HEADER = "event_id,timestamp,type,email,source\n"


def _row(i: int) -> str:
    return f"e{i},2025-01-01T10:00:00Z,form_submit,u{i}@example.com,web\n"


@pytest.mark.parametrize("rows", [6, 100_000])
@pytest.mark.parametrize("where", ["last", "middle"])
def test_an_unterminated_quote_rejects_only_its_row(tmp_path: Path, rows: int,
                                                    where: str) -> None:
    """Row 4 (record 5) opens a quote that never closes, in the last column or mid-row:
    that record is rejected with its number, every other row loads."""
    bad = ('e3,2025-01-01T10:00:00Z,form_submit,u3@example.com,"web\n' if where == "last"
           else 'e3,2025-01-01T10:00:00Z,form_submit,"u3@example.com,web\n')
    text = HEADER + "".join(_row(i) for i in range(3)) + bad + "".join(
        _row(i) for i in range(4, rows))
    src = tmp_path / "events.csv"
    src.write_text(text, encoding="utf-8")
    rejects = tmp_path / "r.csv"
    out = cli("load", str(src), "--json", "--rejects", str(rejects),
              store=str(tmp_path / "s.db"))
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["rows_read"], summary["loaded"], summary["rejected"]) == (rows, rows - 1, 1)
    with rejects.open(newline="", encoding="utf-8") as fh:
        (problem,) = list(csv.DictReader(fh))
    assert problem["line"] == "5" and "unterminated quote" in problem["reason"]
    assert problem["value"].startswith("e3,")


def test_an_unterminated_quote_after_a_ragged_row(tmp_path: Path) -> None:
    """Each damaged record is named once, with its own number; the rest load."""
    src = tmp_path / "events.csv"
    src.write_text(HEADER + _row(1) + "e2,2025-01-01T10:00:00Z,form_submit\n" + _row(3)
                   + 'e4,2025-01-01T10:00:00Z,form_submit,"u4@x.io,web\n' + _row(5) + _row(6),
                   encoding="utf-8")
    rejects = tmp_path / "r.csv"
    out = cli("load", str(src), "--json", "--rejects", str(rejects),
              store=str(tmp_path / "s.db"))
    summary = json.loads(out.stdout)
    assert (summary["rows_read"], summary["loaded"], summary["rejected"]) == (6, 4, 2)
    with rejects.open(newline="", encoding="utf-8") as fh:
        got = [(p["line"], p["reason"].split(" (")[0].split(":")[0]) for p in csv.DictReader(fh)]
    assert sorted(got) == [("3", "wrong number of fields"), ("5", "unterminated quote")]


@pytest.mark.parametrize("mib", [5, pytest.param(40, marks=pytest.mark.slow)])
@pytest.mark.parametrize("column", ["attributes", "external_id"])
def test_a_value_bigger_than_the_reader_block_rejects_its_row(tmp_path: Path, mib: int,
                                                              column: str) -> None:
    """A CSV value of several MiB (past the CSV reader's 4 MiB block, which refused the
    whole file): its row is rejected with its record number and column, the rest load."""
    value = "x" * (mib << 20)
    cell = '"{""note"": ""' + value + '""}"' if column == "attributes" else value
    src = tmp_path / "events.csv"
    src.write_text(f"event_id,timestamp,type,email,{column}\n"
                   + "".join(f"e{i},2025-01-01T10:00:00Z,form_submit,u{i}@example.com,\n"
                             for i in range(3))
                   + f"big,2025-01-01T10:00:00Z,form_submit,big@example.com,{cell}\n"
                   + "e4,2025-01-01T10:00:00Z,form_submit,u4@example.com,\n", encoding="utf-8")
    rejects = tmp_path / "r.csv"
    out = cli("load", str(src), "--json", "--rejects", str(rejects),
              store=str(tmp_path / "s.db"))
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["rows_read"], summary["loaded"], summary["rejected"]) == (5, 4, 1)
    with rejects.open(newline="", encoding="utf-8") as fh:
        (problem,) = list(csv.DictReader(fh))
    assert (problem["line"], problem["column"]) == ("5", column)
    assert problem["reason"].startswith("value too large (")
