"""The identity cluster around an identifier, as the plain data ``viz`` draws."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from identigraph.errors import NotFoundError
from identigraph.graph.describe import describe
from identigraph.graph.explain import explain
from identigraph.graph.facts import gather
from identigraph.graph.names import attributes_by_owner, display_name, profile_keys
from identigraph.graph.records import Edge
from identigraph.graph.sentences import day, edge_sentence, event_word
from identigraph.graph.store import Store
from identigraph.model import KINDS

#: Expansion stops once the view holds this many identifiers.
MAX_NODES = 300


class ClusterView(BaseModel, defer_build=True):
    """The cluster ``viz`` draws, typed: ``nodes`` (identifiers and profiles) and ``edges``
    (membership and evidence) as the renderers take them (docs/viz.md), the ``highlight``ed
    path, the ``summary`` (the caption), and ``left_out`` / ``note`` when the view was cut."""

    model_config = ConfigDict(frozen=True)

    center: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    highlight: dict[str, Any]
    summary: str
    left_out: dict[str, int] | None = None
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        """``viz -o x.json``'s shape, which every renderer takes."""
        return self.model_dump(exclude_none=True)


def _label(kind: str, value: str) -> str:
    """What a node shows: the value, prefixed by its namespace for vendor kinds."""
    return value if kind in KINDS else f"{kind}: {value}"


def edge_label(edge: Edge) -> str:
    """``form submit 9 Mar 2025``: the event type and date a drawing writes on an edge."""
    return f"{event_word(edge.event_type)} {day(edge.ts)}"


def build_cluster(store: Store, key: str, *, other: str | None = None,
                  depth: int = 1, event_id: str | None = None) -> dict[str, Any]:
    """The profile holding ``key``, ``depth`` hops of evidence around it, and the explain
    path to ``other`` (or the edges of the event ``event_id``) highlighted; with a summary
    sentence (the caption) and each edge's."""
    ident = store.identifier(key)
    if ident is None:
        raise NotFoundError(f"{key} is not in the store")
    profile = store.profile(ident.profile_id) if ident.profile_id else None
    nodes: set[str] = set(profile_keys(profile) if profile else [])
    nodes.add(key)
    frontier = sorted(nodes)
    left_out = 0
    for _ in range(max(depth, 0)):
        if not frontier or len(nodes) >= MAX_NODES:
            break
        found = {k for e in store.edges_touching(frontier) for k in (e.from_, e.to)} - nodes
        frontier = sorted(found)[: MAX_NODES - len(nodes)]
        left_out += len(found) - len(frontier)
        nodes.update(frontier)
    highlight: dict[str, Any] = {"a": key, "b": other, "edges": [], "same_profile": None}
    path: list[Edge] = []
    if other is not None:
        x = explain(store, key, other)
        highlight["same_profile"] = x.same_profile
        path = x.path
        summary = x.summary
        nodes.update(k for e in path for k in (e.from_, e.to))
        if store.identifier(other) is not None:
            nodes.add(other)
    else:
        summary = describe(store, ident, profile).summary
    if event_id is not None:
        ev = store.event(event_id)
        carried = [k for k in (ev.identifier_keys() if ev else [])
                   if store.identifier(k) is not None]
        nodes.update(carried)
        path = [e for e in store.edges_touching(carried) if e.event_id == event_id]
        highlight["event_id"] = event_id
    edges = [e for e in store.edges_touching(sorted(nodes)) if e.from_ in nodes and e.to in nodes]
    on_path = {(e.event_id, frozenset((e.from_, e.to))) for e in path}
    records = {k: store.identifier(k) for k in sorted(nodes)}
    pids = sorted({r.profile_id for r in records.values() if r and r.profile_id})
    attributes = attributes_by_owner(store.events_for(sorted(nodes)), {k: k for k in nodes})
    facts = gather(store, edges, names={})
    out_nodes: list[dict[str, Any]] = []
    out_edges: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    for k, rec in records.items():
        kind, _, value = k.partition(":")
        pid = rec.profile_id if rec else None
        node: dict[str, Any] = {"id": k, "kind": kind, "value": value,
                                "label": _label(kind, value),
                                "profile_id": pid, "blocked": bool(rec and rec.blocked)}
        if attributes.get(k):
            node["attributes"] = attributes[k]
            name = display_name(attributes[k])
            if name and pid:
                names.setdefault(pid, name)
        out_nodes.append(node)
        if pid:
            out_edges.append({"from": k, "to": pid, "kind": "member", "event_id": None,
                              "event_type": None, "channel": None, "timestamp": None,
                              "rule": "member", "merges": True})
    for pid in pids:
        name = names.get(pid)
        out_nodes.append({"id": pid, "kind": "profile", "value": pid,
                          "label": f"{pid}\n{name}" if name else pid, "profile_id": pid,
                          **({"name": name} if name else {})})
    for e in edges:
        if (e.event_id, frozenset((e.from_, e.to))) in on_path:
            highlight["edges"].append(len(out_edges))
        out_edges.append({**e.as_json(), "kind": "event", "label": edge_label(e),
                          "sentence": edge_sentence(e, facts)})
    cluster: dict[str, Any] = {"center": key, "nodes": out_nodes, "edges": out_edges,
                               "highlight": highlight, "summary": summary}
    if left_out:
        cluster["left_out"] = {"identifiers": left_out}
        cluster["note"] = (f"{left_out:,} more identifiers tied to the last ring drawn are not "
                           f"in this view (at most {MAX_NODES:,} identifiers are collected).")
    return cluster
