"""Shared vocabulary: identifier kinds, consent values and identifier keys."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """The kinds of identifier a contact can be known by."""

    EXTERNAL_ID = "external_id"
    EMAIL = "email"
    PHONE = "phone"


class Consent(StrEnum):
    """Marketing consent for one identifier (email or SMS)."""

    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    NEVER_SUBSCRIBED = "never_subscribed"


KINDS: tuple[Kind, ...] = (Kind.EXTERNAL_ID, Kind.EMAIL, Kind.PHONE)


def ident_key(kind: str, value: str) -> str:
    """The node id of an identifier, e.g. ``email:ann@example.com``."""
    return f"{kind}:{value}"


def split_key(key: str) -> tuple[str, str]:
    """Inverse of :func:`ident_key`."""
    kind, _, value = key.partition(":")
    return kind, value
