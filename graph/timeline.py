"""The history of the profile holding an identifier: ``how X`` (SPEC section 5)."""

from __future__ import annotations

from pydantic import BaseModel

from identigraph.graph.facts import gather
from identigraph.graph.names import attributes_by_owner, display_name, profile_keys
from identigraph.graph.records import Edge, EventRecord, Identifier, LogEntry, Profile
from identigraph.graph.sentences import (
    Facts,
    consent_sentence,
    edge_sentence,
    log_sentence,
    seen_sentence,
    timeline_summary,
)
from identigraph.graph.store import Store

_ORDER = {"created": 0, "merged": 1, "merged_into": 1, "linked": 2, "not_linked": 2,
          "replaced": 3, "consent": 4, "seen": 5}


class Step(BaseModel, defer_build=True):
    """One thing that happened to the profile, with the event that did it."""

    timestamp: str
    event_id: str
    event_type: str | None
    channel: str | None
    action: str  # created | merged | merged_into | linked | not_linked | replaced | consent | seen
    detail: str
    identifiers: list[str] = []
    rule: str | None = None
    ts: int = 0
    sentence: str = ""


class Timeline(BaseModel, defer_build=True):
    """The answer to ``how X``."""

    identifier: str
    profile_id: str | None
    profile: Profile | None
    blocked: bool
    steps: list[Step]
    name: str | None = None
    attributes: dict[str, str] = {}
    summary: str = ""
    known: bool = True  # False: the identifier is not in the store (no steps)

    def as_json(self) -> dict[str, object]:
        """JSON shape of ``how --json``."""
        return {
            "identifier": self.identifier, "profile_id": self.profile_id,
            "profile": self.profile.model_dump() if self.profile else None,
            "blocked": self.blocked,
            "steps": [s.model_dump(exclude={"ts"}) for s in self.steps],
            "name": self.name, "attributes": self.attributes, "summary": self.summary,
        }


def timeline(store: Store, key: str, ident: Identifier) -> Timeline:
    """Created by, merged with, identifiers linked or refused, replaced, consent changes;
    each step with its sentence, the whole with a summary and the person's name."""
    profile = store.profile(ident.profile_id) if ident.profile_id else None
    keys = profile_keys(profile) if profile else [key]
    owner = {k: profile.profile_id for k in keys} if profile else {}
    pids = [profile.profile_id, *profile.merged_ids] if profile else []
    log = store.log(pids) if pids else []
    keys += [e.identifier for e in log if e.action == "replaced" and e.identifier]
    keys = sorted(set(keys))
    events = {e.event_id: e for e in store.events_for(keys)}
    edges = store.edges_touching(keys)
    attributes = attributes_by_owner(events.values(), owner).get(
        profile.profile_id, {}) if profile else {}
    name = display_name(attributes)
    facts = gather(store, edges, keys=[key], profile_ids=pids[:1],
                   names={pids[0]: name} if pids and name else {},
                   profiles={profile.profile_id: profile} if profile else {},
                   known_identifiers={key: ident})
    steps: list[Step] = []

    def step(ev: EventRecord | None, event_id: str, ts: int, timestamp: str, **kw: object) -> None:
        steps.append(Step(timestamp=timestamp, event_id=event_id, ts=ts,
                          event_type=ev.type if ev else None, channel=ev.channel if ev else None,
                          **kw))  # type: ignore[arg-type]

    if profile is not None and profile.created_by:
        ev = events.get(profile.created_by)
        made = LogEntry(profile_id=profile.profile_id, event_id=profile.created_by,
                        timestamp=ev.timestamp if ev else "", ts=ev.ts if ev else 0,
                        action="created", identifier=profile.created_for)
        step(ev, made.event_id, made.ts, made.timestamp, action="created",
             identifiers=[profile.created_for or ""],
             detail=f"profile {profile.profile_id} created for "
                    f"{profile.created_for or 'its first identifier'}",
             sentence=log_sentence(made, ev.type if ev else None, facts))
    for entry in log:
        if entry.action == "merged_into" and entry.other in pids:
            continue  # the same merge is told from the surviving profile's side
        ev = events.get(entry.event_id)
        detail = {
            "created": f"profile {entry.profile_id} created for {entry.identifier}",
            "merged": f"profile {entry.other} merged into {entry.profile_id} "
                      f"via {entry.identifier}",
            "merged_into": f"profile {entry.profile_id} merged into {entry.other}",
            "replaced": f"{entry.identifier} replaced by {entry.other} on {entry.profile_id}",
        }[entry.action]
        step(ev, entry.event_id, entry.ts, entry.timestamp, action=entry.action, detail=detail,
             identifiers=[x for x in (entry.identifier, entry.other) if x and ":" in x],
             sentence=log_sentence(entry, ev.type if ev else None, facts))
    touched: set[str] = set()
    for edge in edges:
        touched.add(edge.event_id)
        steps.append(edge_step(edge, events.get(edge.event_id), facts))
    key_set = set(keys)
    for ev in events.values():
        changes = [(f"email:{ev.email}", "email", ev.email_consent),
                   (f"phone:{ev.phone}", "sms", ev.sms_consent)]
        consent = [(k, ch, c) for k, ch, c in changes if c is not None and k in key_set]
        for k, ch, c in consent:
            step(ev, ev.event_id, ev.ts, ev.timestamp, action="consent", identifiers=[k],
                 detail=f"{ch} consent {c} for {k}",
                 sentence=consent_sentence(ev.type, ev.event_id, ev.ts, ch, c, k))
        if ev.event_id not in touched and not consent and ev.event_id != (
                profile.created_by if profile else None):
            carried = set(ev.identifier_keys())
            step(ev, ev.event_id, ev.ts, ev.timestamp, action="seen",
                 identifiers=sorted(carried & key_set),
                 detail="event carried this profile's identifiers; no identity change",
                 sentence=seen_sentence(ev.type, ev.event_id, ev.ts))
    steps.sort(key=lambda s: (s.ts, s.event_id, _ORDER[s.action], s.detail))
    t = Timeline(identifier=key, profile_id=ident.profile_id, profile=profile,
                 blocked=ident.blocked, steps=steps, name=name, attributes=attributes)
    return t.model_copy(update={"summary": timeline_summary(t, facts)})


def edge_step(edge: Edge, ev: EventRecord | None, facts: Facts) -> Step:
    """The step of one evidence edge: linked (a superseded link did merge on its day; it
    was undone later) or not, with its rule and sentence."""
    linked = edge.merges or edge.rule == "superseded"
    detail = f"{edge.from_} - {edge.to}: {edge.rule}"
    if edge.rule == "superseded":
        detail += " (merged then, replaced later)"
    return Step(timestamp=edge.timestamp, event_id=edge.event_id, ts=edge.ts,
                event_type=ev.type if ev else None, channel=ev.channel if ev else None,
                action="linked" if linked else "not_linked", rule=edge.rule,
                identifiers=[edge.from_, edge.to], detail=detail,
                sentence=edge_sentence(edge, facts))


def event_timeline(store: Store, label: str, ev: EventRecord, edges: list[Edge],
                   summary: str) -> Timeline:
    """``how event:ID``: one step per edge the event made, with its decision; the profile
    is the one its strongest identifier is on now."""
    facts = gather(store, edges, keys=ev.identifier_keys())
    steps = [edge_step(e, ev, facts) for e in edges]
    holder = next((i for k in ev.identifier_keys() if (i := store.identifier(k)) is not None), None)
    pid = holder.profile_id if holder else None
    return Timeline(identifier=label, profile_id=pid,
                    profile=store.profile(pid) if pid else None, blocked=False, steps=steps,
                    summary=summary)
