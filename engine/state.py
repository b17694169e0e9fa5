"""The rows a store persists for one resolution: identical for every backend.

Both backends write exactly these rows, which is why they answer identically. They are
built column by column as Arrow tables (:meth:`StateRows.tables` / :meth:`StateRows.table`,
schemas in :data:`SCHEMAS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from identigraph.engine.columns import masked
from identigraph.engine.resolver import Resolution
from identigraph.events import FIELDS, EventTable
from identigraph.model import PROFILE_FIELDS
from identigraph.rules.decisions import MERGING, RULE_NAMES

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
        ("email_consent", _STR), ("sms_consent", _STR), ("created_ts", pa.int64()),
        ("other_ids", _LIST)]),
    "log": pa.schema([
        ("profile_id", _STR), ("event_id", _STR), ("ts", pa.int64()), ("action", _STR),
        ("identifier", _STR), ("other", _STR)]),
}
_NEVER = "never_subscribed"  # a profile's consent when its email / phone has none
#: The order a store writes the tables in when it writes them one after another, and the
#: replay's arrays no table after each one reads (:meth:`StateRows.written` lets go of them:
#: ~30 MB of a 1M first load's peak, which comes while the profiles are written)
WRITE_ORDER: tuple[str, ...] = ("edges", "identifiers", "profiles", "log")
_LAST_READ_BY: dict[str, tuple[str, ...]] = {
    "edges": ("edge_at", "edge_src", "edge_dst", "edge_rule", "type_index"),
    "identifiers": ("ident_profile", "ident_consent_at", "ident_blocked", "ident_group"),
    "profiles": ("live_size", "live_head", "live_last", "members", "member_offsets",
                 "merged", "merged_offsets", "ident_consent"),
}
_GONE_I32 = np.zeros(0, np.int32)
#: rows per slice of :meth:`StateRows.batches`: one of DuckDB's row groups (a store reads a
#: table's slices in one statement, as it fills its row groups)
SLICE_ROWS = 122_880


@dataclass(frozen=True)
class StateLinks:
    """Row numbers linking the tables of :meth:`StateRows.tables`: each identifier's profile
    row (-1 on none) and kind code (``Resolution.kind_names``), each edge's end identifier rows.
    They are what key lookups would find, without the lookups."""

    profile_row: NDArray[np.int64]
    kind: NDArray[np.int64]
    edge_src: NDArray[np.int64]
    edge_dst: NDArray[np.int64]


class State(Protocol):
    """What a store writes: the four tables, and how their rows refer to each other."""

    def tables(self) -> dict[str, pa.Table]:
        """Every table (schemas in :data:`SCHEMAS`)."""
        ...

    def table(self, name: str) -> pa.Table:
        """One table."""
        ...

    def links(self) -> StateLinks:
        """Row links between the tables (:class:`StateLinks`)."""
        ...

    @property
    def kind_names(self) -> tuple[str, ...]:
        """The identifier kinds, by the kind codes of :meth:`links`."""
        ...


class StateTables:
    """A state given as its tables (computed elsewhere: on Spark, or read from a store);
    each read once, when first asked for."""

    def __init__(self, read: Callable[[str], pa.Table], kind_names: tuple[str, ...]) -> None:
        self._read = read
        self._kind_names = kind_names
        self._tables: dict[str, pa.Table] | None = None

    @property
    def kind_names(self) -> tuple[str, ...]:
        """The identifier kinds (the rule set's), by kind code."""
        return self._kind_names

    def table(self, name: str) -> pa.Table:
        """One table, in :data:`SCHEMAS` form; read again each time unless :meth:`tables`
        has read them all (a columnar store writes one table after another)."""
        if self._tables is not None:
            return self._tables[name]
        return self._read(name).select(SCHEMAS[name].names).cast(SCHEMAS[name])

    def tables(self) -> dict[str, pa.Table]:
        """Every table, read once."""
        if self._tables is None:
            self._tables = {name: self.table(name) for name in SCHEMAS}
        return self._tables

    def links(self) -> StateLinks:
        """Row links, found by key (the tables hold keys, not row numbers)."""
        t = self.tables()
        ident, edges, profile_ids = t["identifiers"], t["edges"], t["profiles"]["profile_id"]

        def rows(values: pa.ChunkedArray, of: pa.ChunkedArray) -> NDArray[np.int64]:
            found = pc.index_in(values, value_set=of.combine_chunks())
            return np.asarray(found.fill_null(-1).to_numpy(), np.int64)

        keys = ident.column("key")
        return StateLinks(profile_row=rows(ident.column("profile_id"), profile_ids),
                          kind=rows(ident.column("kind"),
                                    pa.chunked_array([list(self._kind_names)])),
                          edge_src=rows(edges.column("src"), keys),
                          edge_dst=rows(edges.column("dst"), keys))


class StateRows:
    """Derived state of a store: Arrow tables, and the same rows as plain tuples."""

    def __init__(self, events: EventTable | None, res: Resolution,
                 channel: pa.Array | None = None) -> None:
        """Without ``events``, only their ``channel`` column (the edges') is kept: a first
        load lets go of its events once the store has written them (``row_keys`` then
        cannot be asked)."""
        if channel is None:
            if events is None:
                raise ValueError("StateRows needs the events or their channel column")
            channel = events.column("channel")
        self.channel = channel  # a first load's is a dictionary (EventTable.compacted)
        self.events = events
        self.res = res
        self._columns: dict[str, dict[str, Any]] = {}
        self._tables: dict[str, pa.Table] | None = None
        self._gone: set[str] = set()  # tables whose arrays were let go of (``written``)

    def written(self, name: str) -> None:
        """A store has written table ``name`` and writes the others after it in
        :data:`WRITE_ORDER`: let go of the replay's arrays only it (and tables before it)
        read. Asking for it, or a table before it, again is then an error."""
        at = WRITE_ORDER.index(name)
        for done in WRITE_ORDER[:at + 1]:
            if done in self._gone:
                continue
            self._gone.add(done)
            self._columns.pop(done, None)
            for field in _LAST_READ_BY.get(done, ()):
                setattr(self.res, field, _GONE_I32.astype(getattr(self.res, field).dtype))
            if done == "edges":
                self.channel = pa.nulls(0, pa.string())

    def _check(self, name: str) -> None:
        if name in self._gone:
            raise ValueError(f"the {name} table was written and its arrays let go of")

    def tables(self) -> dict[str, pa.Table]:
        """The rows as Arrow tables (schemas in :data:`SCHEMAS`), built once."""
        if self._gone:
            self._check(min(self._gone))
        if self._tables is None:
            self._tables = {name: pa.table(self.columns(name), schema=SCHEMAS[name])
                            for name in SCHEMAS}
        return self._tables

    def table(self, name: str) -> pa.Table:
        """One table, built on demand and not kept: a columnar store writes the tables one
        after another, so only one is in memory at a time."""
        self._check(name)
        if self._tables is not None:
            return self._tables[name]
        cols = self._columns.pop(name, None)
        return pa.table(cols if cols is not None else self._build(name), schema=SCHEMAS[name])

    def batches(self, name: str, rows: int | None = None,
                order: NDArray[np.integer] | None = None) -> Iterator[pa.RecordBatch]:
        """One table in slices of ``rows`` rows (:data:`SLICE_ROWS`), each built when asked
        for, its rows in ``order`` (row numbers; by default as :meth:`table` has them): a
        store that writes them one after another holds a slice, never the whole table (at
        1M events the profiles table alone is ~100 MB), even in an order of its own (by
        group). The log, smaller, is built whole and taken in order a slice at a time."""
        self._check(name)
        rows = rows or SLICE_ROWS
        size = self._size(name)
        if size is None or self._tables is not None:
            table = self.table(name)
            if order is None:
                yield from table.to_batches(rows)
                return
            for lo in range(0, len(order), rows):
                yield from table.take(pa.array(order[lo:lo + rows])).to_batches()
            return
        build = self._builders()[name]
        for lo in range(0, size, rows):
            at = (np.arange(lo, min(lo + rows, size)) if order is None
                  else np.asarray(order[lo:lo + rows], np.int64))
            yield pa.record_batch(build(at), schema=SCHEMAS[name])

    def _size(self, name: str) -> int | None:
        """Rows of a table built in slices (None: the log, built whole)."""
        r = self.res
        sizes = {"identifiers": len(r.ident_kind), "edges": len(r.edge_at),
                 "profiles": len(r.live)}
        return sizes.get(name)

    @property
    def kind_names(self) -> tuple[str, ...]:
        """The identifier kinds (the rule set's), by kind code."""
        return self.res.kind_names

    def links(self) -> StateLinks:
        """How the tables' rows refer to each other, as row numbers (no key lookups)."""
        r = self.res
        row_of_root = np.full(len(r.profile_label), -1, np.int64)
        row_of_root[r.live] = np.arange(len(r.live))
        profile_row = _at(row_of_root, r.ident_profile.astype(np.int64))
        return StateLinks(profile_row=profile_row,
                          kind=np.asarray(r.ident_kind, np.int64),
                          edge_src=np.asarray(r.edge_src, np.int64),
                          edge_dst=np.asarray(r.edge_dst, np.int64))

    def groups(self, name: str) -> NDArray[np.integer]:
        """The connected group (engine/groups.py) of each row of one table, in row order (-1
        for a blocked identifier): a store keeps it to rewrite only the groups a delta
        replays."""
        self._check(name)
        r = self.res
        if name == "identifiers":
            return r.ident_group
        if name == "edges":
            return r.group_at[r.edge_at]
        if name == "profiles":
            return r.group_at[r.profile_created_at[r.profile_label[r.live]]]
        return r.group_at[_log_positions(r)[1]]

    def row_keys(self, name: str) -> tuple[NDArray[np.int64], NDArray[np.int64],
                                            NDArray[np.int64]]:
        """Where each row of one table stands, as (section, event position, place): the
        table's section (an identifier's kind; the log's creations, merges, replacements),
        the position of the event that placed the row (an identifier's first event), and
        its place among the rows that event placed in the section. The rows are in this
        order; rows of separate replays of disjoint groups, sorted by (section, the event's
        time and id, place), are in the order of one replay of all their events."""
        r = self.res
        if name == "identifiers":
            return (r.ident_kind.astype(np.int64), self._first_positions(),
                    np.zeros(len(r.ident_kind), np.int64))
        if name == "edges":
            at = r.edge_at.astype(np.int64)
            return np.zeros(len(at), np.int64), at, _place(at)
        created = r.profile_created_at.astype(np.int64)
        if name == "profiles":
            live = r.live.astype(np.int64)
            return np.zeros(len(live), np.int64), created[live], _place(created)[live]
        dead, at = _log_positions(r)
        merges, detaches = 2 * len(r.merge_at), len(r.detach_at)
        section = np.repeat(np.arange(3, dtype=np.int64), [len(dead), merges, detaches])
        merge_place = 2 * np.repeat(_place(r.merge_at.astype(np.int64)), 2) + np.tile(
            np.arange(2, dtype=np.int64), len(r.merge_at))
        place = np.concatenate([_place(created)[dead], merge_place,
                                _place(r.detach_at.astype(np.int64))])
        return section, at, place

    def _first_positions(self) -> NDArray[np.int64]:
        """Position of the first event carrying each identifier (the replay numbers them,
        per kind, in that order)."""
        r, events = self.res, self.events
        if events is None:
            raise ValueError("a lean StateRows keeps no identifier columns")
        first = np.empty(len(r.ident_kind), np.int64)
        start = 0
        for name in r.kind_names:
            if name not in FIELDS and name not in events.namespaces:  # no ids of it
                continue
            ordered = events.column(name).take(pa.array(r.order))
            index = np.asarray(ordered.dictionary_encode().indices.fill_null(-1)
                               .to_numpy(zero_copy_only=False), np.int64)
            carried = np.flatnonzero(index >= 0)
            _, at = np.unique(index[carried], return_index=True)  # codes: first-seen order
            first[start:start + len(at)] = carried[at]
            start += len(at)
        return first

    def _builders(self) -> dict[str, Callable[[NDArray[np.int64]], dict[str, Any]]]:
        """The sliced tables' builders: the columns of some rows (row numbers)."""
        return {"identifiers": self._identifiers, "edges": self._edges,
                "profiles": self._profiles}

    def _build(self, name: str) -> dict[str, Any]:
        size = self._size(name)
        return self._log() if size is None else self._builders()[name](np.arange(size))

    def columns(self, name: str) -> dict[str, Any]:
        """One table's columns, as Arrow arrays or numpy arrays (numbers, booleans)."""
        self._check(name)
        if name not in self._columns:
            self._columns[name] = self._build(name)
        return self._columns[name]

    # -- the tables, column by column ----------------------------------------------------
    def _identifiers(self, rows: NDArray[np.int64]) -> dict[str, Any]:
        """One row per identifier, by number: its profile (label's id) and consent."""
        r = self.res
        root, at, consent = r.ident_profile[rows], r.ident_consent_at[rows], r.ident_consent[rows]
        take = pa.array(rows)
        return {
            "key": r.keys(take),
            "kind": pa.array(r.kind_names, pa.string()).take(pa.array(r.ident_kind[rows])),
            "value": r.ident_value.take(take),
            "profile_id": r.profile_ids.take(masked(_at(r.profile_label, root), root < 0)),
            "blocked": pa.array(r.ident_blocked[rows]),
            "consent": r.consent_values.take(masked(consent, consent < 0)),
            "consent_event": r.event_id.take(masked(_at(r.order, at), at < 0)),
        }

    def _edges(self, at: NDArray[np.int64]) -> dict[str, Any]:
        """One row per decided edge, in replay order, with its event and rule."""
        r = self.res
        rows = r.order[r.edge_at[at]]
        rule = r.edge_rule[at]
        take = pa.array(rows)
        return {
            "src": r.keys(r.edge_src[at]),
            "dst": r.keys(r.edge_dst[at]),
            "event_id": r.event_id.take(take),
            "type": r.type_names.take(pa.array(r.type_index[rows])),
            "channel": _text(self.channel.take(take)),
            "ts": r.ts[rows],
            "rule": pa.array(RULE_NAMES).take(pa.array(rule)),
            "merges": np.isin(rule, sorted(MERGING)),
        }

    def _profiles(self, at: NDArray[np.int64]) -> dict[str, Any]:
        """One row per live profile (by root): its id, creation, members, merged ids."""
        r = self.res
        label = r.profile_label[r.live[at]]
        created = r.order[r.profile_created_at[label]]
        # a profile left with one identifier shows it as ``created_for`` (as it always has)
        created_for = np.where(r.live_size[at] == 1, r.live_head[at],
                               r.profile_created_for[label])
        offsets, merged = _lists(r.merged_offsets, at)
        return {
            "profile_id": r.profile_ids.take(pa.array(label)),
            "created_by": r.event_id.take(pa.array(created)),
            "created_for": r.keys(created_for),
            # the kinds a profile lists in a field of its own (``emails``...)
            **{field: self._member_lists(kind, at) for kind, field in PROFILE_FIELDS.items()},
            "merged_ids": pa.ListArray.from_arrays(
                pa.array(offsets, pa.int32()), r.profile_ids.take(pa.array(r.merged[merged]))),
            "email_consent": self._profile_consent(0, at),
            "sms_consent": self._profile_consent(1, at),
            "created_ts": r.ts[created],
            "other_ids": self._other_ids(at),
        }

    def _other_ids(self, at: NDArray[np.int64]) -> pa.ListArray:
        """``kind:value`` of each live profile's identifiers of the namespaces beyond
        external_id, email and phone (a vendor id), by declaration order then value."""
        r = self.res
        n = len(at)
        rows, order, keys = [], [], []
        for code, name in enumerate(r.kind_names):
            of_kind = r.member_offsets_of(code)
            if name in PROFILE_FIELDS or of_kind is None:
                continue
            offsets, picked = _lists(of_kind, at)
            members = r.members[picked]
            rows.append(np.repeat(np.arange(n), np.diff(offsets)))
            order.append(np.full(len(members), code))
            keys.append(r.keys(members))
        if not keys or not sum(len(k) for k in keys):
            return pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, np.int32)),
                                            pa.array([], pa.string()))
        by = pa.table({"row": np.concatenate(rows), "code": np.concatenate(order),
                       "key": pa.concat_arrays(keys)})
        by = by.take(pc.sort_indices(by, sort_keys=[("row", "ascending"),
                                                    ("code", "ascending"),
                                                    ("key", "ascending")]))
        offsets = np.zeros(n + 1, np.int32)
        np.cumsum(np.bincount(by.column("row").to_numpy(), minlength=n), out=offsets[1:])
        return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()),
                                        by.column("key").combine_chunks())

    def _member_lists(self, name: str, at: NDArray[np.int64]) -> pa.ListArray:
        """Values of each live profile's identifiers of one kind, sorted (none when the rule
        set does not declare the kind)."""
        r = self.res
        of_kind = (r.member_offsets_of(r.kind_names.index(name)) if name in r.kind_names
                   else None)
        if of_kind is None:
            return pa.ListArray.from_arrays(pa.array(np.zeros(len(at) + 1, np.int32)),
                                            pa.array([], pa.string()))
        offsets, picked = _lists(of_kind, at)
        members = r.members[picked]
        counts = np.diff(offsets)
        if len(counts) and counts.max() > 1:  # sort within profiles holding several
            row = np.repeat(np.arange(len(counts)), counts)
            several = np.flatnonzero(counts[row] > 1)
            sub = members[several]
            by = pa.table({"row": row[several], "value": r.ident_value.take(pa.array(sub))})
            perm = pc.sort_indices(by, sort_keys=[("row", "ascending"), ("value", "ascending")])
            members[several] = sub[perm.to_numpy()]
        return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()),
                                        r.ident_value.take(pa.array(members)))

    def _profile_consent(self, which: int, at: NDArray[np.int64]) -> pa.Array:
        """Consent of each live profile's current (latest attached) email (``which`` 0) or
        phone (1)."""
        r = self.res
        last = r.live_last[at, which]
        values = pa.concat_arrays([r.consent_values, pa.array([_NEVER])])
        never = len(values) - 1  # also for an empty consent (``consent or _NEVER``)
        falsy = np.asarray(pc.equal(values, "").to_numpy(zero_copy_only=False), np.bool_)
        consent = _at(r.ident_consent, last)
        consent = np.where(consent < 0, never, consent)
        consent = np.where(falsy[consent], never, consent)
        return values.take(masked(consent, last < 0))

    def _log(self) -> dict[str, Any]:
        """Creations of merged-away profiles, then two rows per merge, then replacements."""
        r = self.res
        ids = r.profile_ids
        dead, at = _log_positions(r)
        m = len(r.merge_at)
        pair_into = np.empty(2 * m, np.int32)  # merged, merged_into: two rows per merge
        pair_into[0::2], pair_into[1::2] = r.merge_into, r.merge_from
        pair_other = np.empty(2 * m, np.int32)
        pair_other[0::2], pair_other[1::2] = r.merge_from, r.merge_into
        profile = np.concatenate([dead, pair_into, r.detach_profile])
        action = np.concatenate([np.zeros(len(dead), np.int8), np.tile([1, 2], m),
                                 np.full(len(r.detach_at), 3)]).astype(np.int8)
        ident = np.concatenate([r.profile_created_for[dead], np.repeat(r.merge_via, 2),
                                r.detach_ident])
        rows = pa.array(r.order[at])
        by = r.detach_by
        return {
            "profile_id": ids.take(pa.array(profile, pa.int32())),
            "event_id": r.event_id.take(rows),
            "ts": r.ts[r.order[at]],
            "action": pa.array(["created", "merged", "merged_into", "replaced"]).take(
                pa.array(action)),
            "identifier": r.keys(ident),
            "other": pa.concat_arrays([
                pa.nulls(len(dead), pa.string()), ids.take(pa.array(pair_other)),
                r.keys(masked(by, by < 0))]),
        }


def _text(values: pa.Array) -> pa.Array:
    """A text column as plain strings (a dictionary's decoded)."""
    return values.dictionary_decode() if pa.types.is_dictionary(values.type) else values


def _log_positions(r: Resolution) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The log's profiles created then merged away, and each log row's event position."""
    alive = np.zeros(len(r.profile_label), np.bool_)
    alive[r.profile_label[r.live]] = True
    dead = np.flatnonzero(~alive)  # live profiles keep their creation in the profiles table
    at = np.concatenate([r.profile_created_at[dead], np.repeat(r.merge_at, 2),
                         r.detach_at]).astype(np.int64)
    return dead, at


def _lists(offsets: NDArray[Any], at: NDArray[np.int64]
           ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Lists ``at`` of a list column given by ``offsets`` (list k: ``offsets[k]`` to
    ``offsets[k + 1]``): their new offsets, and the positions of their items, in order."""
    starts = np.asarray(offsets[at], np.int64)
    counts = np.asarray(offsets[at + 1], np.int64) - starts
    new = np.zeros(len(at) + 1, np.int64)
    np.cumsum(counts, out=new[1:])
    return new, np.repeat(starts - new[:-1], counts) + np.arange(int(new[-1]), dtype=np.int64)


def _place(at: NDArray[np.int64]) -> NDArray[np.int64]:
    """Each item's place among the items of the same (ascending) event position."""
    return np.arange(len(at), dtype=np.int64) - np.searchsorted(at, at, "left")


def _at(values: NDArray[Any], index: NDArray[Any]) -> NDArray[Any]:
    """``values[index]``, -1 where the index is -1 (also when ``values`` is empty)."""
    out = np.full(len(index), -1, values.dtype)
    found = index >= 0
    out[found] = values[index[found]]
    return out
