"""The Python API: load files into a store, the flow the command line drives.

export row -> loader -> canonical event -> rule set decides each edge -> store.
"""

from __future__ import annotations

import dataclasses
import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, nullcontext, suppress
from pathlib import Path

import pyarrow as pa

from identigraph.arrays import as_array
from identigraph.engine import kernels
from identigraph.engine.resolver import (
    groups_by_row,
    prepare,
    replay_prepared,
    resolve,
    warm_up,
)
from identigraph.engine.state import State, StateRows
from identigraph.errors import UsageError
from identigraph.eventids import settle_ids
from identigraph.events import EventTable
from identigraph.graph.store import GroupedReplay, Handed, Store
from identigraph.heap import give_back, roomy
from identigraph.loaders.batch import ReadOptions
from identigraph.loaders.canonical import Canonicaliser, Validated, parse_timestamp
from identigraph.loaders.formats import pick_format
from identigraph.loaders.report import FileReport, LoadReport
from identigraph.normalise import Invalid
from identigraph.phones import is_supported_region
from identigraph.readahead import ReadAhead, in_order
from identigraph.rules.model import RuleSet
from identigraph.rules.registry import load_ruleset

Progress = Callable[[str, int], None]  # (file, rows just read)
#: Another engine: every event of the store (old and new) and the rule set in, the state
#: out.
Replay = Callable[[EventTable, RuleSet], State]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC: bulk loads make millions of small objects and no cycles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def system_allocator() -> Iterator[None]:
    """Arrow buffers from the C allocator while a load runs: it hands big freed buffers back
    to the system at once (mimalloc keeps them), which lowers a big load's peak ~100 MB."""
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def _warm_up(rs: RuleSet) -> None:
    with suppress(Exception):  # only a head start: the real replay reports any error
        warm_up(rs)


def check_options(options: ReadOptions) -> None:
    """Refuse options no row could be read with (exit 2), before anything is written."""
    kernels.setting()
    if not is_supported_region(options.default_region):
        raise UsageError(f"--default-region {options.default_region!r} is not a region "
                         "phonenumbers knows (a two-letter ISO 3166 code such as US, GB, FR)")
    if isinstance(parse_timestamp(options.undated_time), Invalid):
        raise UsageError(f"--undated-time {options.undated_time!r} is not an ISO 8601 "
                         "timestamp (e.g. 2025-01-31T00:00:00Z)")


def choose_ruleset(store: Store, name: str | None) -> RuleSet:
    """The rule set to load with; a store keeps the one it was first loaded with."""
    stored = store.stored_ruleset()
    if name is None:
        return stored or load_ruleset(None)
    wanted = load_ruleset(name)
    if stored is not None and stored != wanted:
        raise UsageError(
            f"store {store.location} was resolved with rule set {stored.name!r}; "
            f"loading with {wanted.name!r} would mix rules (use a new store)"
        )
    return wanted


def load(
    store: Store,
    paths: Sequence[Path | str],
    *,
    fmt: str = "auto",
    ruleset: str | None = None,
    options: ReadOptions | None = None,
    progress: Progress | None = None,
    replay: Replay | None = None,
    fast: bool = False,
) -> LoadReport:
    """Read files, add their new events to the store and re-resolve; report every row.
    ``replay`` is another engine (e.g. the Spark engine's): it replays every stored event,
    where the embedded engine replays only the groups new events touch. ``fast`` trades
    memory for time (``heap.roomy``: a 1M first load ~6% faster at ~1.5x the peak)."""
    opts = options or ReadOptions()
    check_options(opts)
    rs = choose_ruleset(store, ruleset)
    opts = dataclasses.replace(opts, kinds=rs.kind_names())  # the fields readers pass on
    files = [(Path(p), pick_format(Path(p), fmt)) for p in paths]  # all checked first
    canon = Canonicaliser(rs, opts.default_region)
    report = LoadReport()
    checked: list[tuple[FileReport, Validated]] = []
    warm = threading.Thread(target=_warm_up, args=(rs,), name="warm-up", daemon=True)
    warm.start()  # the replay's compiled kernels load while the files are read
    with gc_paused(), system_allocator(), roomy() if fast else nullcontext():
        had_events = store.has_events()
        unfinished = store.unfinished()  # a load that did not end: its state is rewritten
        for path, format_ in files:
            fr = FileReport(file=str(path), format=format_.name)
            report.files.append(fr)
            # the next batch is read while the ones before it are validated, two at a time
            with ReadAhead(format_.read(path, opts)) as batches, \
                    closing(in_order(canon.validate, batches, name="validate")) as validated:
                for batch, valid in validated:
                    rows = len(batch) + len(batch.rejected) + batch.folded
                    fr.rows_read += rows
                    fr.rejected += valid.rejected
                    fr.duplicates += batch.folded
                    report.problems.extend(valid.problems)
                    checked.append((fr, valid))
                    del batch, valid  # ``checked`` alone holds the events, until settled
                    give_back()  # what reading and validating the batch freed
                    if progress is not None:
                        progress(str(path), rows)
        # the stored events that share an id with these files: asked of the store (a join
        # on the id column), not every stored event
        stored = (store.events_with_ids(pa.concat_arrays(
            [as_array(v.events.column("event_id")) for _, v in checked]))
            if had_events and checked else EventTable())
        new, conflicts = settle_ids(checked, stored)
        report.problems.extend(conflicts)
        del checked, stored
        give_back()
        report.events_added = len(new)
        warm.join()
        if (len(new) and had_events and not unfinished and replay is None
                and store.delta_ready()):
            # only the connected groups the new events touch, late events included
            replayed = store.write_delta(rs, new)
            report.incremental = report.replayed = True
            report.replayed_events, report.replayed_groups = replayed.events, replayed.groups
        elif not had_events and replay is None and len(new):  # a first load
            handed = Handed(new)
            del new  # the store lets go of the events once written
            _write_first(store, rs, handed, report)
        elif len(new) or not had_events or unfinished:
            events = new
            if had_events:  # replay everything: late events land where they belong
                events = EventTable.concat([store.events(), new])
            # the replay runs inside write: the embedded store writes the events meanwhile
            store.write(rs, new, lambda: _replay(events, rs, report, replay))
    return report


def _write_first(store: Store, rs: RuleSet, handed: Handed[EventTable],
                 report: LoadReport) -> None:
    """A first load: its replay is prepared first (order, interned identifiers, connected
    groups), so the store can append the events in group order and let go of them before
    the replay runs; the replay keeps only their channel column (the edges')."""
    events = handed.take().compacted()
    prepared = prepare(events, rs)
    channel = events.column("channel")
    grouped = groups_by_row(prepared.order, prepared.group_at)
    kept = Handed(prepared)
    del prepared

    def run() -> State:
        rows = StateRows(None, replay_prepared(kept.take()), channel)
        report.replayed, report.replayed_events = True, len(rows.res.order)
        report.replayed_groups = int(rows.res.group_at.max()) + 1
        return rows

    replay = GroupedReplay(Handed(grouped), run)
    handed = Handed(events)
    del events, grouped
    store.write(rs, handed, replay)


def _replay(events: EventTable, rs: RuleSet, report: LoadReport,
            replay: Replay | None) -> State:
    """The whole replay of a load (by ``replay`` when given), counted in its report."""
    if replay is not None:
        state = replay(events, rs)
        report.replayed, report.replayed_events = True, len(events)
        return state
    rows = StateRows(events, resolve(events, rs))
    report.replayed, report.replayed_events = True, len(events)
    report.replayed_groups = int(rows.res.group_at.max()) + 1 if len(events) else 0
    return rows
