"""The answers of the query commands, one function each: the command line prints them (as
text or ``--json``) and ``identigraph serve`` returns the same JSON.

Imports stay light (no loaders, no replay): these run on every query's start-up path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict

from identigraph.errors import NotFoundError, UsageError
from identigraph.graph.explain import Explanation
from identigraph.graph.explain import explain as explain_pair
from identigraph.graph.query import ProfileQuery
from identigraph.graph.records import Profile
from identigraph.graph.store import Store
from identigraph.graph.timeline import Timeline, timeline


def profile_json(p: Profile) -> dict[str, Any]:
    """One profile as ``profiles --json`` prints it."""
    return p.as_json()


class Shown(BaseModel):
    """The answer to ``show X``: the identifier, where it stands and its profile."""

    model_config = ConfigDict(frozen=True)

    identifier: str  # kind:value, normalised
    known: bool  # False: not in the store
    blocked: bool = False
    consent: str | None = None
    profile: Profile | None = None
    name: str | None = None
    attributes: dict[str, str] = {}
    summary: str = ""

    def as_json(self) -> dict[str, Any]:
        """``show --json``'s shape."""
        return {"identifier": self.identifier, "blocked": self.blocked, "consent": self.consent,
                "profile": self.profile.as_json() if self.profile else None, "name": self.name,
                "attributes": self.attributes, "summary": self.summary}


def named_profiles(store: Store, query: ProfileQuery) -> Iterator[dict[str, Any]]:
    """``profiles`` with each person's name (from the events' attributes), still streamed:
    names are looked up a batch of profiles at a time."""
    from identigraph.graph.names import with_names

    for p, name in with_names(store, store.profiles_where(query)):
        yield {**profile_json(p), "name": name}


def profiles(store: Store, query: ProfileQuery) -> Iterator[dict[str, Any]]:
    """``profiles``: the query's profiles one at a time, as the store streams them."""
    for p in store.profiles_where(query):
        yield profile_json(p)


def shown(store: Store, key: str) -> Shown:
    """``show KEY``: the identifier, whether it is blocked, its consent, its profile, the
    person's name and attributes, and a summary in words (``known=False``: not in the store)."""
    from identigraph.graph.describe import describe

    ident = store.identifier(key)
    if ident is None:
        return Shown(identifier=key, known=False)
    prof = store.profile(ident.profile_id) if ident.profile_id else None
    words = describe(store, ident, prof)
    return Shown(identifier=key, known=True, blocked=ident.blocked, consent=ident.consent,
                 profile=prof, name=words.name, attributes=words.attributes,
                 summary=words.summary)


def show(store: Store, key: str) -> dict[str, Any]:
    """``show KEY --json``; :class:`NotFoundError` when the identifier is not in the store."""
    answer = shown(store, key)
    if not answer.known:
        raise NotFoundError(f"{key} is not in the store")
    return answer.as_json()


def how(store: Store, key: str) -> Timeline:
    """``how KEY``: the timeline of the profile holding the identifier."""
    ident = store.identifier(key)
    if ident is None:
        raise NotFoundError(f"{key} is not in the store")
    return timeline(store, key, ident)


def explain(store: Store, a: str, b: str) -> Explanation:
    """``explain A B``: why they are (or are not) on one profile."""
    return explain_pair(store, a, b)


def cluster(store: Store, key: str, *, other: str | None = None,
            depth: int = 1) -> dict[str, Any]:
    """``viz KEY``'s data: the cluster around an identifier, ``other``'s path highlighted."""
    from identigraph.graph.cluster import build_cluster

    return build_cluster(store, key, other=other, depth=depth)


def stats(store: Store) -> dict[str, object]:
    """``stats``: counts of events, identifiers, profiles and edges by rule."""
    return store.stats()


def _surviving(store: Store, profile_id: str) -> Profile | None:
    """The profile with this id, or the one it was merged into (followed to the end)."""
    seen: set[str] = set()
    pid: str | None = profile_id
    while pid is not None and pid not in seen:
        seen.add(pid)
        found = store.profile(pid)
        if found is not None:
            return found
        into = [e.other for e in store.log([pid]) if e.action == "merged_into"]
        pid = into[-1] if into else None
    return None


def profile_card(store: Store, profile_id: str) -> dict[str, Any]:
    """A profile by its id or a merged one's: its identifiers with consent, the attributes
    of its events (the latest value of each name), merged ids and the creating event."""
    from identigraph.graph.names import display_name, profile_attributes, profile_keys

    prof = _surviving(store, profile_id)
    if prof is None:
        raise NotFoundError(f"no profile {profile_id!r} (current or merged) in the store")
    idents = []
    for key in profile_keys(prof):
        rec = store.identifier(key)
        kind, _, value = key.partition(":")
        idents.append({"key": key, "kind": kind, "value": value,
                       "consent": rec.consent if rec else None,
                       "blocked": bool(rec and rec.blocked)})
    attributes = profile_attributes(store, [prof]).get(prof.profile_id, {})
    return {"asked": profile_id, "profile": profile_json(prof), "identifiers": idents,
            "name": display_name(attributes), "attributes": attributes}


def event(store: Store, event_id: str) -> dict[str, Any]:
    """One stored event by id, its identifiers and the decided links it made (each with
    its sentence, as ``explain`` says it)."""
    found = store.event(event_id)
    if found is None:
        raise NotFoundError(f"no event {event_id!r} in the store")
    keys = [f"{kind}:{value}" for kind, value in (
        ("external_id", found.external_id), ("email", found.email), ("phone", found.phone))
        if value]
    from identigraph.graph.facts import gather
    from identigraph.graph.sentences import edge_sentence

    edges = [e for e in store.edges_touching(keys) if e.event_id == event_id]
    facts = gather(store, edges, keys=keys)
    return {"event": found.model_dump(exclude={"ts"}), "identifiers": keys,
            "edges": [{**e.as_json(), "sentence": edge_sentence(e, facts)} for e in edges]}


def search(store: Store, text: str, region: str) -> dict[str, Any]:
    """What a typed text names: a profile id (current or merged), an identifier in the
    store, or an event id; the first that matches."""
    from identigraph.identifiers import parse_identifier

    text = text.strip()
    if text.startswith("p_") and _surviving(store, text) is not None:
        return {"kind": "profile", "profile_id": text}
    try:
        key: str | None = parse_identifier(text, region)
    except UsageError:
        key = None
    if key is not None and store.identifier(key) is not None:
        return {"kind": "identifier", "key": key}
    if store.event(text) is not None:
        return {"kind": "event", "event_id": text}
    raise NotFoundError(f"nothing in the store is {text!r} (an identifier, a profile id or "
                        "an event id)")
