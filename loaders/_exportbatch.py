"""Assembling a :class:`RawBatch` from mapped columns, with rows a loader settled itself."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from identigraph.loaders._columns import drop_spreadsheet_numbers, spreadsheet_damage
from identigraph.loaders.batch import RawBatch
from identigraph.loaders.report import Problem


@dataclass(slots=True)
class Mapped:
    """Canonical columns of some export rows, and what the loader already decided."""

    file: str
    fmt: str
    lines: list[int]
    cols: dict[str, pa.Array]
    source_columns: dict[str, str]
    #: loader reasons to reject a row (None: keep it), by position; empty list: keep all
    reject: list[str | None] = field(default_factory=list)
    reject_column: str = ""
    reject_values: list[str | None] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)  # e.g. malformed CSV rows
    folded: int = 0
    checked: frozenset[str] = frozenset()  # see RawBatch.checked
    made_up: frozenset[str] = frozenset()  # see RawBatch.made_up

    def warn(self, i: int, column: str, value: str, reason: str) -> None:
        """Report a value of row ``i`` the loader dropped (the row still loads)."""
        self.warnings.append(Problem(self.file, self.lines[i], column, value, reason,
                                     "warning"))

    def drop_mangled(self, values: pa.Array, column: str, what: str = "phone number",
                     then: str = "") -> pa.Array:
        """``values`` without those a spreadsheet turned into ``1.41555E+10``, each reported
        as a warning on ``column`` (:func:`spreadsheet_damage` of ``what``, then ``then``)."""
        reason = spreadsheet_damage(what) + then
        return drop_spreadsheet_numbers(values, lambda i, v: self.warn(i, column, v, reason))

    def drop_mangled_phones(self) -> None:
        """Drop phones a spreadsheet turned into ``1.41555E+10``, saying so."""
        phones = self.cols.get("phone")
        if phones is not None:
            self.cols["phone"] = self.drop_mangled(phones, self.source_columns.get("phone",
                                                                                   "phone"))

    def batch(self) -> RawBatch:
        """The raw batch: kept rows in ``lines``/``cols``, the others in ``rejected``."""
        rejected = list(self.rejected)
        lines, cols = self.lines, self.cols
        if any(r is not None for r in self.reject):
            keep = [i for i, r in enumerate(self.reject) if r is None]
            for i, reason in enumerate(self.reject):
                if reason is not None:
                    value = self.reject_values[i] if self.reject_values else None
                    rejected.append(Problem(self.file, lines[i], self.reject_column,
                                            value or "", reason, "rejected"))
            dropped = {self.lines[i] for i, r in enumerate(self.reject) if r is not None}
            self.warnings = [w for w in self.warnings if w.line not in dropped]
            lines = [lines[i] for i in keep]
            mask = pa.array(np.array([r is None for r in self.reject], dtype=bool))
            cols = {k: v.filter(mask) for k, v in cols.items()}
        return RawBatch(self.file, lines, cols, self.fmt, rejected=rejected,
                        folded=self.folded, warnings=self.warnings,
                        source_columns=self.source_columns, checked=self.checked,
                        made_up=self.made_up)
