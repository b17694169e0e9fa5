"""Neo4j records as identigraph records, ordered exactly like the embedded store's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from identigraph.graph.records import Edge, LogEntry, Profile
from identigraph.graph.timefmt import iso


def profile(p: Mapping[str, Any]) -> Profile:
    """A Profile from a :Profile node's properties."""
    return Profile(
        profile_id=p["profile_id"], emails=list(p.get("emails") or []),
        phones=list(p.get("phones") or []), external_ids=list(p.get("external_ids") or []),
        email_consent=p.get("email_consent"), sms_consent=p.get("sms_consent"),
        created_by=p.get("created_by"), created_for=p.get("created_for"),
        merged_ids=list(p.get("merged_ids") or []), other_ids=list(p.get("other_ids") or []),
    )


def edge(src: str, dst: str, event_id: str, type_: str, channel: str | None, ts: int,
         rule: str, merges: bool) -> Edge:
    """An Edge oriented as stored (src -> dst), whatever direction a query walked it."""
    return Edge(from_=src, to=dst, event_id=event_id, event_type=type_, channel=channel,
                timestamp=iso(ts), rule=rule, merges=bool(merges), ts=ts)


def log_entry(r: Mapping[str, Any]) -> LogEntry:
    """A LogEntry from a :LogEntry row."""
    return LogEntry(profile_id=r["profile_id"], event_id=r["event_id"], timestamp=iso(r["ts"]),
                    ts=r["ts"], action=r["action"], identifier=r["identifier"], other=r["other"])

