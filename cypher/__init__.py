"""Every Cypher statement identigraph runs, one ``.cypher`` file each, loaded by name."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    """The text of ``cypher/<name>.cypher`` (``analyst/x`` for an analyst query)."""
    parts = name.split("/")
    if not all(p and p.replace("_", "").isalnum() for p in parts):
        raise ValueError(f"not a Cypher statement name: {name!r}")
    node = resources.files(__name__)
    for part in parts[:-1]:
        node = node / part
    try:
        return (node / f"{parts[-1]}.cypher").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"no Cypher statement named {name!r}") from None
