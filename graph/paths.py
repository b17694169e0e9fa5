"""Shortest evidence paths between two identifiers, and the one canonical path to show.

Both backends answer ``explain`` with :func:`search_paths` over their indexed
``edges_touching``: a breadth-first search from both ends at once (the smaller frontier
grows, one edge query per level), which never expands an identifier that many strangers
share (a hub) and stops after MAX_VISITED identifiers, saying so; :func:`canonical_path`
then picks the one path to show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from identigraph.graph.records import Edge

#: At most this many shortest paths are enumerated before one is picked.
MAX_PATHS = 1000
#: Longest path, in hops, that ``explain`` looks for.
MAX_HOPS = 12
#: An identifier linked by non-merging edges to more identifiers than this is a hub (a
#: shop's front-desk phone, a shared test address): a search does not go on through it.
HUB_NEIGHBOURS = 100
#: A search stops (and says so) once it has reached this many identifiers.
MAX_VISITED = 20_000

Neighbours = Callable[[Sequence[str]], list[Edge]]


@dataclass(frozen=True, slots=True)
class PathSearch:
    """All shortest paths found, and whether the search was bounded (it skipped hubs or
    stopped at MAX_VISITED): then a shorter path, or one at all, may exist."""

    paths: list[list[Edge]]
    bounded: bool = False
    hubs: list[str] = field(default_factory=list)


def _other(edge: Edge, node: str) -> str:
    return edge.to if edge.from_ == node else edge.from_


@dataclass
class _Side:
    """One end's breadth-first search: every reached node with the edges it was reached by."""

    root: str
    preds: dict[str, list[Edge]] = field(default_factory=dict)
    frontier: list[str] = field(default_factory=list)
    depth: dict[str, int] = field(default_factory=dict)
    skipped: bool = False  # a hub's neighbours were left out: running dry proves nothing

    def __post_init__(self) -> None:
        self.preds[self.root] = []
        self.frontier = [self.root]
        self.depth[self.root] = 0

    def paths_to(self, node: str, limit: int) -> list[list[Edge]]:
        """Every shortest path root -> node (at most ``limit``), oriented from the root."""
        out: list[list[Edge]] = []

        def walk(at: str, tail: list[Edge]) -> None:
            if len(out) >= limit:
                return
            if at == self.root:
                out.append(list(reversed(tail)))
                return
            for edge in self.preds[at]:
                walk(_other(edge, at), [*tail, edge])

        walk(node, [])
        return out


def _hubs(edges: list[Edge], frontier: set[str]) -> set[str]:
    """Frontier nodes with more than HUB_NEIGHBOURS distinct non-merging neighbours."""
    seen: dict[str, set[str]] = {}
    for edge in edges:
        if edge.merges:
            continue
        for node in (edge.from_, edge.to):
            if node in frontier:
                seen.setdefault(node, set()).add(_other(edge, node))
    return {n for n, others in seen.items() if len(others) > HUB_NEIGHBOURS}


def _grow(side: _Side, other: _Side, neighbours: Neighbours, merging_only: bool,
          hubs: list[str]) -> dict[str, list[Edge]]:
    """The side's next level: new nodes with the edges from the frontier that reach them.
    A hub's non-merging edges only reach nodes the other side has reached already."""
    frontier = set(side.frontier)
    edges = [e for e in neighbours(side.frontier) if e.merges or not merging_only]
    big = _hubs(edges, frontier) if not merging_only else set()
    hubs.extend(sorted(big - set(hubs)))
    level: dict[str, list[Edge]] = {}
    for edge in edges:
        for node in (edge.from_, edge.to):
            nxt = _other(edge, node)
            if node not in frontier or nxt in side.preds:
                continue
            if node in big and not edge.merges and nxt not in other.preds:
                side.skipped = True
                continue
            level.setdefault(nxt, []).append(edge)
    return level


def search_paths(neighbours: Neighbours, a: str, b: str, merging_only: bool,
                 max_hops: int = MAX_HOPS) -> PathSearch:
    """All shortest a-b paths (at most ``max_hops`` hops, MAX_PATHS paths), searched from both
    ends with one ``neighbours`` call per level, the smaller frontier first."""
    if a == b:
        return PathSearch([])
    sides = _Side(a), _Side(b)
    hubs: list[str] = []
    hops = 0
    while hops < max_hops:
        live = [s for s in sides if s.frontier]
        if not live:
            break
        # the smaller frontier; on a tie the shallower side (a hub may be all it holds)
        grow = min(live, key=lambda s: (len(s.frontier), s.depth[s.frontier[0]]))
        other = sides[1] if grow is sides[0] else sides[0]
        level = _grow(grow, other, neighbours, merging_only, hubs)
        depth = grow.depth[grow.frontier[0]] + 1
        grow.frontier = sorted(level)
        if not level:
            if not grow.skipped:  # its whole component is reached, and not the other end
                return PathSearch([], False, hubs)
            continue  # it stopped at a hub: the other side may still reach it
        hops += 1
        grow.preds.update(level)
        grow.depth.update(dict.fromkeys(level, depth))
        meet = [n for n in level if n in other.preds]
        if meet:
            return PathSearch(_joined(sides, meet), bool(hubs), hubs)
        if sum(len(s.preds) for s in sides) > MAX_VISITED:
            return PathSearch([], True, hubs)
    return PathSearch([], bool(hubs), hubs)


def _joined(sides: tuple[_Side, _Side], meet: list[str]) -> list[list[Edge]]:
    """The a-b paths through the meeting nodes that make the fewest hops, a's half first."""
    sa, sb = sides
    hops = {n: sa.depth[n] + sb.depth[n] for n in meet}
    shortest = min(hops.values())
    paths: list[list[Edge]] = []
    for node in sorted(n for n in meet if hops[n] == shortest):
        tails = [list(reversed(t)) for t in sb.paths_to(node, MAX_PATHS)]
        for head in sa.paths_to(node, MAX_PATHS):
            for tail in tails:
                if len(paths) >= MAX_PATHS:
                    return paths
                paths.append(head + tail)
    return paths


def _best_edge(edges: list[Edge]) -> Edge:
    """Among parallel edges of one hop: a merging one first, then the earliest."""
    return min(edges, key=lambda e: (not e.merges, e.ts, e.event_id))


def canonical_path(paths: list[list[Edge]], a: str) -> list[Edge]:
    """The path to show: the smallest sequence of node keys, best edge per hop, oriented a->b."""
    if not paths:
        return []
    by_nodes: dict[tuple[str, ...], list[list[Edge]]] = {}
    for path in paths:
        nodes = [a]
        for edge in path:
            nodes.append(_other(edge, nodes[-1]))
        hops = by_nodes.setdefault(tuple(nodes), [[] for _ in path])
        for hop, edge in zip(hops, path, strict=True):
            if edge not in hop:
                hop.append(edge)
    best = min(by_nodes)
    out = []
    for i, hop in enumerate(by_nodes[best]):
        edge = _best_edge(hop)
        if edge.from_ != best[i]:
            edge = edge.model_copy(update={"from_": edge.to, "to": edge.from_})
        out.append(edge)
    return out
