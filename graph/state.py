"""The rows a store persists for one resolution: identical for every backend.

Both backends write exactly these rows, which is why they answer identically.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import pyarrow as pa

from identigraph.events import EventTable
from identigraph.rules.decisions import MERGING, RULE_NAMES
from identigraph.rules.resolver import KIND_NAMES, Resolution

IdentRow = tuple[str, str, str, str | None, int, str | None, str | None]
EdgeRow = tuple[str, str, str, str, str | None, int, str, int]
ProfileRow = tuple[str, str, str, str, str, str, str, str | None, str | None, int]
LogRow = tuple[str, str, int, str, str | None, str | None]


class StateRows:
    """Derived state of a store, as plain tuples ready for bulk writes."""

    def __init__(self, events: EventTable, res: Resolution) -> None:
        self.events = events
        self.res = res
        prefix = [f"{k}:" for k in KIND_NAMES]
        #: ``kind:value`` of every identifier, by identifier number
        self.keys = [prefix[k] + v for k, v in zip(res.ident_kind, res.ident_value, strict=True)]

    def tables(self) -> dict[str, pa.Table]:
        """The same rows as Arrow tables (schemas in :data:`SCHEMAS`), for columnar stores."""
        return state_tables(self)

    def _key(self, x: int) -> str:
        return self.keys[x]

    def _eid(self, pos: int) -> str:
        return self.events.event_id[self.res.order[pos]]

    def _ts(self, pos: int) -> int:
        return self.events.ts[self.res.order[pos]]

    def identifiers(self) -> Iterable[IdentRow]:
        """(key, kind, value, profile_id, blocked, consent, consent_event_id)."""
        r = self.res
        pids, label = r.profile_ids, r.profile_label
        eid, order = self.events.event_id, r.order
        return zip(
            self.keys, [KIND_NAMES[k] for k in r.ident_kind], r.ident_value,
            [pids[label[p]] if p >= 0 else None for p in r.ident_profile],
            [int(b) for b in r.ident_blocked], r.ident_consent,
            [eid[order[at]] if at >= 0 else None for at in r.ident_consent_at],
            strict=True,
        )

    def edges(self) -> Iterable[EdgeRow]:
        """(src, dst, event_id, type, channel, ts, rule, merges)."""
        r, ev, keys = self.res, self.events, self.keys
        at = [r.order[pos] for pos in r.edge_at]
        return zip(
            [keys[s] for s in r.edge_src], [keys[d] for d in r.edge_dst],
            [ev.event_id[i] for i in at], [ev.type[i] for i in at],
            [ev.channel[i] for i in at], [ev.ts[i] for i in at],
            [RULE_NAMES[x] for x in r.edge_rule], [int(x in MERGING) for x in r.edge_rule],
            strict=True,
        )

    def profiles(self) -> Iterator[ProfileRow]:
        """(id, created_by, created_for, emails, phones, external_ids, merged_ids,
        email_consent, sms_consent, created_ts), lists as JSON text."""
        r = self.res
        kinds, values, consent = r.ident_kind, r.ident_value, r.ident_consent
        ids, label_of, created_at = r.profile_ids, r.profile_label, r.profile_created_at
        eid, ts, order, keys = self.events.event_id, self.events.ts, r.order, self.keys
        merged = r.profile_merged
        for root, members in enumerate(r.profile_members):
            if not members:
                continue
            label = label_of[root]
            i = order[created_at[label]]
            if len(members) == 1:  # most profiles: one identifier, no merges
                m = members[0]
                k, v = kinds[m], values[m]
                c = consent[m] or "never_subscribed"
                yield (ids[label], eid[i], keys[m],
                       f'["{v}"]' if k == 1 else "[]", f'["{v}"]' if k == 2 else "[]",
                       _json_list([v]) if k == 0 else "[]",
                       _plain_list([ids[q] for q in merged.get(label, [])], False),
                       c if k == 1 else None, c if k == 2 else None, ts[i])
                continue
            by_kind: list[list[int]] = [[], [], []]
            for m in members:
                by_kind[kinds[m]].append(m)
            # a profile's consent is that of its current (latest attached) email / phone
            consents = [
                (consent[ms[-1]] or "never_subscribed") if ms else None
                for ms in (by_kind[1], by_kind[2])
            ]
            yield (
                ids[label], eid[i], keys[r.profile_created_for[label]],
                _plain_list([values[m] for m in by_kind[1]]),
                _plain_list([values[m] for m in by_kind[2]]),
                _json_list([values[m] for m in by_kind[0]]),
                _plain_list([ids[q] for q in merged.get(label, [])], False),
                consents[0], consents[1], ts[i],
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


def _plain_list(values: list[str], sort: bool = True) -> str:
    """JSON for a list of strings that need no escaping (normalised emails, E.164, ids)."""
    if not values:
        return "[]"
    if len(values) == 1:
        return f'["{values[0]}"]'
    return '["' + '","'.join(sorted(values) if sort else values) + '"]'


def _json_list(values: list[str]) -> str:
    """JSON for free-text values (external ids): escaped only when they need it."""
    if any('"' in v or "\\" in v or not v.isprintable() for v in values):
        return json.dumps(sorted(values), ensure_ascii=False)
    return _plain_list(values)



#: Arrow schemas of :meth:`StateRows.tables`: the same rows, lists as list<string>.
_STR, _LIST = pa.string(), pa.list_(pa.string())
SCHEMAS: dict[str, pa.Schema] = {
    "identifiers": pa.schema([
        ("key", _STR), ("kind", _STR), ("value", _STR), ("profile_id", _STR),
        ("blocked", pa.bool_()), ("consent", _STR), ("consent_event", _STR)]),
    "edges": pa.schema([
        ("src", _STR), ("dst", _STR), ("event_id", _STR), ("type", _STR), ("channel", _STR),
        ("ts", pa.int64()), ("rule", _STR), ("merges", pa.bool_())]),
    "profiles": pa.schema([
        ("profile_id", _STR), ("created_by", _STR), ("created_for", _STR), ("emails", _LIST),
        ("phones", _LIST), ("external_ids", _LIST), ("merged_ids", _LIST),
        ("email_consent", _STR), ("sms_consent", _STR), ("created_ts", pa.int64())]),
    "log": pa.schema([
        ("profile_id", _STR), ("event_id", _STR), ("ts", pa.int64()), ("action", _STR),
        ("identifier", _STR), ("other", _STR)]),
}


def state_tables(state: StateRows) -> dict[str, pa.Table]:
    """The derived state as Arrow tables (schemas in :data:`SCHEMAS`), for columnar stores."""
    rows: dict[str, list[tuple[object, ...]]] = {
        "identifiers": [(k, kind, v, p, bool(b), c, ce)
                        for k, kind, v, p, b, c, ce in state.identifiers()],
        "edges": [(*e[:7], bool(e[7])) for e in state.edges()],
        "profiles": [(*p[:3], *(json.loads(x) for x in p[3:7]), *p[7:])
                     for p in state.profiles()],
        "log": list(state.log()),
    }
    out = {}
    for name, schema in SCHEMAS.items():
        cols = list(zip(*rows[name], strict=True)) if rows[name] else [[]] * len(schema)
        out[name] = pa.table([pa.array(c, f.type) for c, f in zip(cols, schema, strict=True)],
                             schema=schema)
    return out
