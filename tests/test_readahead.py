"""Reading ahead (core/readahead.py): a load reads a file's next batch while it validates
the ones before on two threads; it must give the same batches, errors and clean-up, in
the same order, as reading and validating in turn."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from loaders.loaderkit import api_load, stored_events

from identigraph.readahead import ReadAhead, in_order


def _numbers(n: int, log: list[str], fail_at: int | None = None) -> Iterator[int]:
    try:
        for i in range(n):
            if i == fail_at:
                raise ValueError(f"row {i} is bad")
            yield i
    finally:
        log.append(f"closed on {threading.current_thread().name}")


def test_batches_come_in_order_and_the_reader_is_closed() -> None:
    log: list[str] = []
    with ReadAhead(_numbers(50, log), name="reader") as items:
        assert list(items) == list(range(50))
    assert log == ["closed on reader"]


def test_an_error_is_raised_where_the_consumer_reaches_it() -> None:
    """The batches before a failing read are handed over first, then its error itself."""
    log: list[str] = []
    seen: list[int] = []
    with pytest.raises(ValueError, match="row 3 is bad"), \
            ReadAhead(_numbers(10, log, fail_at=3)) as items:
        for i in items:
            seen.append(i)
    assert seen == [0, 1, 2]
    assert len(log) == 1


def test_stopping_early_stops_the_reader_and_closes_it() -> None:
    """A consumer that stops (an error in validation, a Ctrl-C) leaves no reader running
    and the file closed, though the reader was blocked handing over its next batch."""
    log: list[str] = []
    reader = ReadAhead(_numbers(1_000_000, log), name="stopped")
    with pytest.raises(KeyboardInterrupt), reader as items:
        for i in items:
            if i == 5:
                raise KeyboardInterrupt
    assert log == ["closed on stopped"]
    assert "stopped" not in {t.name for t in threading.enumerate()}


def test_work_on_two_threads_comes_back_in_order() -> None:
    """A batch validated slowly is still handed on before the quick ones after it."""
    def work(i: int) -> str:
        time.sleep(0.05 if i % 3 == 0 else 0)
        return f"{i}:{threading.current_thread().name.split('_')[0]}"
    out = list(in_order(work, iter(range(12)), name="validate"))
    assert [i for i, _ in out] == list(range(12))
    assert [r.split(":")[0] for _, r in out] == [str(i) for i in range(12)]
    assert {r.split(":")[1] for _, r in out} == {"validate"}


def test_an_error_in_the_work_comes_at_its_items_turn() -> None:
    """The items before a failing one are handed on; its error comes next, whichever
    thread raised first."""
    def work(i: int) -> int:
        if i == 4:
            raise ValueError("batch 4 is bad")
        time.sleep(0.02)
        return i * i
    seen: list[int] = []
    with pytest.raises(ValueError, match="batch 4 is bad"):
        for _, result in in_order(work, iter(range(10))):
            seen.append(result)
    assert seen == [0, 1, 4, 9]


def test_a_file_read_in_many_batches_reports_like_one_batch(tmp_path: Path) -> None:
    """A load of 40 rows, every fifth one bad, in batches of 3 (validated two at a time)
    reports the same problems, its rejected rows in the file's order, and stores the same
    events, as in one batch."""
    lines = ["event_id,timestamp,type,email"]
    for i in range(40):
        email = "not-an-email" if i % 5 == 2 else f"u{i % 7}@example.com"
        lines.append(f"e{i},2025-01-01T00:00:{i:02d}Z,form_submit,{email}")
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reports = []
    for rows in (3, 100_000):
        location = str(tmp_path / f"s{rows}.db")
        report = api_load(location, [path], batch_rows=rows)
        reports.append((report, stored_events(location)))
    (many, many_events), (one, one_events) = reports
    assert sorted((p.line, p.reason) for p in many.problems) == sorted(
        (p.line, p.reason) for p in one.problems)
    rejected = [p.line for p in many.problems if p.severity == "rejected"]
    assert rejected == [i + 2 for i in range(40) if i % 5 == 2]  # in the file's order
    assert many.files[0].rows_read == one.files[0].rows_read == 40
    assert many_events == one_events and len(many_events) == 32
