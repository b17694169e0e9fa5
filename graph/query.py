"""Which profiles ``profiles`` lists and in what order; stores stream them (one query
read a batch at a time, never the whole list in memory)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from identigraph.errors import UsageError
from identigraph.model import KIND_NAME, KINDS

Sort = Literal["id", "size"]


@dataclass(frozen=True)
class ProfileQuery:
    """``profiles --limit N --min-size K --kind KIND --sort id|size``.

    ``size`` is the number of identifiers on the profile; ``sort="size"`` lists the
    biggest first (ties by id).
    """

    limit: int | None = None
    min_size: int = 0
    kind: str | None = None
    sort: Sort = "id"

    def __post_init__(self) -> None:
        if self.kind is not None and not KIND_NAME.fullmatch(self.kind):
            raise UsageError(f"unknown identifier kind {self.kind!r}: use one of "
                             f"{', '.join(KINDS)} or an id namespace (klaviyo_id...)")
        if self.sort not in ("id", "size"):
            raise UsageError(f"unknown sort {self.sort!r}: use id or size")
        if self.limit is not None and self.limit < 0:
            raise UsageError("limit must be 0 or more")

