"""Typed records every store returns and every command prints (SPEC sections 5 and 6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from identigraph.graph.timefmt import iso
from identigraph.model import KINDS, NON_ID_COLUMNS, PROFILE_FIELDS


class _Rec(BaseModel, defer_build=True):
    model_config = ConfigDict(frozen=True)


class Profile(_Rec):
    """A resolved profile: ``profiles --json`` prints a list of these."""

    profile_id: str
    emails: list[str]
    phones: list[str]
    external_ids: list[str]
    email_consent: str | None
    sms_consent: str | None
    created_by: str | None = None
    created_for: str | None = None
    merged_ids: list[str] = []
    #: ``kind:value`` of each identifier of a namespace other than the three above (a
    #: vendor id: ``klaviyo_id:01H…``), by declaration order then value
    other_ids: list[str] = []

    def as_json(self) -> dict[str, object]:
        """``profiles --json``'s shape (SPEC section 6; keys may be added, never renamed):
        ``identifiers`` lists every identifier of the profile, vendor ids included, while
        ``external_ids`` stays the external_id namespace alone."""
        return {"profile_id": self.profile_id, "emails": self.emails, "phones": self.phones,
                "external_ids": self.external_ids, "email_consent": self.email_consent,
                "sms_consent": self.sms_consent, "created_by": self.created_by,
                "merged_ids": self.merged_ids, "identifiers": self.identifiers()}

    def identifier_keys(self) -> list[str]:
        """Every identifier key of the profile: external ids, emails, phones, then the other
        namespaces' (:attr:`other_ids`)."""
        return [f"{kind}:{v}" for kind in KINDS
                for v in getattr(self, PROFILE_FIELDS[kind])] + self.other_ids

    def values(self, kind: str) -> list[str]:
        """The profile's values of one identifier kind."""
        if kind in PROFILE_FIELDS:
            return list(getattr(self, PROFILE_FIELDS[kind]))
        return [k.partition(":")[2] for k in self.other_ids if k.partition(":")[0] == kind]

    def identifiers(self) -> list[dict[str, str]]:
        """``[{"kind", "value"}, ...]``: every identifier of the profile, in
        :meth:`identifier_keys` order."""
        out = [{"kind": str(kind), "value": v} for kind in KINDS
               for v in getattr(self, PROFILE_FIELDS[kind])]
        for key in self.other_ids:  # built directly: profiles --json writes one per profile
            kind, _, value = key.partition(":")
            out.append({"kind": kind, "value": value})
        return out


class Identifier(_Rec):
    """One identifier node and where it stands."""

    key: str  # kind:value
    kind: str
    value: str
    profile_id: str | None
    blocked: bool = False
    consent: str | None = None


class Edge(_Rec):
    """An evidence edge from one event between two identifiers, with its decision."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    from_: str
    to: str
    event_id: str
    event_type: str
    channel: str | None
    timestamp: str
    rule: str
    merges: bool
    ts: int = 0  # UTC microseconds, for ordering; not printed

    def as_json(self) -> dict[str, object]:
        """The SPEC's edge shape (``from`` is a Python keyword, hence ``from_``), and the
        identifier kind of each end (``from_kind``, ``to_kind``)."""
        return {"from": self.from_, "to": self.to, "event_id": self.event_id,
                "event_type": self.event_type, "channel": self.channel,
                "timestamp": self.timestamp, "rule": self.rule, "merges": self.merges,
                "from_kind": self.from_.partition(":")[0], "to_kind": self.to.partition(":")[0]}

    @property
    def why(self) -> str:
        """The rule's decision in words (``never_merges``: "the event type never merges ...")."""
        from identigraph.rules.decisions import RULE_TEXT

        return RULE_TEXT.get(self.rule, self.rule)


class CrossEdge(_Rec):
    """An evidence edge whose two ends are on two different profiles (``suspects``)."""

    edge: Edge
    from_profile: str
    to_profile: str


class LogEntry(_Rec):
    """A profile-level change: created, merged, merged_into, replaced."""

    profile_id: str
    event_id: str
    timestamp: str
    ts: int
    action: str
    identifier: str | None = None
    other: str | None = None


class EventRecord(_Rec):
    """A stored canonical event, as ``how`` shows it."""

    event_id: str
    timestamp: str
    ts: int
    type: str
    channel: str | None
    source: str | None
    email: str | None
    phone: str | None
    external_id: str | None
    email_consent: str | None
    sms_consent: str | None
    attributes: str | None = None  # JSON object text, as loaded
    #: ``kind:value`` of each id the event carried in a namespace other than the three above
    other_ids: list[str] = []

    def identifier_keys(self) -> list[str]:
        """The identifier keys the event carried: external id, email, phone, then the other
        namespaces' (:attr:`other_ids`)."""
        return [f"{kind}:{v}" for kind in KINDS if (v := getattr(self, kind))] + self.other_ids


def event_record(row: Mapping[str, Any]) -> EventRecord:
    """An EventRecord from a stored event's columns by name (either backend); each other
    column is an id namespace: its value, when set, is one of ``other_ids``."""
    return EventRecord(
        event_id=row["event_id"], timestamp=iso(row["ts"]), ts=row["ts"], type=row["type"],
        channel=row["channel"], source=row["source"], email=row["email"], phone=row["phone"],
        external_id=row["external_id"], email_consent=row["email_consent"],
        sms_consent=row["sms_consent"], attributes=row["attributes"],
        other_ids=[f"{k}:{v}" for k, v in sorted(row.items())
                   if k not in NON_ID_COLUMNS and k not in KINDS and v is not None])
