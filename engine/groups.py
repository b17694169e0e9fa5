"""Connected groups of events: what a replay of part of the history must include.

Two events are connected when they carry the same non-blocked identifier (whatever their
link mode: a ``none`` event still decides which identifiers get profiles). A profile, an
identifier's consent, an edge or a log row depends only on the events of its group, so
replaying groups separately, in any grouping, and putting their state rows together gives
the state of one replay of everything, profile ids included (tests/test_groups.py).
A delta load replays only the groups its new events touch.

On integer arrays: identifiers are interned like the replay's (per kind, every identifier
column of the rule set), then a union-find over identifier numbers (engine/kernels.py).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from identigraph.engine.kernels import connected_groups
from identigraph.engine.resolver import _Blocker, _interned, carried_by_kind
from identigraph.events import FIELDS, EventTable
from identigraph.rules.model import RuleSet


def event_groups(events: EventTable, ruleset: RuleSet) -> NDArray[np.int64]:
    """Group number of each event of the table (by row), under the rule set's blocked values."""
    by_kind, _kind, _value, blocked = _interned(events, np.arange(len(events)),
                                                  _Blocker(ruleset))
    return connected_groups(carried_by_kind(by_kind, len(events)), blocked)


def identifier_keys(events: EventTable, ruleset: RuleSet) -> pa.Array:
    """Every ``kind:value`` key the events carry (with repeats), from the column of each
    identifier kind of the rule set (a kind without a column of its own carries none)."""
    keys = [pc.drop_null(pc.binary_join_element_wise(kind, events.column(kind), ":"))
            for kind in ruleset.kind_names() if kind in FIELDS or kind in events.namespaces]
    if not keys:
        return pa.array([], pa.string())
    return pa.concat_arrays([k.combine_chunks() if isinstance(k, pa.ChunkedArray) else k
                             for k in keys])
