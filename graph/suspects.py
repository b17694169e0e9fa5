"""Profiles that look like one person but did not merge, and identifiers tied to many.

``identigraph suspects``: evidence edges that the rules kept from merging (``attach_only``,
``never_merges``, ``limit``) between two profiles, grouped by pair of profiles and ranked by
the evidence; identifiers tied that way to many profiles are hubs (a shop's front-desk
phone, a test address), reported apart with the suggestion to block them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel

from identigraph.graph.facts import gather
from identigraph.graph.names import profile_names
from identigraph.graph.records import CrossEdge, Edge, Profile
from identigraph.graph.sentences import edge_sentence, hub_summary, pair_summary
from identigraph.graph.store import Store
from identigraph.graph.timefmt import iso

#: The non-merging rules whose edges tie two profiles (superseded and blocked values are
#: decisions about one identifier, not about two people).
SUSPECT_RULES = ("attach_only", "never_merges", "limit")
#: An identifier tied to this many profiles or more is a hub.
HUB_PROFILES = 5
#: Pairs ranked by events alone before names are looked up, per pair asked for.
_CANDIDATES_PER_PAIR = 5
#: What a shared name adds to a pair's score (as many as this many events).
SAME_NAME_WEIGHT = 2


class Pair(BaseModel, defer_build=True):
    """Two profiles that evidence ties together but the rules kept apart."""

    profiles: tuple[str, str]
    names: tuple[str | None, str | None]
    identifiers: tuple[list[str], list[str]]
    events: int
    latest_ts: int
    rules: list[str]
    same_name: bool
    score: int
    evidence: list[Edge]
    summary: str = ""
    sentences: list[str] = []

    def as_json(self) -> dict[str, object]:
        """JSON shape of one pair in ``suspects --json``."""
        return {
            "profiles": list(self.profiles), "names": list(self.names),
            "identifiers": [list(k) for k in self.identifiers], "events": self.events,
            "latest": iso(self.latest_ts), "rules": self.rules, "same_name": self.same_name,
            "score": self.score, "summary": self.summary,
            "evidence": [{**e.as_json(), "sentence": s}
                         for e, s in zip(self.evidence, self.sentences, strict=True)],
        }


class Hub(BaseModel, defer_build=True):
    """One identifier that evidence ties to many profiles."""

    identifier: str
    profile_id: str | None
    profiles: int
    events: int
    event_types: list[str]
    rules: list[str]
    summary: str = ""
    suggestion: str = ""

    def as_json(self) -> dict[str, object]:
        """JSON shape of one hub in ``suspects --json``."""
        return self.model_dump()


class Suspects(BaseModel, defer_build=True):
    """The answer to ``suspects``."""

    pairs: list[Pair]
    hubs: list[Hub]
    pairs_total: int
    hubs_total: int

    def as_json(self) -> dict[str, object]:
        """JSON shape of ``suspects --json``."""
        return {"pairs": [p.as_json() for p in self.pairs],
                "hubs": [h.as_json() for h in self.hubs],
                "pairs_total": self.pairs_total, "hubs_total": self.hubs_total}


def _hubs(cross: Sequence[CrossEdge], min_profiles: int) -> dict[str, Hub]:
    """Identifiers whose non-merging evidence reaches ``min_profiles`` profiles or more."""
    reach: dict[str, set[str]] = defaultdict(set)
    own: dict[str, str] = {}
    edges: dict[str, list[Edge]] = defaultdict(list)
    for c in cross:
        for key, mine, theirs in ((c.edge.from_, c.from_profile, c.to_profile),
                                  (c.edge.to, c.to_profile, c.from_profile)):
            own[key] = mine
            reach[key].update((mine, theirs))
            edges[key].append(c.edge)
    out: dict[str, Hub] = {}
    for key, profiles in reach.items():
        if len(profiles) >= min_profiles:
            found = edges[key]
            out[key] = Hub(identifier=key, profile_id=own[key], profiles=len(profiles),
                           events=len({e.event_id for e in found}),
                           event_types=sorted({e.event_type for e in found}),
                           rules=sorted({e.rule for e in found}))
    return out


def _pairs(cross: Sequence[CrossEdge], hubs: dict[str, Hub]) -> list[Pair]:
    """Non-merging evidence grouped by pair of profiles (hub edges left to the hubs)."""
    grouped: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for c in cross:
        if c.edge.from_ in hubs or c.edge.to in hubs:
            continue
        a, b = sorted((c.from_profile, c.to_profile))
        edge = c.edge if c.from_profile == a else c.edge.model_copy(
            update={"from_": c.edge.to, "to": c.edge.from_})
        grouped[(a, b)].append(edge)
    out = []
    for (a, b), found in grouped.items():
        found.sort(key=lambda e: (e.ts, e.event_id, e.from_, e.to))
        events = len({e.event_id for e in found})
        out.append(Pair(profiles=(a, b), names=(None, None),
                        identifiers=(sorted({e.from_ for e in found}),
                                     sorted({e.to for e in found})),
                        events=events, latest_ts=max(e.ts for e in found),
                        rules=sorted({e.rule for e in found}), same_name=False, score=events,
                        evidence=found))
    return out


def _rank(pair: Pair) -> tuple[int, int, str, str]:
    return (-pair.score, -pair.latest_ts, *pair.profiles)


def suspects(store: Store, limit: int = 20, hub_profiles: int = HUB_PROFILES) -> Suspects:
    """The ``limit`` strongest pairs and every hub, each with its summary."""
    cross = store.cross_profile_edges(SUSPECT_RULES)
    hubs = _hubs(cross, hub_profiles)
    pairs = sorted(_pairs(cross, hubs), key=_rank)
    candidates = pairs[: max(limit * _CANDIDATES_PER_PAIR, 50)]
    profiles: dict[str, Profile] = {}
    for pid in sorted({p for pair in candidates for p in pair.profiles}):
        found = store.profile(pid)
        if found is not None:
            profiles[pid] = found
    names = profile_names(store, profiles.values())
    ranked = []
    for pair in candidates:
        a, b = (names.get(p) for p in pair.profiles)
        same = bool(a and b and a.casefold() == b.casefold())
        ranked.append(pair.model_copy(update={
            "names": (a, b), "same_name": same,
            "score": pair.events + (SAME_NAME_WEIGHT if same else 0)}))
    ranked = sorted(ranked, key=_rank)[:limit]
    facts = gather(store, [e for p in ranked for e in p.evidence],
                   keys=sorted(hubs), names=names, profiles=profiles)
    worded = [p.model_copy(update={"summary": pair_summary(p, facts),
                                   "sentences": [edge_sentence(e, facts) for e in p.evidence]})
              for p in ranked]
    hub_list = sorted(hubs.values(), key=lambda h: (-h.profiles, -h.events, h.identifier))
    worded_hubs = [h.model_copy(update={"summary": hub_summary(h, facts),
                                        "suggestion": block_suggestion(h)}) for h in hub_list]
    return Suspects(pairs=worded, hubs=worded_hubs, pairs_total=len(pairs),
                    hubs_total=len(hubs))


def block_suggestion(hub: Hub) -> str:
    """The rule-set YAML that blocks a hub identifier."""
    kind, _, value = hub.identifier.partition(":")
    reason = json.dumps(f"tied to {hub.profiles:,} profiles")
    return f"blocked:\n  - {{kind: {kind}, value: {json.dumps(value)}, reason: {reason}}}"
