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


#: The kinds every rule set may use without declaring them (the default declaration), in
#: the seed's strength order: each has a field of its own in events and in profiles.
KINDS: tuple[Kind, ...] = (Kind.EXTERNAL_ID, Kind.EMAIL, Kind.PHONE)
#: A profile's list of each of them (``profiles --json``: ``external_ids`` is the
#: external_id namespace only)
PROFILE_FIELDS: dict[str, str] = {Kind.EXTERNAL_ID: "external_ids", Kind.EMAIL: "emails",
                                  Kind.PHONE: "phones"}


def ident_key(kind: str, value: str) -> str:
    """The node id of an identifier, e.g. ``email:ann@example.com``."""
    return f"{kind}:{value}"


def split_key(key: str) -> tuple[str, str]:
    """Inverse of :func:`ident_key`."""
    kind, _, value = key.partition(":")
    return kind, value
