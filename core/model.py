"""Shared vocabulary: identifier kinds, consent values and identifier keys."""

from __future__ import annotations

import re
from collections.abc import Sequence
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
#: The kinds with a built-in normaliser and a consent (SPEC section 2): every rule set
#: declares them, and a person reads their values bare (no kind named before them)
CONTACT_KINDS: tuple[Kind, ...] = (Kind.EMAIL, Kind.PHONE)
#: The time rows of files without event times get (``--undated-time``'s default; shown as
#: ``undated``, graph/sentences.py's UNDATED_TS)
UNDATED_TIME = "1970-01-01T00:00:00Z"
#: An identifier kind's name (``email``, ``klaviyo_id``): a lower-case word. It is the ``kind``
#: of a ``kind:value`` key and an event table's column name, so rule sets, readers, event
#: tables and queries check names with this one pattern
KIND_NAME = re.compile(r"[a-z][a-z0-9_]*")
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


#: A stored event's columns that hold no identifier (``grp``: the embedded store's group);
#: every other column is email, phone, external_id or an id namespace (``klaviyo_id``)
NON_ID_COLUMNS = frozenset(("event_id", "ts", "type", "channel", "source", "country",
                            "email_consent", "sms_consent", "attributes", "grp"))


def keys_by_column(keys: Sequence[str], columns: Sequence[str]) -> dict[str, list[str]]:
    """``kind:value`` keys grouped by kind, for the kinds stored events have a column of
    (email, phone, external_id and each id namespace among ``columns``)."""
    ids = {c for c in columns if c not in NON_ID_COLUMNS}
    wanted: dict[str, list[str]] = {}
    for key in keys:
        kind, value = split_key(key)
        if kind in ids:
            wanted.setdefault(kind, []).append(value)
    return wanted
