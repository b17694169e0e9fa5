"""The decision logic: replay events in (timestamp, event_id) order and decide every edge.

Pure and storage-free: an :class:`EventTable` and a :class:`RuleSet` in, a
:class:`Resolution` out. Identifiers and profiles are small integers internally, so a
million events need no per-edge Python objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from identigraph.events import EventTable
from identigraph.model import Kind
from identigraph.rules.decisions import (
    ABSORB,
    ATTACH,
    ATTACH_ONLY,
    BLOCKED_VALUE,
    LIMIT,
    MERGE,
    NEVER_MERGES,
    SUPERSEDED,
)
from identigraph.rules.ids import profile_id_for
from identigraph.rules.model import LinkMode, PastLimit, RuleSet

_KIND_CODE = {Kind.EXTERNAL_ID: 0, Kind.EMAIL: 1, Kind.PHONE: 2}
KIND_NAMES: tuple[str, str, str] = ("external_id", "email", "phone")
_MODE_CODE = {LinkMode.MERGE: 0, LinkMode.ATTACH: 1, LinkMode.NONE: 2}
T = TypeVar("T")


@dataclass(slots=True)
class Resolution:
    """Everything the replay decided; positions refer to ``order`` (events sorted)."""

    order: list[int]  # event table index of the k-th event in (ts, event_id) order
    ident_kind: list[int] = field(default_factory=list)  # 0 external_id, 1 email, 2 phone
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
    """Answers whether a normalised identifier is a blocked value of the rule set."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.exact: list[set[str]] = [set(), set(), set()]
        self.rx: list[list[re.Pattern[str]]] = [[], [], []]
        for b in ruleset.blocked:
            code = _KIND_CODE[b.kind]
            if b.value is not None:
                self.exact[code].add(b.value.strip().lower() if code == 1 else b.value.strip())
            elif b.regex is not None:
                self.rx[code].append(re.compile(b.regex))

    def __call__(self, code: int, value: str) -> bool:
        if value in self.exact[code]:
            return True
        return any(r.fullmatch(value) for r in self.rx[code])


def event_order(events: EventTable) -> list[int]:
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
        self.events = events
        self.rs = ruleset
        self.r = Resolution(order=event_order(events))
        self.blocker = _Blocker(ruleset)
        self.limits: list[tuple[int, bool] | None] = []
        for kind in (Kind.EXTERNAL_ID, Kind.EMAIL, Kind.PHONE):
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
        self, root: int, incoming: list[int], carried: tuple[int, int, int]
    ) -> list[int] | None:
        """Identifiers to detach so ``incoming`` can join ``root``; None when refused."""
        kinds = self.r.ident_kind
        members = self.r.profile_members[root] or []
        detach: list[int] = []
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
            others = [m for m in cur + inc if m != v]
            detach.extend(others[: len(others) - (limit - 1)])
        return detach

    def detach(self, pos: int, root: int, idents: list[int], by: tuple[int, int, int]) -> None:
        r = self.r
        members = r.profile_members[root]
        assert members is not None
        for m in idents:
            members.remove(m)
            r.ident_profile[m] = -1
            self.detached_at[m] = pos
            r.detachments.append((pos, r.profile_label[root], m, by[r.ident_kind[m]]))

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

    def run(self) -> Resolution:
        ev, r, rs = self.events, self.r, self.rs
        order = r.order

        def perm(col: list[T]) -> list[T]:
            return [col[i] for i in order]

        ids_by_kind = self._intern_columns(
            [perm(ev.external_id), perm(ev.email), perm(ev.phone)])
        ext_ids, email_ids, phone_ids = ids_by_kind
        s0, s1, s2 = (ids_by_kind[_KIND_CODE[k]] for k in rs.strength)
        type_code = {name: i for i, name in enumerate(rs.event_types)}
        types = [type_code[t] for t in perm(ev.type)]
        modes = [_MODE_CODE[t.link] for t in rs.event_types.values()]
        absorbs = [frozenset(_KIND_CODE[k] for k in t.absorb_profiles_known_only_by)
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
            ids = [x for x in (s0[pos], s1[pos], s2[pos]) if x >= 0]
            if len(ids) == 1:  # the common case: one identifier, nothing to link
                x = ids[0]
                if prof[x] < 0 and not blocked[x]:
                    self.new_profile(pos, x)
                continue
            if ids:
                t = types[pos]
                self.apply(pos, ids, (ext_ids[pos], e, p), modes[t], absorbs[t], blocked, kinds)
        self.finish()
        return r

    def apply(
        self, pos: int, ids: list[int], carried: tuple[int, int, int], mode: int,
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
                self.detach(pos, root, detach, carried)
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
            self.detach(pos, root, detach, carried)
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
            profile_id_for(eid[order[at]], KIND_NAMES[kinds[x]], values[x])
            for at, x in zip(r.profile_created_at, r.profile_created_for, strict=True)
        ]


def resolve(events: EventTable, ruleset: RuleSet) -> Resolution:
    """Replay all events under a rule set; the result depends only on the set of events."""
    unknown = set(events.type) - set(ruleset.event_types)
    if unknown:
        raise ValueError(f"event types not in rule set {ruleset.name}: {sorted(unknown)}")
    return _Replay(events, ruleset).run()
