"""Edge decisions: the rule that let an edge merge, or the reason it did not."""

from __future__ import annotations

MERGE = 0  # a `merge` event type joined the identifiers (and their profiles)
ATTACH = 1  # an `attach` event type attached an unknown identifier
ABSORB = 2  # an `attach` type absorbed a profile known only by this identifier
NEVER_MERGES = 3  # the event type's link mode is `none`
ATTACH_ONLY = 4  # an `attach` type would have joined two existing profiles
LIMIT = 5  # the link would take a profile past a `refuse` limit
SUPERSEDED = 6  # the edge merged, but its identifier was later replaced
BLOCKED_VALUE = 7  # one side is a blocked value

RULE_NAMES: tuple[str, ...] = (
    "merge", "attach", "absorb", "never_merges", "attach_only", "limit", "superseded",
    "blocked_value",
)
MERGING: frozenset[int] = frozenset({MERGE, ATTACH, ABSORB})

RULE_TEXT: dict[str, str] = {
    "merge": "the event type merges: its identifiers and their profiles belong together",
    "attach": "the event type attaches an unknown identifier to the profile it lands on",
    "absorb": "a profile known only by this identifier was absorbed (identity-resolution FAQ)",
    "never_merges": "the event type never merges (link mode `none`)",
    "attach_only": "the event type only attaches unknown identifiers; it never joins two profiles",
    "limit": "the profile already holds the most identifiers of this kind the rule set allows",
    "superseded": "this link merged, but the identifier was later replaced on the profile",
    "blocked_value": "one side is a blocked value of the rule set and never links anything",
}

