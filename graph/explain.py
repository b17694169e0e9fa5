"""Why two identifiers are (or are not) on the same profile (SPEC section 5)."""

from __future__ import annotations

from pydantic import BaseModel

from identigraph.graph.facts import gather
from identigraph.graph.paths import PathSearch, canonical_path, search_paths
from identigraph.graph.records import Edge, Identifier
from identigraph.graph.sentences import edge_sentence, explain_summary
from identigraph.graph.store import Store


class Explanation(BaseModel, defer_build=True):
    """The answer to ``explain A B``."""

    a: str
    b: str
    same_profile: bool
    reason: str  # same_profile | unknown_identifier | no_evidence | blocked
    path: list[Edge]
    blocked: list[Edge]
    a_profile: str | None = None
    b_profile: str | None = None
    unknown: list[str] = []
    summary: str = ""  # one or two sentences for a ticket
    sentences: list[str] = []  # one per edge of ``path``
    bounded: bool = False  # the search skipped hubs or stopped early: a path may exist
    hubs: list[str] = []  # identifiers shared so widely that the search did not go through

    def as_json(self) -> dict[str, object]:
        """SPEC section 6's shape (keys may be added, never renamed), each edge with its
        sentence."""
        said = {_edge_id(e): s for e, s in zip(self.path, self.sentences, strict=False)}

        def edge(e: Edge) -> dict[str, object]:
            return {**e.as_json(), "sentence": said.get(_edge_id(e), "")}

        return {
            "a": self.a, "b": self.b, "same_profile": self.same_profile,
            "reason": self.reason, "path": [edge(e) for e in self.path],
            "blocked": [edge(e) for e in self.blocked],
            "a_profile": self.a_profile, "b_profile": self.b_profile,
            "unknown": self.unknown, "summary": self.summary,
            "bounded": self.bounded, "hubs": self.hubs,
        }


def _edge_id(e: Edge) -> tuple[str, str, str, str]:
    return e.event_id, e.from_, e.to, e.rule


def explain(store: Store, a: str, b: str) -> Explanation:
    """Merging path when A and B share a profile; otherwise the reason and blocking edges;
    with a summary and a sentence per edge."""
    x, ends = _explain(store, a, b)
    facts = gather(store, x.path, keys=[k for k in (a, b) if k not in x.unknown],
                   profile_ids=[p for p in (x.a_profile, x.b_profile) if p],
                   known_identifiers=ends)
    return x.model_copy(update={"summary": explain_summary(x, facts),
                                "sentences": [edge_sentence(e, facts) for e in x.path]})


def _explain(store: Store, a: str, b: str) -> tuple[Explanation, dict[str, Identifier]]:
    """The explanation without its words, and the identifiers A and B found."""
    ia, ib = store.identifier(a), store.identifier(b)
    ends = {k: i for k, i in ((a, ia), (b, ib)) if i is not None}
    return _explained(store, a, b, ia, ib), ends


def _explained(store: Store, a: str, b: str, ia: Identifier | None,
               ib: Identifier | None) -> Explanation:
    if ia is None or ib is None:
        unknown = [k for k, i in ((a, ia), (b, ib)) if i is None]
        return Explanation(a=a, b=b, same_profile=False, reason="unknown_identifier", path=[],
                           blocked=[], unknown=unknown,
                           a_profile=ia.profile_id if ia else None,
                           b_profile=ib.profile_id if ib else None)
    pa, pb = ia.profile_id, ib.profile_id
    if pa is not None and pa == pb:
        # merging edges only; an identifier replaced on the way may leave only superseded ones
        found = _search(store, a, b, True)
        if not found.paths:
            found = _search(store, a, b, False)
        return Explanation(a=a, b=b, same_profile=True, reason="same_profile",
                           path=canonical_path(found.paths, a), blocked=[], a_profile=pa,
                           b_profile=pb, bounded=found.bounded, hubs=found.hubs)
    found = _search(store, a, b, False)
    path = canonical_path(found.paths, a)
    return Explanation(a=a, b=b, same_profile=False, reason="blocked" if path else "no_evidence",
                       path=path, blocked=[e for e in path if not e.merges], a_profile=pa,
                       b_profile=pb, bounded=found.bounded, hubs=found.hubs)


def _search(store: Store, a: str, b: str, merging_only: bool) -> PathSearch:
    """The shortest paths, by the store's indexed edge lookup (the same search on every
    backend: one query per breadth-first level)."""
    return search_paths(store.edges_touching, a, b, merging_only)
