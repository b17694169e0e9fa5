"""Gather from a store what the sentences of :mod:`identigraph.graph.sentences` mention.

Only what the edges at hand need: the ends of ``limit`` and ``blocked_value`` edges and
their profiles, the replacements behind ``superseded`` edges, and the people's names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from identigraph.graph.names import profile_names
from identigraph.graph.records import Edge, Identifier, LogEntry, Profile
from identigraph.graph.sentences import Facts
from identigraph.graph.store import Store

#: Edges whose sentence names the profiles at their ends.
_NEEDS_ENDS = frozenset({"limit", "blocked_value", "superseded"})


def gather(store: Store, edges: Sequence[Edge] = (), *, keys: Iterable[str] = (),
           profile_ids: Iterable[str] = (), names: Mapping[str, str] | None = None,
           profiles: Mapping[str, Profile] | None = None,
           known_identifiers: Mapping[str, Identifier] | None = None) -> Facts:
    """Facts for these edges, identifiers and profiles (one lookup each, no scans; the
    ``profiles`` and ``known_identifiers`` the caller read already are not read again:
    on a server each lookup is a round trip)."""
    wanted = set(keys) | {k for e in edges if e.rule in _NEEDS_ENDS for k in (e.from_, e.to)}
    identifiers = {k: i for k, i in (known_identifiers or {}).items() if k in wanted}
    for key in sorted(wanted - set(identifiers)):
        found = store.identifier(key)
        if found is not None:
            identifiers[key] = found
    pids = set(profile_ids) | {i.profile_id for i in identifiers.values() if i.profile_id}
    known = dict(profiles or {})
    for pid in sorted(pids - set(known)):
        p = store.profile(pid)
        if p is not None:
            known[pid] = p
    replacements: list[LogEntry] = []
    if any(e.rule == "superseded" for e in edges) or any(
            i.profile_id is None for i in identifiers.values()):
        log_ids = sorted({x for p in known.values() for x in (p.profile_id, *p.merged_ids)}
                         | _neighbour_profiles(store, identifiers))
        replacements = [r for r in store.log(log_ids) if r.action == "replaced"]
    if names is None:
        names = profile_names(store, known.values())
    return Facts(ruleset=store.stored_ruleset(), identifiers=identifiers, profiles=known,
                 replacements=replacements, names=names)


def _neighbour_profiles(store: Store, identifiers: dict[str, Identifier]) -> set[str]:
    """Profiles of the identifiers linked to one that is on no profile (a replaced phone's
    replacement is logged on the profile that replaced it)."""
    lost = [k for k, i in identifiers.items() if i.profile_id is None and not i.blocked]
    if not lost:
        return set()
    out: set[str] = set()
    for edge in store.edges_touching(lost):
        if edge.rule != "superseded":
            continue
        for key in (edge.from_, edge.to):
            if key not in lost:
                found = store.identifier(key)
                if found is not None and found.profile_id:
                    p = store.profile(found.profile_id)
                    if p is not None:
                        out.update((p.profile_id, *p.merged_ids))
    return out
