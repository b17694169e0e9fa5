"""The readable reference replay: the decisions of engine/resolver.py in plain Python.

identigraph's replay and row building as they were before they were compiled (one object
per identifier, lists, dicts), kept as the specification the numba kernel
(engine/replay_kernel.py) is tested against on every rule set (tests/
test_resolver_equivalence.py): any strength order, limits that replace or refuse at any
size, any link mode per type, absorb, blocked values. Slow by design; never on a load.
It follows the rule set's declared identifier kinds (email, phone and every id namespace:
``klaviyo_id``...), as the replay does: events' columns of kinds it does not declare are
not read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from identigraph.engine.ids import profile_id_for
from identigraph.events import FIELDS, EventTable
from identigraph.model import PROFILE_FIELDS
from identigraph.rules.decisions import (
    ABSORB,
    ATTACH,
    ATTACH_ONLY,
    BLOCKED_VALUE,
    LIMIT,
    MERGE,
    MERGING,
    NEVER_MERGES,
    RULE_NAMES,
    SUPERSEDED,
)
from identigraph.rules.model import LinkMode, PastLimit, RuleSet

_MODE_CODE = {LinkMode.MERGE: 0, LinkMode.ATTACH: 1, LinkMode.NONE: 2}
T = TypeVar("T")
IdentRow = tuple[str, str, str, str | None, int, str | None, str | None]
EdgeRow = tuple[str, str, str, str, str | None, int, str, int]
ProfileRow = tuple[str, str, str, str, str, str, str, str | None, str | None, int, str]
LogRow = tuple[str, str, int, str, str | None, str | None]


class Columns:
    """The events' columns as Python lists, by field name (the reference reads lists); an
    id namespace the events have no column for reads as all None."""

    def __init__(self, events: EventTable) -> None:
        self.columns: dict[str, list[Any]] = {
            f: events.column(f).to_pylist() for f in (*FIELDS, *events.namespaces)}

    def of(self, name: str) -> list[Any]:
        """One column by name; all None for a namespace the events carry none of."""
        return self.columns.get(name) or [None] * len(self)

    def __getattr__(self, name: str) -> list[Any]:
        return self.columns[name]

    def __len__(self) -> int:
        return len(self.columns["event_id"])


@dataclass(slots=True)
class _Res:
    """The old Resolution: Python lists."""

    kind_names: tuple[str, ...]  # the rule set's identifier kinds, by kind code
    order: list[int]  # event table index of the k-th event in (ts, event_id) order
    ident_kind: list[int] = field(default_factory=list)  # kind code (index in kind_names)
    ident_value: list[str] = field(default_factory=list)
    ident_blocked: list[bool] = field(default_factory=list)
    ident_profile: list[int] = field(default_factory=list)  # profile root, -1 when none
    ident_consent: list[str | None] = field(default_factory=list)
    ident_consent_at: list[int] = field(default_factory=list)  # position of that event
    edge_at: list[int] = field(default_factory=list)  # event position
    edge_src: list[int] = field(default_factory=list)
    edge_dst: list[int] = field(default_factory=list)
    edge_rule: list[int] = field(default_factory=list)
    profile_created_at: list[int] = field(default_factory=list)
    profile_created_for: list[int] = field(default_factory=list)
    profile_label: list[int] = field(default_factory=list)  # root -> profile whose id shows
    profile_members: list[list[int] | None] = field(default_factory=list)  # by root
    profile_merged: dict[int, list[int]] = field(default_factory=dict)  # label -> labels
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # pos, into, from, via
    detachments: list[tuple[int, int, int, int]] = field(default_factory=list)  # pos, prof, id, by
    profile_ids: list[str] = field(default_factory=list)  # by profile index

    def roots(self) -> list[int]:
        """Profile roots that still hold identifiers, in creation order."""
        return [p for p, m in enumerate(self.profile_members) if m]


class _Blocker:
    """Answers whether a normalised identifier is a blocked value of the rule set (a value
    is compared as its kind's declaration normalises it)."""

    def __init__(self, ruleset: RuleSet) -> None:
        names = ruleset.kind_names()
        self.exact: list[set[str]] = [set() for _ in names]
        self.rx: list[list[re.Pattern[str]]] = [[] for _ in names]
        for b in ruleset.blocked:
            code = names.index(b.kind)
            if b.value is not None:
                self.exact[code].add(ruleset.identifiers[code].normalise(b.value))
            elif b.regex is not None:
                self.rx[code].append(re.compile(b.regex))

    def __call__(self, code: int, value: str) -> bool:
        if value in self.exact[code]:
            return True
        return any(r.fullmatch(value) for r in self.rx[code])


def event_order(events: Columns) -> list[int]:
    """Indexes of events sorted by (timestamp, event_id): the one order rules apply in."""
    if not len(events):
        return []
    table = pa.table({"ts": pa.array(events.ts, pa.int64()),
                      "id": pa.array(events.event_id, pa.string())})
    index = pc.sort_indices(table, sort_keys=[("ts", "ascending"), ("id", "ascending")])
    return list(index.to_pylist())


class _Replay:
    """Mutable state of one replay; :func:`resolve` is the public entry point."""

    def __init__(self, events: EventTable, ruleset: RuleSet) -> None:
        self.events = Columns(events)
        self.rs = ruleset
        self.names = ruleset.kind_names()
        self.code = {name: code for code, name in enumerate(self.names)}
        self.r = _Res(kind_names=self.names, order=event_order(self.events))
        self.blocker = _Blocker(ruleset)
        self.limits: list[tuple[int, bool] | None] = []
        for kind in self.names:
            lim = ruleset.limit_for(kind)
            self.limits.append(
                None if lim is None or lim.max is None
                else (lim.max, lim.past_limit == PastLimit.REPLACE)
            )
        self.parent: list[int] = []
        self.detached_at: dict[int, int] = {}

    # -- identifiers and profiles -------------------------------------------------------
    def find(self, p: int) -> int:
        parent = self.parent
        root = p
        while parent[root] != root:
            root = parent[root]
        while parent[p] != root:
            parent[p], p = root, parent[p]
        return root

    def new_profile(self, pos: int, x: int) -> int:
        r = self.r
        p = len(self.parent)
        self.parent.append(p)
        r.profile_created_at.append(pos)
        r.profile_created_for.append(x)
        r.profile_label.append(p)
        r.profile_members.append([x])
        r.ident_profile[x] = p
        return p

    def profile_of(self, x: int) -> int:
        p = self.r.ident_profile[x]
        return -1 if p < 0 else self.find(p)

    # -- limits ---------------------------------------------------------------------------
    def fits(
        self, root: int, incoming: list[int], carried: list[int]
    ) -> list[tuple[int, int]] | None:
        """Identifiers to detach so ``incoming`` can join ``root``, each with the one it
        gives way to; None when refused."""
        kinds = self.r.ident_kind
        members = self.r.profile_members[root] or []
        detach: list[tuple[int, int]] = []
        codes = {kinds[m] for m in incoming}  # only kinds that arrive can overflow
        for code, lim in enumerate(self.limits):
            if lim is None or code not in codes:
                continue
            limit, replace = lim
            cur = [m for m in members if kinds[m] == code]
            inc = [m for m in incoming if kinds[m] == code]
            if len(cur) + len(inc) <= limit:
                continue
            v = carried[code]
            if not replace or v < 0 or self.r.ident_blocked[v]:
                return None
            if v in cur or v in inc:  # the event's own value wins: the earliest others go
                others = [m for m in cur + inc if m != v]
                detach.extend((m, v) for m in others[: len(others) - (limit - 1)])
            else:  # it has not landed (and may never): root keeps its own (SPEC section 3)
                need = len(cur) + len(inc) - limit
                detach.extend((m, cur[0] if cur else -1) for m in inc[:need])
        return detach

    def detach(self, pos: int, root: int, idents: list[tuple[int, int]]) -> None:
        r = self.r
        members = r.profile_members[root]
        assert members is not None
        for m, by in idents:
            members.remove(m)
            r.ident_profile[m] = -1
            self.detached_at[m] = pos
            r.detachments.append((pos, r.profile_label[root], m, by))

    def merge(self, pos: int, root: int, other: int, via: int) -> int:
        """Bring profile ``other`` into ``root``; ``root``'s label (id) is kept."""
        r = self.r
        label, other_label = r.profile_label[root], r.profile_label[other]
        big, small = root, other
        mb, ms = r.profile_members[big], r.profile_members[small]
        assert mb is not None and ms is not None
        if len(ms) > len(mb):
            big, small, mb, ms = small, big, ms, mb
        self.parent[small] = big
        mb.extend(ms)
        r.profile_members[small] = None
        r.profile_label[big] = label
        merged = r.profile_merged.setdefault(label, [])
        merged.append(other_label)
        merged.extend(r.profile_merged.pop(other_label, []))
        r.merges.append((pos, label, other_label, via))
        return big

    def edge(self, pos: int, src: int, dst: int, rule: int) -> None:
        r = self.r
        r.edge_at.append(pos)
        r.edge_src.append(src)
        r.edge_dst.append(dst)
        r.edge_rule.append(rule)

    # -- the replay ----------------------------------------------------------------------
    def _intern_columns(self, cols: list[list[str | None]]) -> list[list[int]]:
        """Identifier ids per kind column, numbered by first appearance in event order."""
        r = self.r
        out: list[list[int]] = []
        for code, col in enumerate(cols):
            uniq = list(dict.fromkeys(v for v in col if v is not None))
            base = len(r.ident_kind)
            table = {v: base + j for j, v in enumerate(uniq)}
            r.ident_kind.extend([code] * len(uniq))
            r.ident_value.extend(uniq)
            if self.rs.blocked:
                r.ident_blocked.extend(self.blocker(code, v) for v in uniq)
            else:
                r.ident_blocked.extend([False] * len(uniq))
            out.append([-1 if v is None else table[v] for v in col])
        n = len(r.ident_kind)
        r.ident_profile = [-1] * n
        r.ident_consent = [None] * n
        r.ident_consent_at = [-1] * n
        return out

    def run(self) -> _Res:
        ev, r, rs = self.events, self.r, self.rs
        order = r.order

        def perm(col: list[T]) -> list[T]:
            return [col[i] for i in order]

        # every declared kind, in declaration order (the kind codes)
        ids_by_kind = self._intern_columns([perm(ev.of(name)) for name in self.names])
        email_ids, phone_ids = ids_by_kind[self.code["email"]], ids_by_kind[self.code["phone"]]
        strong = [ids_by_kind[self.code[k]] for k in rs.strength]
        type_code = {name: i for i, name in enumerate(rs.event_types)}
        types = [type_code[t] for t in perm(ev.type)]
        modes = [_MODE_CODE[t.link] for t in rs.event_types.values()]
        absorbs = [frozenset(self.code[k] for k in t.absorb_profiles_known_only_by)
                   for t in rs.event_types.values()]
        blocked, kinds = r.ident_blocked, r.ident_kind
        consent, consent_at, prof = r.ident_consent, r.ident_consent_at, r.ident_profile
        email_consent, sms_consent = perm(ev.email_consent), perm(ev.sms_consent)
        for pos in range(len(order)):
            e, p = email_ids[pos], phone_ids[pos]
            if e >= 0 and email_consent[pos] is not None and not blocked[e]:
                consent[e], consent_at[e] = email_consent[pos], pos
            if p >= 0 and sms_consent[pos] is not None and not blocked[p]:
                consent[p], consent_at[p] = sms_consent[pos], pos
            ids = [col[pos] for col in strong if col[pos] >= 0]
            if len(ids) == 1:  # the common case: one identifier, nothing to link
                x = ids[0]
                if prof[x] < 0 and not blocked[x]:
                    self.new_profile(pos, x)
                continue
            if ids:
                t = types[pos]
                carried = [col[pos] for col in ids_by_kind]
                self.apply(pos, ids, carried, modes[t], absorbs[t], blocked, kinds)
        self.finish()
        return r

    def apply(
        self, pos: int, ids: list[int], carried: list[int], mode: int,
        absorb: frozenset[int], blocked: list[bool], kinds: list[int],
    ) -> None:
        """Land one event on its strongest identifier's profile and decide its edges."""
        anchor = next((x for x in ids if not blocked[x]), -1)
        if anchor < 0:
            for x in ids[1:]:
                self.edge(pos, ids[0], x, BLOCKED_VALUE)
            return
        root = self.profile_of(anchor)
        if root < 0:
            root = self.new_profile(pos, anchor)
        rule_ok = MERGE if mode == 0 else ATTACH
        for x in ids:
            if x == anchor:
                continue
            if blocked[x]:
                self.edge(pos, anchor, x, BLOCKED_VALUE)
                continue
            other = self.profile_of(x)
            if mode == 2:
                self.edge(pos, anchor, x, NEVER_MERGES)
                if other < 0:
                    self.new_profile(pos, x)
                continue
            if other == root:
                self.edge(pos, anchor, x, rule_ok)
                continue
            if other < 0:
                detach = self.fits(root, [x], carried)
                if detach is None:
                    self.edge(pos, anchor, x, LIMIT)
                    self.new_profile(pos, x)
                    continue
                members = self.r.profile_members[root]
                assert members is not None
                members.append(x)
                self.r.ident_profile[x] = root
                self.detach(pos, root, detach)
                self.edge(pos, anchor, x, rule_ok)
                continue
            incoming = self.r.profile_members[other] or []
            if mode == 0:
                rule = MERGE
            elif kinds[x] in absorb and incoming == [x]:
                rule = ABSORB
            else:
                self.edge(pos, anchor, x, ATTACH_ONLY)
                continue
            detach = self.fits(root, incoming, carried)
            if detach is None:
                self.edge(pos, anchor, x, LIMIT)
                continue
            root = self.merge(pos, root, other, x)
            self.detach(pos, root, detach)
            self.edge(pos, anchor, x, rule)

    def finish(self) -> None:
        """Point identifiers at their roots, supersede edges of detached ones, name profiles."""
        r = self.r
        r.ident_profile = [self.profile_of(x) for x in range(len(r.ident_kind))]
        if self.detached_at:
            last = self.detached_at
            for e, (pos, src, dst, rule) in enumerate(
                zip(r.edge_at, r.edge_src, r.edge_dst, r.edge_rule, strict=True)
            ):
                if rule in (MERGE, ATTACH, ABSORB) and (
                    last.get(src, -1) >= pos or last.get(dst, -1) >= pos
                ):
                    r.edge_rule[e] = SUPERSEDED
        eid, order = self.events.event_id, r.order
        kinds, values = r.ident_kind, r.ident_value
        r.profile_ids = [
            profile_id_for(eid[order[at]], self.names[kinds[x]], values[x])
            for at, x in zip(r.profile_created_at, r.profile_created_for, strict=True)
        ]


class _RefRows:
    """Derived state of a store, as plain tuples ready for bulk writes."""

    def __init__(self, events: EventTable, res: _Res) -> None:
        self.events = Columns(events)
        self.res = res
        prefix = [f"{k}:" for k in res.kind_names]
        #: ``kind:value`` of every identifier, by identifier number
        self.keys = [prefix[k] + v for k, v in zip(res.ident_kind, res.ident_value, strict=True)]

    def _key(self, x: int) -> str:
        return self.keys[x]

    def _eid(self, pos: int) -> str:
        return str(self.events.event_id[self.res.order[pos]])

    def _ts(self, pos: int) -> int:
        return int(self.events.ts[self.res.order[pos]])

    def identifiers(self) -> Iterable[IdentRow]:
        """(key, kind, value, profile_id, blocked, consent, consent_event_id)."""
        r = self.res
        pids, label = r.profile_ids, r.profile_label
        eid, order = self.events.event_id, r.order
        return zip(
            self.keys, [r.kind_names[k] for k in r.ident_kind], r.ident_value,
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
        email_consent, sms_consent, created_ts, other_ids), lists as JSON text; other_ids
        holds the ``kind:value`` of every other declared kind, by declaration then value."""
        r = self.res
        kinds, values, consent = r.ident_kind, r.ident_value, r.ident_consent
        ids, label_of, created_at = r.profile_ids, r.profile_label, r.profile_created_at
        eid, ts, order, keys = self.events.event_id, self.events.ts, r.order, self.keys
        merged = r.profile_merged
        # the kind codes of those a profile lists in a field of its own (-1: not declared);
        # the others go in other_ids
        own = {k: r.kind_names.index(k) if k in r.kind_names else -1 for k in PROFILE_FIELDS}
        email, phone, ext = own["email"], own["phone"], own["external_id"]
        others = [code for code, name in enumerate(r.kind_names) if name not in own]
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
                       f'["{v}"]' if k == email else "[]", f'["{v}"]' if k == phone else "[]",
                       _json_list([v]) if k == ext else "[]",
                       _plain_list([ids[q] for q in merged.get(label, [])], False),
                       c if k == email else None, c if k == phone else None, ts[i],
                       _json_list([keys[m]]) if k in others else "[]")
                continue
            by_kind: list[list[int]] = [[] for _ in r.kind_names]
            for m in members:
                by_kind[kinds[m]].append(m)
            # a profile's consent is that of its current (latest attached) email / phone
            consents = [
                (consent[ms[-1]] or "never_subscribed") if ms else None
                for ms in (by_kind[email], by_kind[phone])
            ]
            yield (
                ids[label], eid[i], keys[r.profile_created_for[label]],
                _plain_list([values[m] for m in by_kind[email]]),
                _plain_list([values[m] for m in by_kind[phone]]),
                _json_list([values[m] for m in by_kind[ext]] if ext >= 0 else []),
                _plain_list([ids[q] for q in merged.get(label, [])], False),
                consents[0], consents[1], ts[i],
                _json_list([k for code in others for k in sorted(keys[m] for m in by_kind[code])],
                           sort=False),
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


def _json_list(values: list[str], sort: bool = True) -> str:
    """JSON for free-text values (ids of any kind): escaped only when they need it."""
    if any('"' in v or "\\" in v or not v.isprintable() for v in values):
        return json.dumps(sorted(values) if sort else values, ensure_ascii=False)
    return _plain_list(values, sort)


def reference_rows(events: EventTable, ruleset: RuleSet) -> dict[str, list[tuple[Any, ...]]]:
    rows = _RefRows(events, _Replay(events, ruleset).run())
    return {"identifiers": list(rows.identifiers()), "edges": list(rows.edges()),
            "profiles": list(rows.profiles()), "log": list(rows.log())}
