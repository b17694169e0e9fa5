"""The answers of the query commands, one function each: the command line prints them (as
text or ``--json``) and ``identigraph serve`` returns the same JSON.

Imports stay light (no loaders, no replay): these run on every query's start-up path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from identigraph.errors import NotFoundError
from identigraph.graph.explain import Explanation
from identigraph.graph.explain import explain as explain_pair
from identigraph.graph.query import ProfileQuery
from identigraph.graph.records import Profile
from identigraph.graph.store import Store
from identigraph.graph.timeline import Timeline, timeline


def profile_json(p: Profile) -> dict[str, Any]:
    """One profile as ``profiles --json`` prints it."""
    return {"profile_id": p.profile_id, "emails": p.emails, "phones": p.phones,
            "external_ids": p.external_ids, "email_consent": p.email_consent,
            "sms_consent": p.sms_consent, "created_by": p.created_by,
            "merged_ids": p.merged_ids}


def profiles(store: Store, query: ProfileQuery) -> Iterator[dict[str, Any]]:
    """``profiles``: the query's profiles one at a time, as the store streams them."""
    for p in store.profiles_where(query):
        yield profile_json(p)


def show(store: Store, key: str) -> dict[str, Any]:
    """``show KEY``: the identifier, whether it is blocked, its consent, its profile, the
    person's name and attributes, and a summary in words."""
    from identigraph.graph.describe import describe

    ident = store.identifier(key)
    if ident is None:
        raise NotFoundError(f"{key} is not in the store")
    prof = store.profile(ident.profile_id) if ident.profile_id else None
    words = describe(store, ident, prof)
    return {"identifier": key, "blocked": ident.blocked, "consent": ident.consent,
            "profile": profile_json(prof) if prof else None, "name": words.name,
            "attributes": words.attributes, "summary": words.summary}


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
