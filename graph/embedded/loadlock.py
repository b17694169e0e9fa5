"""A lock beside an embedded store that says "a load is writing it".

DuckDB lets one process write a file only when no other process has it open, so a
long-running reader (``identigraph serve``) must let go of the file when a load wants it.
The load holds an exclusive ``flock`` on ``STORE.loading`` for as long as it has the
store open; readers test it without waiting. The kernel drops the lock when the load's
process ends, however it ends, so a killed load never leaves a stale marker (an
unlocked file left behind by one means nothing); a load that ends removes the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

SUFFIX = ".loading"


def lock_path(store: Path | str) -> Path:
    """The lock file of a store file."""
    return Path(f"{store}{SUFFIX}")


class LoadLock:
    """Held by a load from opening the store until closing it."""

    def __init__(self, store: Path | str) -> None:
        self._fd: int | None = None
        self._path = lock_path(store)
        try:
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return  # a read-only folder: nobody can load there anyway
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # another load holds it: DuckDB refuses this one with its message
            return
        self._fd = fd

    def release(self) -> None:
        """Let readers in again (the file goes first, so no reader sees a stale one)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                self._path.unlink()
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def load_running(store: Path | str) -> bool:
    """True while a load holds the store's lock (never waits)."""
    try:
        fd = os.open(lock_path(store), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
