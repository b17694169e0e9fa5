"""``show X`` in words: the person's name and attributes, and a summary of where X is."""

from __future__ import annotations

from pydantic import BaseModel

from identigraph.graph.facts import gather
from identigraph.graph.names import attributes_by_owner, display_name, profile_keys
from identigraph.graph.records import Identifier, Profile
from identigraph.graph.sentences import show_summary
from identigraph.graph.store import Store


class Description(BaseModel, defer_build=True):
    """What ``show`` adds to the identifier and its profile."""

    name: str | None = None
    attributes: dict[str, str] = {}
    summary: str = ""


def describe(store: Store, ident: Identifier, profile: Profile | None) -> Description:
    """The name and attributes the profile's events carried, and a summary sentence."""
    attributes: dict[str, str] = {}
    created: tuple[str | None, int] | None = None
    if profile is not None:
        owner = {k: profile.profile_id for k in profile_keys(profile)}
        events = store.events_for(sorted(owner))
        attributes = attributes_by_owner(events, owner).get(profile.profile_id, {})
        first = next((e for e in events if e.event_id == profile.created_by), None)
        created = (first.type, first.ts) if first else None
    name = display_name(attributes)
    facts = gather(store, keys=[ident.key], profile_ids=[profile.profile_id] if profile else [],
                   names={profile.profile_id: name} if profile and name else {},
                   profiles={profile.profile_id: profile} if profile else {},
                   known_identifiers={ident.key: ident})
    return Description(name=name, attributes=attributes,
                       summary=show_summary(ident.key, ident.blocked, profile, facts, created))
