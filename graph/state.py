"""The rows a store persists for one resolution: identical for every backend.

Both backends write exactly these rows, which is why they answer identically.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from identigraph.events import EventTable
from identigraph.graph.timefmt import iso
from identigraph.rules.decisions import MERGING, RULE_NAMES
from identigraph.rules.resolver import KIND_NAMES, Resolution

IdentRow = tuple[str, str, str, str | None, int, str | None, str | None]
EdgeRow = tuple[str, str, str, str, str | None, int, str, int]
ProfileRow = tuple[str, str, str, str, str, str, str, str | None, str | None, int]
LogRow = tuple[str, str, int, str, str | None, str | None]


@dataclass(slots=True)
class StateRows:
    """Derived state of a store, as plain tuples ready for bulk writes."""

    events: EventTable
    res: Resolution

    def _key(self, x: int) -> str:
        return f"{KIND_NAMES[self.res.ident_kind[x]]}:{self.res.ident_value[x]}"

    def _eid(self, pos: int) -> str:
        return self.events.event_id[self.res.order[pos]]

    def _ts(self, pos: int) -> int:
        return self.events.ts[self.res.order[pos]]

    def identifiers(self) -> Iterator[IdentRow]:
        """(key, kind, value, profile_id, blocked, consent, consent_event_id)."""
        r = self.res
        pids = r.profile_ids
        label = r.profile_label
        for x, (k, v) in enumerate(zip(r.ident_kind, r.ident_value, strict=True)):
            p = r.ident_profile[x]
            at = r.ident_consent_at[x]
            yield (f"{KIND_NAMES[k]}:{v}", KIND_NAMES[k], v,
                   pids[label[p]] if p >= 0 else None, int(r.ident_blocked[x]),
                   r.ident_consent[x], self._eid(at) if at >= 0 else None)

    def edges(self) -> Iterator[EdgeRow]:
        """(src, dst, event_id, type, channel, ts, rule, merges)."""
        r, ev = self.res, self.events
        order = r.order
        for pos, s, d, rule in zip(r.edge_at, r.edge_src, r.edge_dst, r.edge_rule, strict=True):
            i = order[pos]
            yield (self._key(s), self._key(d), ev.event_id[i], ev.type[i], ev.channel[i],
                   ev.ts[i], RULE_NAMES[rule], int(rule in MERGING))

    def profiles(self) -> Iterator[ProfileRow]:
        """(id, created_by, created_for, emails, phones, external_ids, merged_ids,
        email_consent, sms_consent, created_ts), lists as JSON text."""
        r = self.res
        kinds, values = r.ident_kind, r.ident_value
        for root in r.roots():
            members = r.profile_members[root] or []
            label = r.profile_label[root]
            by_kind: list[list[int]] = [[], [], []]
            for m in members:
                by_kind[kinds[m]].append(m)
            # a profile's consent is that of its current (latest attached) email / phone
            consents = [
                (r.ident_consent[ms[-1]] or "never_subscribed") if ms else None
                for ms in (by_kind[1], by_kind[2])
            ]
            pos = r.profile_created_at[label]
            yield (
                r.profile_ids[label], self._eid(pos), self._key(r.profile_created_for[label]),
                json.dumps(sorted(values[m] for m in by_kind[1])),
                json.dumps(sorted(values[m] for m in by_kind[2])),
                json.dumps(sorted(values[m] for m in by_kind[0])),
                json.dumps([r.profile_ids[q] for q in r.profile_merged.get(label, [])]),
                consents[0], consents[1], self._ts(pos),
            )

    def log(self) -> Iterator[LogRow]:
        """(profile_id, event_id, ts, action, identifier, other): merges, replacements and
        the creation of profiles that were merged away."""
        r = self.res
        pids = r.profile_ids
        alive = {r.profile_label[root] for root in r.roots()}
        for p, (pos, x) in enumerate(zip(r.profile_created_at, r.profile_created_for, strict=True)):
            if p not in alive:  # live profiles keep their creation in the profiles table
                yield (pids[p], self._eid(pos), self._ts(pos), "created", self._key(x), None)
        for pos, into, other, via in r.merges:
            yield (pids[into], self._eid(pos), self._ts(pos), "merged", self._key(via), pids[other])
            yield (pids[other], self._eid(pos), self._ts(pos), "merged_into", self._key(via),
                   pids[into])
        for pos, prof, x, by in r.detachments:
            yield (pids[prof], self._eid(pos), self._ts(pos), "replaced", self._key(x),
                   self._key(by) if by >= 0 else None)


def iso_or_none(us: int | None) -> str | None:
    """ISO text for optional microseconds."""
    return None if us is None else iso(us)
