"""The identity cluster around an identifier, as the plain data ``viz`` draws."""

from __future__ import annotations

import json
from typing import Any

from identigraph.errors import NotFoundError
from identigraph.graph.explain import explain
from identigraph.graph.names import profile_keys
from identigraph.graph.records import Edge
from identigraph.graph.store import Store

#: Expansion stops once the view holds this many identifiers.
MAX_NODES = 300


def _keys_of_profile(store: Store, profile_id: str) -> list[str]:
    p = store.profile(profile_id)
    return [] if p is None else profile_keys(p)


def _attributes(store: Store, keys: list[str]) -> dict[str, dict[str, str]]:
    """Event attributes (names, order totals) per identifier; the latest value wins."""
    out: dict[str, dict[str, str]] = {}
    wanted = set(keys)
    for ev in store.events_for(keys):  # oldest first
        if not ev.attributes:
            continue
        try:
            data = json.loads(ev.attributes)
        except ValueError:
            continue
        carried = {f"email:{ev.email}", f"phone:{ev.phone}", f"external_id:{ev.external_id}"}
        for key in carried & wanted:
            out.setdefault(key, {}).update({str(k): str(v) for k, v in data.items()})
    return out


def build_cluster(store: Store, key: str, *, other: str | None = None,
                  depth: int = 1) -> dict[str, Any]:
    """The profile holding ``key``, ``depth`` hops of evidence around it, and the explain
    path to ``other`` highlighted."""
    ident = store.identifier(key)
    if ident is None:
        raise NotFoundError(f"{key} is not in the store")
    nodes: set[str] = set(_keys_of_profile(store, ident.profile_id) if ident.profile_id else [])
    nodes.add(key)
    frontier = sorted(nodes)
    for _ in range(max(depth, 0)):
        if not frontier or len(nodes) >= MAX_NODES:
            break
        found = {k for e in store.edges_touching(frontier) for k in (e.from_, e.to)} - nodes
        frontier = sorted(found)[: MAX_NODES - len(nodes)]
        nodes.update(frontier)
    highlight: dict[str, Any] = {"a": key, "b": other, "edges": [], "same_profile": None}
    path: list[Edge] = []
    if other is not None:
        x = explain(store, key, other)
        highlight["same_profile"] = x.same_profile
        path = x.path
        nodes.update(k for e in path for k in (e.from_, e.to))
        if store.identifier(other) is not None:
            nodes.add(other)
    edges = [e for e in store.edges_touching(sorted(nodes)) if e.from_ in nodes and e.to in nodes]
    on_path = {(e.event_id, frozenset((e.from_, e.to))) for e in path}
    attributes = _attributes(store, sorted(nodes))
    out_nodes: list[dict[str, Any]] = []
    out_edges: list[dict[str, Any]] = []
    profiles: set[str] = set()
    for k in sorted(nodes):
        rec = store.identifier(k)
        kind, _, value = k.partition(":")
        pid = rec.profile_id if rec else None
        node: dict[str, Any] = {"id": k, "kind": kind, "value": value, "label": value,
                                "profile_id": pid, "blocked": bool(rec and rec.blocked)}
        if attributes.get(k):
            node["attributes"] = attributes[k]
        out_nodes.append(node)
        if pid:
            profiles.add(pid)
            out_edges.append({"from": k, "to": pid, "kind": "member", "event_id": None,
                              "event_type": None, "channel": None, "timestamp": None,
                              "rule": "member", "merges": True})
    for pid in sorted(profiles):
        out_nodes.append({"id": pid, "kind": "profile", "value": pid, "label": pid,
                          "profile_id": pid})
    for e in edges:
        if (e.event_id, frozenset((e.from_, e.to))) in on_path:
            highlight["edges"].append(len(out_edges))
        out_edges.append({**e.as_json(), "kind": "event"})
    return {"center": key, "nodes": out_nodes, "edges": out_edges, "highlight": highlight}
