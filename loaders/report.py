"""Accounting for every input row: outcomes, problems, the load summary, the rejects file."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from identigraph.safetext import spreadsheet_cell

LOADED = "loaded"
WARNED = "loaded_with_warnings"
REJECTED = "rejected"
DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Problem:
    """A rejected row or a dropped value: where it was and why (a plain dataclass: loaders
    make one per bad row; a :class:`LoadReport` holds them as typed fields)."""

    file: str
    line: int  # record number in the file; the header (if any) is line 1
    column: str
    value: str
    reason: str
    severity: str  # "rejected" (whole row) or "warning" (value dropped, row loaded)


#: The load's reports build their schemas at import, not on first use (``defer_build``): a
#: build inside a load, between its big Arrow buffers, raised a 1M first load's peak by
#: ~100 MB (646 -> 754 MB, measured): the heap could not give the freed buffers back.
class FileReport(BaseModel):
    """Counts for one input file; they add up to ``rows_read``."""

    file: str
    format: str
    rows_read: int = 0
    loaded: int = 0
    loaded_with_warnings: int = 0
    rejected: int = 0
    duplicates: int = 0
    #: rejected rows whose event id is used by an event with other content (in ``rejected``)
    conflicts: int = 0


class LoadReport(BaseModel):
    """What one ``load`` did, per file and in total (a pydantic model: ``model_dump()`` is
    the whole record, :meth:`as_dict` the ``load --json`` summary)."""

    files: list[FileReport] = []
    problems: list[Problem] = []
    events_added: int = 0
    replayed: bool = False  # a replay ran
    incremental: bool = False  # only the groups the new events touch were replayed
    replayed_events: int = 0
    replayed_groups: int = 0  # connected groups among the replayed events

    def total(self, name: str) -> int:
        """Sum of one counter over all files."""
        return sum(int(getattr(f, name)) for f in self.files)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        keys = ("rows_read", "loaded", "loaded_with_warnings", "rejected", "duplicates")
        return {
            **{k: self.total(k) for k in keys},
            "conflicting_event_ids": self.total("conflicts"),
            "events_added": self.events_added,
            "replayed": {"events": self.replayed_events, "groups": self.replayed_groups,
                         "incremental": self.incremental},
            "files": [
                {"file": f.file, "format": f.format, **{k: getattr(f, k) for k in keys},
                 "conflicting_event_ids": f.conflicts}
                for f in self.files
            ],
        }

    def write_rejects(self, path: Path | str) -> None:
        """Write every rejected row and dropped value as CSV; a cell that a spreadsheet would
        run as a formula (``=``, ``+``, ``-``, ``@``...) starts with an apostrophe."""
        with Path(path).open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["file", "line", "column", "value", "reason", "severity"])
            for p in self.problems:
                w.writerow([p.file, p.line, *map(spreadsheet_cell, (p.column, p.value)),
                            p.reason, p.severity])
