"""The decision logic: replay events in (timestamp, event_id) order and decide every edge.

Pure and storage-free: an :class:`EventTable` and a :class:`RuleSet` in, a
:class:`Resolution` (numpy and Arrow arrays) out. Identifiers are interned to integers per
kind, numbered by first appearance in event order, kind after kind in the rule set's
declaration order (by default external ids, then emails, then phones); the replay itself
is engine/replay_kernel.py, built ahead of time or compiled by numba (engine/kernels.py).

For each event, in order:

- consent it carries is recorded on its (non-blocked) email and phone;
- an event with one identifier only creates a profile for it when it has none;
- otherwise the event lands on the profile of its strongest non-blocked identifier (a new
  profile when it has none; with every identifier blocked, only ``blocked_value`` edges),
  and each other identifier, in strength order, gets one edge:
  ``blocked_value`` when blocked; with link mode ``none`` ``never_merges`` (and a profile of
  its own when it has none); ``merge``/``attach`` when already on that profile; when on no
  profile it attaches if the limits allow (else ``limit``, and a profile of its own); when
  on another profile, a ``merge`` type brings that profile along, an ``attach`` type only
  absorbs a profile known only by it (``absorb``, when the type lists its kind), else
  ``attach_only``; a merge past a ``refuse`` limit is ``limit``.
- Limits: only kinds that arrive can overflow. Past a ``replace`` limit the event's own
  identifier of that kind stays and the earliest others (the profile's, in member order,
  then the arriving ones) are detached; when the event's own is not there (yet: its link
  may be refused later), the profile keeps its own and the arriving ones are detached, so
  a profile never loses its identifier to one that does not land on it (SPEC section 3);
  without such an identifier (or with a blocked one) the link is refused. A merge keeps
  the landing profile's id (label) and records the labels merged into it; the larger side
  stays the union-find root.
- After the replay, merging edges of an identifier detached at or after them become
  ``superseded``. Profile ids derive from the creating event and identifier (engine/ids.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from identigraph.engine.columns import event_order, int64_column, intern
from identigraph.engine.ids import profile_ids
from identigraph.engine.kernels import connected_groups, replay
from identigraph.events import EventTable
from identigraph.heap import give_back
from identigraph.rules.model import DEFAULT_IDENTIFIERS, LinkMode, PastLimit, RuleSet

#: The kinds of a rule set that declares none (their codes: 0, 1, 2).
KIND_NAMES: tuple[str, ...] = tuple(k.name for k in DEFAULT_IDENTIFIERS)
_MODE_CODE = {LinkMode.MERGE: 0, LinkMode.ATTACH: 1, LinkMode.NONE: 2}
I32 = NDArray[np.int32]


@dataclass(slots=True, eq=False)
class Resolution:
    """Everything the replay decided. A *position* indexes events in (ts, event_id) order,
    ``order[position]`` is the event's row in the table; identifiers and profiles are
    numbers (profile numbers in creation order; a profile's *root* is its union-find root,
    its *label* the profile whose id it shows)."""

    kind_names: tuple[str, ...]  # the rule set's identifier kinds, by kind code
    order: I32  # int32 like every per-event array here: a 10M replay holds less
    event_id: pa.Array  # by table row (string)
    ts: NDArray[np.int64]  # by table row
    type_names: pa.Array  # event type names, indexed by ``type_index``
    type_index: I32  # by table row
    ident_kind: NDArray[np.int8]  # kind code (index in ``kind_names``)
    ident_value: pa.Array  # string
    ident_blocked: NDArray[np.bool_]
    ident_profile: I32  # root, -1 when none
    ident_consent: I32  # index in ``consent_values``, -1 when none
    ident_consent_at: I32  # position of the event that set it, -1 when none
    consent_values: pa.Array  # the consent strings events carry
    edge_at: I32  # position
    edge_src: I32
    edge_dst: I32
    edge_rule: NDArray[np.int8]  # rules/decisions.py codes
    profile_created_at: I32  # position, by profile number
    profile_created_for: I32  # identifier
    profile_label: I32  # by root
    profile_ids: pa.Array  # by profile number (string)
    live: I32  # roots still holding identifiers, ascending: the profiles there are
    live_size: I32  # their member counts
    live_head: I32  # their first member
    live_last: I32  # [live, 2]: last email and phone in member order, -1 when none
    members: I32  # members of the live profiles, by kind then live profile, member order
    member_offsets: I32  # [kind of member_kinds, live + 1] into ``members``
    member_kinds: tuple[int, ...]  # the kind codes replayed (those the events carry)
    merged: I32  # labels merged into each live profile, in merge order
    merged_offsets: I32  # [live + 1] into ``merged``
    merge_at: I32  # merges: position, label kept, label merged away, identifier via
    merge_into: I32
    merge_from: I32
    merge_via: I32
    detach_at: I32  # replacements: position, label, identifier detached, by (-1 none)
    detach_profile: I32
    detach_ident: I32
    detach_by: I32
    group_at: I32  # connected group of each event (engine/groups.py), by position
    ident_group: I32  # group of each identifier, -1 when blocked

    def keys(self, rows: pa.Array | NDArray[np.integer]) -> pa.Array:
        """``kind:value`` of these identifiers (a null row gives null), built when asked
        for: a store writes them a slice at a time, so the replay does not hold every key
        beside every value (~24 MB per 1M events)."""
        take = rows if isinstance(rows, pa.Array) else pa.array(rows)
        prefix = pa.array([f"{name}:" for name in self.kind_names], pa.string())
        return pc.binary_join_element_wise(
            prefix.take(pa.array(self.ident_kind).take(take)), self.ident_value.take(take), "")

    @property
    def ident_key(self) -> pa.Array:
        """``kind:value`` of every identifier, by number."""
        return self.keys(np.arange(len(self.ident_kind)))

    def member_offsets_of(self, code: int) -> I32 | None:
        """[live + 1] offsets into ``members`` of one kind's members (None: no event
        carries that kind)."""
        if code not in self.member_kinds:
            return None
        offsets: I32 = self.member_offsets[self.member_kinds.index(code)]
        return offsets

    def roots(self) -> list[int]:
        """Profile roots that still hold identifiers, in creation order."""
        return [int(p) for p in self.live]


class _Blocker:
    """Which distinct values of a kind are blocked values of the rule set; also the rule
    set's identifier kinds (``names``, by kind code)."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.names = ruleset.kind_names()
        self.exact: list[set[str]] = [set() for _ in self.names]
        self.rx: list[list[re.Pattern[str]]] = [[] for _ in self.names]
        for b in ruleset.blocked:
            code = self.names.index(b.kind)
            if b.value is not None:
                self.exact[code].add(ruleset.identifiers[code].normalise(b.value))
            elif b.regex is not None:
                self.rx[code].append(re.compile(b.regex))

    def __call__(self, code: int, values: pa.Array) -> NDArray[np.bool_]:
        out = np.zeros(len(values), np.bool_)
        if self.exact[code]:
            hit = pc.is_in(values, value_set=pa.array(sorted(self.exact[code]), pa.string()))
            out |= np.asarray(hit.to_numpy(zero_copy_only=False), dtype=np.bool_)
        if self.rx[code]:  # Python's regex semantics, so only distinct values, one by one
            rx = self.rx[code]
            out |= np.fromiter((any(r.fullmatch(v) for r in rx) for v in values.to_pylist()),
                               np.bool_, len(values))
        return out


def blocked_values(ruleset: RuleSet, kind: str, values: pa.Array) -> NDArray[np.bool_]:
    """Which of these values of one of the rule set's identifier kinds are its blocked
    values: the replay's own test, for engines that group events before they replay them."""
    blocker = _Blocker(ruleset)
    return blocker(blocker.names.index(kind), values)


def _interned(
    events: EventTable, order: NDArray[np.integer], blocker: _Blocker
) -> tuple[dict[int, I32], NDArray[np.int8], pa.Array, NDArray[np.bool_]]:
    """By kind code, the identifier number each event (by position) carries (-1 none), for
    the kinds the events carry; and each identifier's kind, value and whether it is
    blocked. A kind without a column of its own is skipped (no column of nulls made)."""
    by_kind: dict[int, I32] = {}
    kinds: list[NDArray[np.int8]] = []
    values: list[pa.Array] = []
    blocked: list[NDArray[np.bool_]] = []
    base = 0
    for code, name in enumerate(blocker.names):
        if name not in events.table.schema.names:
            continue
        codes, uniq = intern(events.column(name), order)
        give_back()  # the encoding's temporaries, before the next kind's
        if not len(uniq):  # all null: a kind it carries none of
            continue
        codes[codes >= 0] += base
        by_kind[code] = codes
        kinds.append(np.full(len(uniq), code, np.int8))
        values.append(uniq)
        blocked.append(blocker(code, uniq))
        base += len(uniq)
    if not values:
        return by_kind, np.zeros(0, np.int8), pa.array([], pa.string()), np.zeros(0, np.bool_)
    return (by_kind, np.concatenate(kinds), pa.concat_arrays(values),
            np.concatenate(blocked))


def carried_by_kind(by_kind: dict[int, I32], events: int) -> I32:
    """[event, kind carried]: the identifier numbers of :func:`_interned`'s kinds side by
    side (one column of -1 when the events carry none)."""
    if not by_kind:
        return np.full((events, 1), -1, np.int32)
    return np.stack([by_kind[code] for code in sorted(by_kind)], axis=1)


def _consent_codes(events: EventTable, order: NDArray[np.integer]) -> tuple[I32, pa.Array]:
    """[position, 2]: the email and SMS consent each event carries, as codes (-1 none) of
    the consent values returned."""
    values: dict[str, int] = {}
    codes = []
    for name in ("email_consent", "sms_consent"):
        encoded = events.column(name).dictionary_encode()
        remap = np.array([values.setdefault(v, len(values))
                          for v in encoded.dictionary.to_pylist()] + [-1], np.int32)
        index = np.asarray(encoded.indices.fill_null(-1).to_numpy(), dtype=np.int64)
        codes.append(remap[index][order])  # a null's -1 picks the trailing -1
    return np.stack(codes, axis=1), pa.array(list(values), pa.string())


@dataclass(slots=True, eq=False)
class Prepared:
    """A replay's inputs as integer arrays, before the kernel runs: the events' order, their
    interned identifiers and their connected groups. Once prepared, the events themselves
    are needed only to be stored."""

    ruleset: RuleSet
    type_names: pa.Array
    type_index: I32
    event_id: pa.Array
    ts: NDArray[np.int64]
    order: I32
    kind: NDArray[np.int8]
    value: pa.Array
    blocked: NDArray[np.bool_]
    present: list[int]
    carried: I32
    group_at: I32
    ident_group: I32
    consent_ev: I32
    consent_values: pa.Array


def groups_by_row(order: NDArray[np.integer], group_at: NDArray[np.integer]
                  ) -> NDArray[np.int64]:
    """The connected group of each event by table row, from a replay's (or a preparation's)
    event order and groups by position."""
    by_row = np.empty(len(order), np.int64)
    by_row[order] = group_at
    return by_row


def prepare(events: EventTable, ruleset: RuleSet) -> Prepared:
    """Everything of a replay but the kernel: checks the event types, orders the events,
    interns their identifiers and numbers their connected groups."""
    types = events.column("type").dictionary_encode()
    names: list[str] = types.dictionary.to_pylist()
    unknown = set(names) - set(ruleset.event_types)
    if unknown:
        raise ValueError(f"event types not in rule set {ruleset.name}: {sorted(unknown)}")
    event_id = events.column("event_id")
    ts = int64_column(events.column("ts"))
    order = event_order(ts, event_id).astype(np.int32)
    by_kind, kind, value, blocked = _interned(events, order, _Blocker(ruleset))
    give_back()  # the interning's sorted copies of the identifier columns
    # only the kinds the events carry are replayed (their arrays sized by those alone):
    # a kind no event carries can neither link nor overflow a limit
    present = sorted(by_kind) or [0]
    carried = carried_by_kind(by_kind, len(events))
    del by_kind
    group_at, ident_group = _groups(carried, blocked)
    consent_ev, consent_values = _consent_codes(events, order)
    give_back()  # the consent columns' encodings
    return Prepared(ruleset=ruleset, type_names=types.dictionary,
                    type_index=np.asarray(types.indices.to_numpy(), dtype=np.int32),
                    event_id=event_id, ts=ts, order=order, kind=kind, value=value,
                    blocked=blocked, present=present, carried=carried, group_at=group_at,
                    ident_group=ident_group, consent_ev=consent_ev,
                    consent_values=consent_values)


def resolve(events: EventTable, ruleset: RuleSet) -> Resolution:
    """Replay all events under a rule set; the result depends only on the set of events."""
    return replay_prepared(prepare(events, ruleset))


def replay_prepared(p: Prepared) -> Resolution:
    """The replay of prepared events (the kernel, then profile ids): :func:`resolve`'s
    second half. ``p`` lets go of its identifier arrays (``carried``) meanwhile."""
    ruleset = p.ruleset
    names: list[str] = p.type_names.to_pylist()
    type_code = {name: i for i, name in enumerate(ruleset.event_types)}
    kind_names = ruleset.kind_names()
    code_of = {name: code for code, name in enumerate(kind_names)}
    present = p.present
    compact = np.full(len(kind_names), -1, np.int32)
    compact[present] = np.arange(len(present), dtype=np.int32)
    limits = [ruleset.limit_for(kind_names[code]) for code in present]
    carried, p.carried = p.carried, np.zeros((0, 1), np.int32)
    order = p.order
    out = replay(
        carried=carried,
        strength=np.array([compact[code_of[k]] for k in ruleset.strength
                           if compact[code_of[k]] >= 0], np.int32),
        etype=np.array([type_code[t] for t in names], np.int32)[p.type_index][order],
        modes=np.array([_MODE_CODE[t.link] for t in ruleset.event_types.values()], np.int32),
        absorbs=np.array([sum(1 << int(compact[code_of[k]])
                              for k in t.absorb_profiles_known_only_by
                              if compact[code_of[k]] >= 0)
                          for t in ruleset.event_types.values()], np.int32),
        consent_ev=p.consent_ev,
        kind=compact[p.kind].astype(np.int8),
        blocked=p.blocked,
        lim_max=np.array([-1 if lim is None or lim.max is None else lim.max
                          for lim in limits], np.int32),
        lim_replace=np.array([lim is not None and lim.past_limit == PastLimit.REPLACE
                              for lim in limits], np.bool_),
        consent_kind=np.array([compact[code_of[k]] if k in code_of else -1
                               for k in ("email", "phone")], np.int32),
    )
    del carried
    give_back()  # the kernel's working arrays
    res = Resolution(
        kind_names=kind_names, order=order, event_id=p.event_id, ts=p.ts,
        type_names=p.type_names, type_index=p.type_index, ident_kind=p.kind,
        ident_value=p.value, ident_blocked=p.blocked, ident_profile=out.ident_profile,
        ident_consent=out.ident_consent, ident_consent_at=out.ident_consent_at,
        consent_values=p.consent_values, edge_at=out.edge_at, edge_src=out.edge_src,
        edge_dst=out.edge_dst, edge_rule=out.edge_rule,
        profile_created_at=out.profile_created_at,
        profile_created_for=out.profile_created_for, profile_label=out.profile_label,
        profile_ids=pa.array([], pa.string()),  # below: they hash the keys
        live=out.live, live_size=out.live_size, live_head=out.live_head,
        live_last=out.live_last, members=out.members,
        member_offsets=out.member_offsets, member_kinds=tuple(present),
        merged=out.merged, merged_offsets=out.merged_offsets, merge_at=out.merge_at,
        merge_into=out.merge_into, merge_from=out.merge_from, merge_via=out.merge_via,
        detach_at=out.detach_at, detach_profile=out.detach_profile,
        detach_ident=out.detach_ident, detach_by=out.detach_by, group_at=p.group_at,
        ident_group=p.ident_group,
    )
    # the creators' ids gathered by Arrow first: its take overlaps the random reads better
    res.profile_ids = profile_ids(p.event_id.take(pa.array(order[out.profile_created_at])),
                                  res.keys, out.profile_created_for)
    return res


def _groups(carried: I32, blocked: NDArray[np.bool_]) -> tuple[I32, I32]:
    """Connected group of each event (by position) and of each identifier (-1 blocked)."""
    group_at = connected_groups(carried, blocked).astype(np.int32)
    ident_group = np.full(len(blocked), -1, np.int32)
    for j in range(carried.shape[1]):
        col = carried[:, j]
        has = col >= 0
        ident_group[col[has]] = group_at[has]
    ident_group[blocked] = -1
    return group_at, ident_group


def warm_up(ruleset: RuleSet) -> None:
    """Load the replay kernels ahead of the first real replay (numba's take ~0.6 s per
    process, a build ahead of time next to nothing); a load runs this on a thread while it
    reads its files."""
    kind = next(iter(ruleset.event_types))
    tiny = EventTable.of({
        "event_id": ["warm-1", "warm-2"], "ts": [1, 2], "type": [kind, kind],
        "email": ["a@example.com", "a@example.com"], "phone": ["+14155550101", None],
        "external_id": [None, "x"], "email_consent": [None, "subscribed"],
        "sms_consent": ["subscribed", None]})
    resolve(tiny, ruleset)
