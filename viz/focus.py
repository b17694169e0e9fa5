"""Big clusters cut down to the neighbourhood that matters before they are drawn.

Past :data:`MAX_DRAWN` identifiers a drawing is a hairball (and a layout of 500 nodes
needs scipy). The view keeps the centre's profile, the highlighted path and the nearest
identifiers; an identifier tied to many others (a hub) stays but its neighbours that do
not fit become one node with a count; the cluster says what was left out.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .common import Cluster

#: Identifiers drawn at most (profiles and collapsed nodes come on top): a static picture,
#: and an interactive page (which zooms).
MAX_DRAWN = 60
MAX_DRAWN_HTML = 150
#: An identifier with this many evidence neighbours or more is a hub.
HUB_DEGREE = 8
#: Neighbours of a hub drawn as themselves; the others become one node with a count.
HUB_SAMPLE = 6


def _identifier_ids(cluster: Cluster) -> list[str]:
    return [str(n["id"]) for n in cluster.get("nodes") or []
            if n.get("kind") not in ("profile", "collapsed")]


def _must_keep(cluster: Cluster, nodes: dict[str, dict[str, Any]]) -> set[str]:
    """The centre, its profile's identifiers and the highlighted path."""
    center = str(cluster.get("center"))
    keep = {center}
    pid = nodes.get(center, {}).get("profile_id")
    keep.update(k for k, n in nodes.items() if pid and n.get("profile_id") == pid
                and n.get("kind") != "profile")
    highlight = cluster.get("highlight") or {}
    edges = cluster.get("edges") or []
    for i in highlight.get("edges") or []:
        keep.update((str(edges[i]["from"]), str(edges[i]["to"])))
    keep.update(str(x) for x in (highlight.get("a"), highlight.get("b")) if x in nodes)
    return keep


def focus(cluster: Cluster, max_drawn: int = MAX_DRAWN) -> Cluster:
    """The cluster itself when small; else the neighbourhood that matters, with
    ``left_out`` (counts) and ``note`` (a sentence) saying what is not drawn."""
    idents = _identifier_ids(cluster)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for e in cluster.get("edges") or []:
        if e.get("kind") == "event":
            neighbours[str(e["from"])].add(str(e["to"]))
            neighbours[str(e["to"])].add(str(e["from"]))
    hubs = {k for k in idents if len(neighbours[k]) >= HUB_DEGREE}
    if len(idents) <= max_drawn:
        return cluster
    nodes = {str(n["id"]): n for n in cluster.get("nodes") or []}
    keep = _must_keep(cluster, nodes)
    frontier = sorted(keep)
    while frontier and len(keep) < max_drawn:
        ring: set[str] = set()
        for k in frontier:  # a hub shows a few neighbours; the rest collapse into a count
            near = sorted(neighbours[k] - keep)
            ring.update(near[:HUB_SAMPLE] if k in hubs else near)
        ordered = sorted(ring, key=lambda k: (k not in hubs, k))  # hubs explain the most
        room = max_drawn - len(keep)
        keep.update(ordered[:room])
        frontier = ordered[:room]
    dropped = [k for k in idents if k not in keep]
    groups: dict[str, list[str]] = defaultdict(list)
    for k in dropped:
        anchors = sorted(neighbours[k] & keep, key=lambda a: (a not in hubs, a))
        groups[anchors[0] if anchors else ""].append(k)
    return _assemble(cluster, nodes, keep, groups, len(idents))



def _assemble(cluster: Cluster, nodes: dict[str, dict[str, Any]], keep: set[str],
              groups: dict[str, list[str]], total: int) -> Cluster:
    """The cut-down cluster: kept nodes and edges, one collapsed node per anchor."""
    edges = cluster.get("edges") or []
    profiles = {str(e["to"]) for e in edges
                if e.get("kind") == "member" and str(e["from"]) in keep and str(e["to"]) in nodes}
    drawn = keep | profiles
    out_nodes = [n for k, n in nodes.items() if k in drawn]
    out_edges: list[dict[str, Any]] = []
    old_index: dict[int, int] = {}
    for i, e in enumerate(edges):
        if str(e["from"]) in drawn and str(e["to"]) in drawn:
            old_index[i] = len(out_edges)
            out_edges.append(e)
    all_profiles = {str(n["id"]) for n in nodes.values() if n.get("kind") == "profile"}
    left_edges = sum(1 for e in edges if e.get("kind") == "event") - sum(
        1 for e in out_edges if e.get("kind") == "event")
    for anchor, members in sorted(groups.items()):
        if not anchor:
            continue
        member_profiles = {nodes[m].get("profile_id") for m in members} - {None}
        gid = f"collapsed:{anchor}"
        out_nodes.append({
            "id": gid, "kind": "collapsed", "value": str(len(members)),
            "label": f"+{len(members):,} identifiers",
            "profile_id": None, "count": len(members), "profiles": len(member_profiles)})
        out_edges.append({
            "from": anchor, "to": gid, "kind": "collapsed", "event_id": None,
            "event_type": None, "channel": None, "timestamp": None, "rule": "collapsed",
            "merges": False, "count": len(members)})
    before = cluster.get("left_out") or {}
    total += int(before.get("identifiers", 0))
    left = total - len(keep)
    hub_names = [a for a in sorted(groups) if a]
    note = (f"Drawn: {len(keep):,} of {total:,} identifiers and "
            f"{len(profiles):,} of {len(all_profiles):,} profiles; {left:,} identifiers "
            f"and {left_edges:,} evidence edges between them are left out")
    if hub_names:
        shown = ", ".join(nodes[a].get("label") or a for a in hub_names[:3])
        note += f", shown as one node with a count beside {shown}"
        if len(hub_names) > 3:
            note += f" and {len(hub_names) - 3:,} more"
    highlight = dict(cluster.get("highlight") or {})
    if highlight:
        highlight["edges"] = [old_index[i] for i in highlight.get("edges") or []
                              if i in old_index]
    return {**cluster, "nodes": out_nodes, "edges": out_edges, "highlight": highlight,
            "left_out": {"identifiers": left, "profiles": len(all_profiles) - len(profiles),
                         "edges": left_edges + int(before.get("edges", 0))},
            "note": note + "."}
