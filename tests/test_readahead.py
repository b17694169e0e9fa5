"""Reading ahead (core/readahead.py): a load reads a file's next batch while it validates
the one before; it must give the same batches, errors and clean-up as reading in turn."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from identigraph.readahead import ReadAhead


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
