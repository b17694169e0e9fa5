"""People's names and other attributes, from the ``attributes`` the events carried.

The latest event carrying an identifier wins, attribute by attribute; a profile's
attributes are those of all its identifiers, so a name typed on any of them shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from identigraph.graph.records import EventRecord, Profile

if TYPE_CHECKING:
    from identigraph.graph.store import Store

#: Attribute names read as a person's first and last name, and as a whole name.
FIRST = ("first_name", "firstName", "first", "given_name")
LAST = ("last_name", "lastName", "last", "family_name")
WHOLE = ("name", "full_name", "fullName")


def attributes_by_owner(events: Iterable[EventRecord], owner: Mapping[str, str]
                        ) -> dict[str, dict[str, str]]:
    """Attributes per owner (an identifier, a profile: ``owner`` maps identifier keys to
    it), attribute by attribute, the latest event winning."""
    out: dict[str, dict[str, str]] = {}
    for ev in sorted(events, key=lambda e: (e.ts, e.event_id)):
        if not ev.attributes:
            continue
        try:
            data = json.loads(ev.attributes)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        values = {str(k): _text(v) for k, v in data.items() if v is not None and v != ""}
        for who in {owner[k] for k in ev.identifier_keys() if k in owner}:
            out.setdefault(who, {}).update(values)
    return out


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def display_name(attributes: dict[str, str]) -> str | None:
    """``Maria Lopez`` from first and last name (or a whole name); None without one."""
    first = next((attributes[k] for k in FIRST if attributes.get(k)), "")
    last = next((attributes[k] for k in LAST if attributes.get(k)), "")
    name = f"{first} {last}".strip() or next((attributes[k] for k in WHOLE
                                              if attributes.get(k)), "")
    return " ".join(name.split()) or None


def profile_keys(profile: Profile) -> list[str]:
    """Every identifier key of a profile, strongest kind first."""
    return profile.identifier_keys()


def profile_attributes(store: Store, profiles: Iterable[Profile]) -> dict[str, dict[str, str]]:
    """Profile id -> the attributes its events carried (one event lookup for all)."""
    owner = {k: p.profile_id for p in profiles for k in profile_keys(p)}
    return attributes_by_owner(store.events_for(sorted(owner)), owner) if owner else {}


def profile_names(store: Store, profiles: Iterable[Profile]) -> dict[str, str]:
    """Profile id -> a person's name, for profiles whose events carried one."""
    found = profile_attributes(store, profiles)
    return {pid: name for pid, attrs in found.items() if (name := display_name(attrs))}


def with_names(store: Store, profiles: Iterable[Profile], batch: int = 1000
               ) -> Iterator[tuple[Profile, str | None]]:
    """Each profile with its person's name, looked up ``batch`` profiles at a time (one
    event lookup per batch), so a stream of profiles stays a stream."""
    chunk: list[Profile] = []
    for p in profiles:
        chunk.append(p)
        if len(chunk) >= batch:
            yield from _named(store, chunk)
            chunk = []
    yield from _named(store, chunk)


def _named(store: Store, chunk: list[Profile]) -> Iterator[tuple[Profile, str | None]]:
    names = profile_names(store, chunk) if chunk else {}
    for p in chunk:
        yield p, names.get(p.profile_id)
