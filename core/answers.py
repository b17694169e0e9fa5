"""The answers of the query commands, one function each: the command line prints them (as
text or ``--json``) and ``identigraph serve`` returns the same JSON.

Imports stay light (no loaders, no replay): these run on every query's start-up path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from identigraph.errors import NotFoundError, UsageError
from identigraph.graph.explain import Explanation
from identigraph.graph.explain import explain as explain_pair
from identigraph.graph.query import ProfileQuery
from identigraph.graph.records import Edge, EventRecord, Profile
from identigraph.graph.store import Store
from identigraph.graph.timeline import Timeline, timeline
from identigraph.identifiers import Target, parse_target, undeclared_prefix

if TYPE_CHECKING:
    from identigraph.rules.model import IdentifierKind


def profile_json(p: Profile) -> dict[str, Any]:
    """One profile as ``profiles --json`` prints it."""
    return p.as_json()


class EdgeDecision(BaseModel, defer_build=True):
    """One evidence edge an event made, with its decision in words (``explain``'s sentence)."""

    model_config = ConfigDict(frozen=True)

    edge: Edge
    sentence: str

    def as_json(self) -> dict[str, Any]:
        """The SPEC's edge shape and its sentence."""
        return {**self.edge.as_json(), "sentence": self.sentence}


class EventAnswer(BaseModel, defer_build=True):
    """A stored event, the identifiers it carried and the decision of each edge it made."""

    model_config = ConfigDict(frozen=True)

    event: EventRecord
    identifiers: list[str]
    edges: list[EdgeDecision]

    def as_json(self) -> dict[str, Any]:
        """``show event:ID --json``'s ``event`` (and ``/api/events/ID``)."""
        return {"event": self.event.model_dump(exclude={"ts"}), "identifiers": self.identifiers,
                "edges": [e.as_json() for e in self.edges]}


class Shown(BaseModel, defer_build=True):
    """The answer to ``show X``: the identifier, where it stands and its profile; for a
    profile id, that profile (``merged_into``: the one a merged-away id became); for
    ``event:ID``, the event and its edges' decisions (``event``)."""

    model_config = ConfigDict(frozen=True)

    identifier: str  # kind:value, normalised; a profile id; event:ID
    known: bool  # False: not in the store
    target: Literal["identifier", "profile", "event"] = "identifier"
    blocked: bool = False
    consent: str | None = None
    profile: Profile | None = None
    merged_into: str | None = None
    event: EventAnswer | None = None
    name: str | None = None
    attributes: dict[str, str] = {}
    summary: str = ""

    def as_json(self) -> dict[str, Any]:
        """``show --json``'s shape (``target``, ``merged_into`` and ``event`` only when the
        query named a profile or an event)."""
        out: dict[str, Any] = {
            "identifier": self.identifier, "blocked": self.blocked, "consent": self.consent,
            "profile": self.profile.as_json() if self.profile else None, "name": self.name,
            "attributes": self.attributes, "summary": self.summary}
        if self.target != "identifier":
            out["target"] = self.target
        if self.target == "profile":
            out["merged_into"] = self.merged_into
        if self.event is not None:
            out["event"] = self.event.as_json()
        return out


def named_profiles(store: Store, query: ProfileQuery) -> Iterator[dict[str, Any]]:
    """``profiles`` with each person's name (from the events' attributes), still streamed:
    names are looked up a batch of profiles at a time."""
    from identigraph.graph.names import with_names

    for p, name in with_names(store, profile_stream(store, query)):
        yield {**profile_json(p), "name": name}


def profiles(store: Store, query: ProfileQuery) -> Iterator[dict[str, Any]]:
    """``profiles``: the query's profiles one at a time, as the store streams them."""
    for p in profile_stream(store, query):
        yield profile_json(p)


def profile_stream(store: Store, query: ProfileQuery) -> Iterator[Profile]:
    """The query's profiles as the store streams them; :class:`UsageError` (before any)
    when ``kind`` is no identifier kind of the store's rule set."""
    if query.kind is not None and namespaces(store)(query.kind) is None:
        raise UsageError(f"unknown identifier kind {query.kind!r}: the store's rule set has "
                         f"{', '.join(declared_kinds(store))}")
    return store.profiles_where(query)


def declared_kinds(store: Store) -> tuple[str, ...]:
    """The identifier kinds the store's rule set declares (the default ones before a load)."""
    from identigraph.rules.model import DEFAULT_IDENTIFIERS

    rs = store.stored_ruleset()
    return rs.kind_names() if rs is not None else tuple(k.name for k in DEFAULT_IDENTIFIERS)


def not_in_store(store: Store, label: str) -> str:
    """``X is not in the store``; when X was typed with a prefix that is no declared kind
    (``klaviyo_idd:x``, read as an external id), first that, with the declared kinds."""
    misread = _misread(store, label)
    return f"{misread}, and {label} is not in the store" if misread else \
        f"{label} is not in the store"


def _misread(store: Store, key: str) -> str | None:
    """What became of a query whose prefix is no declared kind (None for any other):
    ``klaviyo_idd is not a declared identifier kind (...), so klaviyo_idd:x was read as an
    external id``."""
    prefix = undeclared_prefix(key, namespaces(store))
    if prefix is None:
        return None
    return (f"{prefix} is not a declared identifier kind (the store's rule set declares "
            f"{', '.join(declared_kinds(store))}), so {key.partition(':')[2]} was read as "
            "an external id")


def target(store: Store, text: str, region: str) -> Target:
    """What typed text names, read with the namespaces the store's rule set declares
    (:func:`identigraph.identifiers.parse_target`); :class:`UsageError` when malformed."""
    return parse_target(text, region, namespaces(store))


def namespaces(store: Store) -> Callable[[str], IdentifierKind | None]:
    """The store's declared identifier kind of a name (the rule set is read once, when a
    prefix other than email/phone/external_id is first asked about)."""
    declared: dict[str, IdentifierKind] = {}

    def lookup(name: str) -> IdentifierKind | None:
        if not declared:
            from identigraph.rules.model import DEFAULT_IDENTIFIERS

            rs = store.stored_ruleset()
            declared.update((k.name, k) for k in (rs.identifiers if rs else DEFAULT_IDENTIFIERS))
        return declared.get(name)

    return lookup


def _as_target(t: Target | str) -> Target:
    return t if isinstance(t, Target) else Target(what="identifier", key=t)


def _key(store: Store, t: Target) -> str | None:
    """The identifier key a query looks up: an identifier's own (no lookup here: the
    answer looks it up), else the :func:`anchor` of a profile or an event."""
    return t.key if t.what == "identifier" else anchor(store, t)


def anchor(store: Store, t: Target | str) -> str | None:
    """The identifier key that stands for a target: itself; for a profile (or a merged-away
    one) the identifier it was created for while on it, else its strongest; for an event
    its strongest identifier. None when the target is not in the store."""
    t = _as_target(t)
    if t.what == "identifier":
        return t.key if store.identifier(t.key) is not None else None
    if t.what == "profile":
        prof = _surviving(store, t.key)
        if prof is None:
            return None
        keys = prof.identifier_keys()
        return prof.created_for if prof.created_for in keys else (keys[0] if keys else None)
    ev = store.event(t.key)
    keys = ev.identifier_keys() if ev is not None else []
    return next((k for k in keys if store.identifier(k) is not None), None)


def shown(store: Store, t: Target | str) -> Shown:
    """``show X``: the identifier, whether it is blocked, its consent, its profile, the
    person's name and attributes, and a summary in words; a profile id shows that profile
    (saying which one a merged-away id became); ``event:ID`` the event and its edges'
    decisions. ``known=False``: not in the store."""
    from identigraph.graph.describe import describe

    t = _as_target(t)
    if t.what == "event":
        found = event_answer(store, t.key)
        if found is None:
            return Shown(identifier=t.label, target="event", known=False,
                         summary=not_in_store(store, t.label))
        return Shown(identifier=t.label, target="event", known=True, event=found,
                     summary=event_summary(found))
    key = _key(store, t)
    ident = store.identifier(key) if key is not None else None
    if ident is None:
        return Shown(identifier=t.label, target=t.what, known=False,
                     summary=not_in_store(store, t.label))
    prof = store.profile(ident.profile_id) if ident.profile_id else None
    words = describe(store, ident, prof)
    if t.what == "profile":
        assert prof is not None  # anchor() found it
        became = prof.profile_id if prof.profile_id != t.key else None
        summary = (f"Profile {t.key} was merged into {became}. " if became else "") + words.summary
        return Shown(identifier=t.key, target="profile", known=True, profile=prof,
                     merged_into=became, name=words.name, attributes=words.attributes,
                     summary=summary)
    return Shown(identifier=t.key, known=True, blocked=ident.blocked, consent=ident.consent,
                 profile=prof, name=words.name, attributes=words.attributes,
                 summary=words.summary)


def show(store: Store, t: Target | str) -> dict[str, Any]:
    """``show X --json``; :class:`NotFoundError` when X is not in the store."""
    answer = shown(store, t)
    if not answer.known:
        raise NotFoundError(answer.summary)
    return answer.as_json()


def how(store: Store, t: Target | str) -> Timeline:
    """``how X``: the timeline of the profile holding X (a profile id: that profile's);
    ``event:ID``: the event's steps, one per edge it made with its decision.
    :class:`NotFoundError` when X is not in the store."""
    from identigraph.graph.timeline import event_timeline

    t = _as_target(t)
    if t.what == "event":
        found = event_answer(store, t.key)
        if found is None:
            raise NotFoundError(not_in_store(store, t.label))
        return event_timeline(store, t.label, found.event, [d.edge for d in found.edges],
                              event_summary(found))
    key = _key(store, t)
    ident = store.identifier(key) if key is not None else None
    if key is None or ident is None:
        raise NotFoundError(not_in_store(store, t.label))
    told = timeline(store, key, ident)
    if t.what == "profile" and told.profile_id != t.key:
        return told.model_copy(update={
            "summary": f"Profile {t.key} was merged into {told.profile_id}. {told.summary}"})
    return told


def explain(store: Store, a: Target | str, b: Target | str) -> Explanation:
    """``explain A B``: why they are (or are not) on one profile; a profile id or an event
    stands for its :func:`anchor` identifier."""
    ta, tb = _as_target(a), _as_target(b)
    x = explain_pair(store, _key(store, ta) or ta.label, _key(store, tb) or tb.label)
    misread = [m for k in x.unknown if (m := _misread(store, k)) is not None]
    if not misread:
        return x
    return x.model_copy(update={"summary": " ".join([x.summary, *(f"{m}." for m in misread)])})


def cluster(store: Store, t: Target | str, *, other: Target | str | None = None,
            depth: int = 1) -> dict[str, Any]:
    """``viz X``'s data: the cluster around X (a profile's or an event's :func:`anchor`
    identifier; an event's own edges highlighted), ``other``'s path highlighted."""
    from identigraph.graph.cluster import build_cluster

    t = _as_target(t)
    key = _key(store, t)
    if key is None or (t.what == "identifier" and store.identifier(key) is None):
        raise NotFoundError(not_in_store(store, t.label))
    other_key = None
    if other is not None:
        o = _as_target(other)
        other_key = _key(store, o) or o.label
    return build_cluster(store, key, other=other_key, depth=depth,
                         event_id=t.key if t.what == "event" else None)


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
    from identigraph.graph.names import display_name, profile_attributes

    prof = _surviving(store, profile_id)
    if prof is None:
        raise NotFoundError(f"no profile {profile_id!r} (current or merged) in the store")
    idents = []
    for key in prof.identifier_keys():
        rec = store.identifier(key)
        kind, _, value = key.partition(":")
        idents.append({"key": key, "kind": kind, "value": value,
                       "consent": rec.consent if rec else None,
                       "blocked": bool(rec and rec.blocked)})
    attributes = profile_attributes(store, [prof]).get(prof.profile_id, {})
    return {"asked": profile_id, "profile": profile_json(prof), "identifiers": idents,
            "name": display_name(attributes), "attributes": attributes}


def event_answer(store: Store, event_id: str) -> EventAnswer | None:
    """One stored event by id, its identifiers and the decided links it made (each with
    its sentence, as ``explain`` says it); None when it is not in the store."""
    found = store.event(event_id)
    if found is None:
        return None
    from identigraph.graph.facts import gather
    from identigraph.graph.sentences import edge_sentence

    keys = found.identifier_keys()
    edges = [e for e in store.edges_touching(keys) if e.event_id == event_id]
    facts = gather(store, edges, keys=keys)
    return EventAnswer(event=found, identifiers=keys,
                       edges=[EdgeDecision(edge=e, sentence=edge_sentence(e, facts))
                              for e in edges])


def event_summary(found: EventAnswer) -> str:
    """An event in one sentence: what it carried and what its links decided."""
    from identigraph.graph.sentences import cap, ident, join, number, the_event

    ev = found.event
    merged = sum(1 for d in found.edges if d.edge.merges)
    head = cap(the_event(ev.type, ev.event_id, ev.ts))
    carried = join([ident(k) for k in found.identifiers]) or "no identifier"
    if not found.edges:
        return f"{head} carried {carried}; it linked nothing."
    return (f"{head} carried {carried}; it made {number(len(found.edges), 'link')}: "
            f"{merged} merged, {len(found.edges) - merged} did not merge.")


def event(store: Store, event_id: str) -> dict[str, Any]:
    """``/api/events/ID``: :func:`event_answer` as JSON; :class:`NotFoundError` when the
    event is not in the store."""
    found = event_answer(store, event_id)
    if found is None:
        raise NotFoundError(f"no event {event_id!r} in the store")
    return found.as_json()


def search(store: Store, text: str, region: str) -> dict[str, Any]:
    """What a typed text names: a profile id (current or merged), an identifier in the
    store, or an event id (``event:ID``, or a bare id no identifier matches); the first
    that matches."""
    text = text.strip()
    try:
        t: Target | None = target(store, text, region)
    except UsageError:
        t = None
    if t is not None and t.what == "profile" and _surviving(store, t.key) is not None:
        return {"kind": "profile", "profile_id": t.key}
    if t is not None and t.what == "identifier" and store.identifier(t.key) is not None:
        return {"kind": "identifier", "key": t.key}
    eid = t.key if t is not None and t.what == "event" else text
    if store.event(eid) is not None:
        return {"kind": "event", "event_id": eid}
    misread = _misread(store, t.key) if t is not None and t.what == "identifier" else None
    raise NotFoundError(f"nothing in the store is {text!r} (an identifier, a profile id or "
                        "an event id)" + (f"; {misread}" if misread else ""))
