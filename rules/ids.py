"""Stable ids: profile ids derived from the creating event, event ids from row content."""

from __future__ import annotations

import hashlib


def profile_id_for(event_id: str, kind: str, value: str) -> str:
    """The id of a profile created by an event for one identifier; same on every backend."""
    digest = hashlib.blake2b(f"{event_id}\x1f{kind}:{value}".encode(), digest_size=8).hexdigest()
    return f"p_{digest}"


def content_event_id(prefix: str, parts: list[str]) -> str:
    """An event id from a row's content, so reloading the same row adds nothing."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=10).hexdigest()
    return f"{prefix}:{digest}"
