"""Plain-English sentences a support person can paste into a ticket.

Pure functions over records (no store): ``explain``, ``how``, ``show``, ``suspects`` and
``viz`` word their answers here, so the CLI, the Python API and the web server say the
same thing. :mod:`identigraph.graph.facts` gathers the records these functions read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from identigraph.graph.names import profile_keys
from identigraph.graph.paths import HUB_NEIGHBOURS, MAX_VISITED
from identigraph.graph.records import Edge, Identifier, LogEntry, Profile
from identigraph.model import CONTACT_KINDS

if TYPE_CHECKING:  # the answers' models import this module to word themselves
    from identigraph.graph.explain import Explanation
    from identigraph.graph.suspects import Hub, Pair
    from identigraph.graph.timeline import Timeline
    from identigraph.rules.model import RuleSet

#: identigraph.model.UNDATED_TIME in microseconds: rows of files without event times.
UNDATED_TS = 0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: How event types read in a sentence (others: underscores become spaces).
_EVENT_WORDS = {
    "form_submit": "form submit", "profile_update": "profile update", "import": "import",
    "checkout": "checkout", "sms_keyword": "SMS keyword opt-in",
    "click_to_text": "click-to-text opt-in", "campaign_sms_link": "campaign SMS link",
    "consent_change": "consent change",
}
#: The SPEC section 1 exception a non-merging link of these event types illustrates.
_NONE_EXCEPTIONS = {"sms_keyword": "exception C", "click_to_text": "exception C",
                    "campaign_sms_link": "exception C2"}
#: What an event type does, per rule, and where the behaviour comes from (SPEC section 1).
_RULE_CLAUSES = {
    "merge": ("merges the identifiers it carries and their profiles", ""),
    "attach": ("attaches an identifier not yet on any profile to the profile it lands on",
               "SPEC rule 2"),
    "absorb": ("absorbs a profile known only by that identifier", "identity-resolution FAQ"),
    "never_merges": ("never merges", ""),  # exception C or C2, by event type
    "attach_only": ("never joins two existing profiles", "exception A2"),
}


@dataclass(frozen=True)
class Facts:
    """What the sentences may mention beyond the edges themselves (all optional)."""

    ruleset: RuleSet | None = None
    identifiers: Mapping[str, Identifier] = field(default_factory=dict)
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    replacements: Sequence[LogEntry] = ()  # ``replaced`` log entries
    names: Mapping[str, str] = field(default_factory=dict)  # profile id -> a person's name


# -- small words -------------------------------------------------------------------------

def day(ts: int) -> str:
    """``3 Apr 2025`` (UTC), or ``no date`` for an event without a real time."""
    if ts == UNDATED_TS:
        return "no date"
    dt = _EPOCH + timedelta(microseconds=ts)
    return f"{dt.day} {dt:%b %Y}"


def when(ts: int) -> str:
    """``on 3 Apr 2025``, or what an event without a real time is."""
    if ts == UNDATED_TS:
        return "with no real time (a snapshot whose file has no event dates)"
    return f"on {day(ts)}"


def number(n: int, noun: str, plural: str | None = None) -> str:
    """``1 event``, ``1,234 events``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def kind_word(kind: str) -> str:
    """``external id`` for ``external_id``, ``klaviyo id`` for ``klaviyo_id``."""
    return kind.replace("_", " ")


def ident(key: str) -> str:
    """An identifier as a person reads it: emails and phones bare, others named."""
    kind, _, value = key.partition(":")
    if kind in CONTACT_KINDS or not value:
        return value or key
    return f"{kind_word(kind)} {value}"


def event_word(event_type: str | None) -> str:
    """``SMS keyword opt-in`` for ``sms_keyword``."""
    if not event_type:
        return "event"
    return _EVENT_WORDS.get(event_type, event_type.replace("_", " "))


def article(phrase: str) -> str:
    """``a checkout``, ``an import``, ``an SMS keyword opt-in``."""
    first = phrase.split(" ", 1)[0]
    vowel = phrase[:1].lower() in "aeio" or (first.isupper() and first[:1] in "AEFHILMNORSX")
    return f"{'an' if vowel else 'a'} {phrase}"


def the_event(event_type: str | None, event_id: str, ts: int) -> str:
    """``the checkout on 3 Apr 2025 (event c1)``."""
    return f"the {event_word(event_type)} {when(ts)} (event {event_id})"


def join(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def cap(text: str) -> str:
    """The first letter upper-cased (the rest kept)."""
    return text[:1].upper() + text[1:]


def profile_ref(profile_id: str | None, facts: Facts) -> str:
    """``profile p_1 (Maria Lopez)`` or ``no profile``."""
    if profile_id is None:
        return "no profile"
    name = facts.names.get(profile_id)
    return f"profile {profile_id}" + (f" ({name})" if name else "")


def _named(profile_id: str, facts: Facts) -> str:
    """``profile p_1, Maria Lopez`` (for inside parentheses)."""
    name = facts.names.get(profile_id)
    return f"profile {profile_id}" + (f", {name}" if name else "")


def _short(profile_id: str | None, facts: Facts) -> str:
    """``p_1 of Maria Lopez``, ``p_1`` or ``no profile`` (for inside parentheses)."""
    if profile_id is None:
        return "no profile"
    name = facts.names.get(profile_id)
    return profile_id + (f" of {name}" if name else "")


def _ref(facts: Facts, *extra: str) -> str:
    """`` (rule set klaviyo-sms, exception A2)``: where the behaviour comes from."""
    parts = ([f"rule set {facts.ruleset.name}"] if facts.ruleset else []) + [
        x for x in extra if x]
    return f" ({', '.join(parts)})" if parts else ""


# -- one edge ----------------------------------------------------------------------------

def _limit_reason(edge: Edge, facts: Facts) -> str:
    """Which profile holds which value that fills the slot, and the limit."""
    rs = facts.ruleset
    for this, that in ((edge.from_, edge.to), (edge.to, edge.from_)):
        kind, _, value = this.partition(":")
        other = facts.identifiers.get(that)
        limit = rs.limits.get(kind) if rs is not None else None
        if other is None or other.profile_id is None or limit is None or limit.max is None:
            continue
        profile = facts.profiles.get(other.profile_id)
        held = [v for v in profile.values(kind) if v != value] if profile else []
        if len(held) >= limit.max:
            kw = kind_word(kind)
            return (f"{ident(that)} is on {profile_ref(other.profile_id, facts)}, which "
                    f"already holds the {kw} {join([ident(f'{kind}:{v}') for v in held])}, "
                    f"and rule set {rs.name if rs else ''} allows "
                    f"{number(limit.max, kw)} per profile")
    return ("the link would take a profile past the number of identifiers of one kind the "
            f"rule set allows{_ref(facts)}")


def replacement_of(edge: Edge, facts: Facts) -> LogEntry | None:
    """The replacement that superseded this edge: the first one of its ends after it."""
    ends = {edge.from_, edge.to}
    later = [r for r in facts.replacements
             if r.identifier in ends and (r.ts, r.event_id) >= (edge.ts, edge.event_id)]
    return min(later, key=lambda r: (r.ts, r.event_id), default=None)


def _superseded(edge: Edge, facts: Facts) -> str:
    rep = replacement_of(edge, facts)
    if rep is None:
        return f"one of them was later replaced on the profile{_ref(facts, 'exception B')}"
    return (f"{when(rep.ts)} the event {rep.event_id} replaced {ident(rep.identifier or '')} "
            f"with {ident(rep.other or '')}{_ref(facts, 'exception B')}")


def reason(edge: Edge, facts: Facts) -> str:
    """Why this edge merged or not, as a clause (no capital, no full stop)."""
    rule = edge.rule
    if rule in _RULE_CLAUSES:
        clause, source = _RULE_CLAUSES[rule]
        if rule == "never_merges":
            source = _NONE_EXCEPTIONS.get(edge.event_type, "")
        return f"{article(event_word(edge.event_type))} {clause}{_ref(facts, source)}"
    if rule == "limit":
        return _limit_reason(edge, facts)
    if rule == "superseded":
        return _superseded(edge, facts)
    if rule == "blocked_value":
        return _blocked_reason(edge, facts)
    return f"rule {rule}{_ref(facts)}"


def _blocked_reason(edge: Edge, facts: Facts) -> str:
    ends = [k for k in (edge.from_, edge.to)
            if (i := facts.identifiers.get(k)) is not None and i.blocked]
    why = ""
    rs = facts.ruleset
    if rs is not None and ends:
        kind, _, value = ends[0].partition(":")
        for b in rs.blocked:
            hit = b.value == value if b.value is not None else bool(
                re.fullmatch(b.regex or "", value))
            if b.kind == kind and hit:
                why = f" ({b.reason})" if b.reason else ""
                break
    who = ident(ends[0]) if ends else "one of them"
    name = f"rule set {rs.name}" if rs else "the rule set"
    return f"{who} is a blocked value of {name}{why}, and never links anything"


def edge_sentence(edge: Edge, facts: Facts) -> str:
    """One sentence for one edge: which event, what it tied, and why it did or did not link."""
    a, b = ident(edge.from_), ident(edge.to)
    event = cap(the_event(edge.event_type, edge.event_id, edge.ts))
    if edge.merges:
        return f"{event} linked {a} and {b}: {reason(edge, facts)}."
    if edge.rule == "superseded":
        return f"{event} linked {a} and {b}, but {reason(edge, facts)}."
    return f"{event} carried {a} and {b} but did not link them: {reason(edge, facts)}."


# -- explain -----------------------------------------------------------------------------

def _chain(path: Sequence[Edge]) -> str:
    """The events along a path, shortened past three."""
    events = [the_event(e.event_type, e.event_id, e.ts) for e in path]
    if len(events) <= 3:
        return join(events)
    return f"{number(len(events), 'event')}, from {events[0]} to {events[-1]}"


def explain_summary(x: Explanation, facts: Facts) -> str:
    """One or two sentences: same profile or not, the event(s) that decided, and the rule;
    and when the search was bounded, where it stopped."""
    said = _explain_summary(x, facts)
    if x.bounded and x.path:
        said += f" The search was bounded{_bound(x)}, so a shorter path may exist."
    return said


def _bound(x: Explanation) -> str:
    """Where a bounded search stopped: the hubs it did not go through, or its size."""
    if x.hubs:
        return (f" (it did not go through {join([ident(h) for h in x.hubs[:3]])}"
                f"{' and others' if len(x.hubs) > 3 else ''}: "
                f"each is linked to over {HUB_NEIGHBOURS} identifiers without merging)")
    return f" (it stopped after reaching {MAX_VISITED:,} identifiers)"


def _explain_summary(x: Explanation, facts: Facts) -> str:
    a, b = ident(x.a), ident(x.b)
    if x.reason == "unknown_identifier":
        missing = [ident(k) for k in x.unknown]
        verb = "is" if len(missing) == 1 else "are"
        return (f"{cap(join(missing))} {verb} not in the store, so no event ever connected "
                f"{a} and {b}.")
    if x.same_profile:
        head = f"{a} and {b} are on the same {profile_ref(x.a_profile, facts)}"
        if len(x.path) == 1:
            e = x.path[0]
            if e.merges:
                return f"{head}: {the_event(e.event_type, e.event_id, e.ts)} carried both, " \
                       f"and {reason(e, facts)}."
            return f"{head}: {the_event(e.event_type, e.event_id, e.ts)} linked them " \
                   f"(later superseded: {reason(e, facts)})."
        via = join([ident(e.to) for e in x.path[:-1]])
        return f"{head}, linked through {via} by {_chain(x.path)}."
    if x.a_profile is None or x.b_profile is None:
        apart = (f"{a} is on {profile_ref(x.a_profile, facts)} and {b} is on "
                 f"{profile_ref(x.b_profile, facts)}")
    else:
        apart = (f"{a} and {b} are on different profiles ({_short(x.a_profile, facts)} and "
                 f"{_short(x.b_profile, facts)})")
    if x.bounded and not x.path:
        return f"{apart}: no evidence found between them{_bound(x)}."
    if x.reason == "no_evidence" or not x.path:
        return f"{apart}: no event ever connected them, even indirectly."
    first = x.blocked[0] if x.blocked else x.path[0]
    stop = the_event(first.event_type, first.event_id, first.ts)
    more = len(x.blocked) - 1
    tail = f" {number(more, 'other link')} on the way did not merge either." if more > 0 else ""
    if len(x.path) == 1:
        if first.rule == "superseded":
            return f"{apart}: {stop} linked them, but {reason(first, facts)}.{tail}"
        return f"{apart}: {stop} carried both, but {reason(first, facts)}.{tail}"
    via = join([ident(e.to) for e in x.path[:-1]])
    return (f"{apart}: events connect them through {via}, but {stop} did not link "
            f"{ident(first.from_)} and {ident(first.to)}: {reason(first, facts)}.{tail}")


# -- show and how ------------------------------------------------------------------------

def _consent(profile: Profile) -> str:
    parts = [f"email consent {profile.email_consent.replace('_', ' ')}"
             if profile.email_consent else "",
             f"SMS consent {profile.sms_consent.replace('_', ' ')}"
             if profile.sms_consent else ""]
    return join([p for p in parts if p])


def _nowhere(key: str, blocked: bool, facts: Facts) -> str:
    """Why an identifier is on no profile."""
    if blocked:
        fake = Edge(from_=key, to=key, event_id="", event_type="", channel=None, timestamp="",
                    rule="blocked_value", merges=False)
        return f"{ident(key)} is on no profile: {_blocked_reason(fake, facts)}."
    gone = [r for r in facts.replacements if r.identifier == key]
    if gone:
        r = max(gone, key=lambda r: (r.ts, r.event_id))
        return (f"{ident(key)} is on no profile: {when(r.ts)} the event {r.event_id} replaced "
                f"it with {ident(r.other or '')} on profile {r.profile_id}"
                f"{_ref(facts, 'exception B')}.")
    return f"{ident(key)} is on no profile: no event linked it to one."


def show_summary(key: str, blocked: bool, profile: Profile | None, facts: Facts,
                 created: tuple[str | None, int] | None = None) -> str:
    """Where an identifier is: its profile, the other identifiers, consent, how it began."""
    if profile is None:
        return _nowhere(key, blocked, facts)
    others = [ident(k) for k in profile_keys(profile) if k != key]
    head = f"{ident(key)} is on {profile_ref(profile.profile_id, facts)}"
    if others:
        head += f" with {join(others)}"
    consent = _consent(profile)
    first = f"{head}{'; ' + consent if consent else ''}."
    parts = []
    if profile.created_by and created is not None:
        parts.append(f"it was created by {the_event(created[0], profile.created_by, created[1])}")
    elif profile.created_by:
        parts.append(f"it was created by event {profile.created_by}")
    if profile.merged_ids:
        parts.append(f"{number(len(profile.merged_ids), 'other profile')} merged into it")
    return first + (f" {cap(join(parts))}." if parts else "")


def log_sentence(entry: LogEntry, event_type: str | None, facts: Facts) -> str:
    """A profile-level change (created, merged, merged_into, replaced) as a sentence."""
    event = cap(the_event(event_type, entry.event_id, entry.ts))
    one = ident(entry.identifier) if entry.identifier else "its first identifier"
    other = entry.other or ""
    if entry.action == "created":
        return f"{event} created profile {entry.profile_id} for {one}."
    if entry.action == "merged":
        return f"{event} merged profile {other} into {entry.profile_id} through {one}."
    if entry.action == "merged_into":
        return f"{event} merged profile {entry.profile_id} into {other}."
    if entry.action == "replaced":
        return (f"{event} replaced {one} with {ident(other)} on profile {entry.profile_id}"
                f"{_ref(facts, 'exception B')}.")
    return f"{event}: {entry.action}."


def consent_sentence(event_type: str | None, event_id: str, ts: int, channel: str,
                     consent: str, key: str) -> str:
    """``The form submit on 7 Mar 2025 (event f1) set SMS consent for +1… to subscribed.``"""
    what = "SMS" if channel == "sms" else channel
    return (f"{cap(the_event(event_type, event_id, ts))} set {what} consent for {ident(key)} "
            f"to {consent.replace('_', ' ')}.")


def seen_sentence(event_type: str | None, event_id: str, ts: int) -> str:
    """An event that carried the profile's identifiers and changed nothing."""
    return (f"{cap(the_event(event_type, event_id, ts))} carried this profile's identifiers "
            "and changed no identity.")


def timeline_summary(t: Timeline, facts: Facts) -> str:
    """Where the identifier is, how its profile began, and what changed since."""
    if t.profile is None:
        return _nowhere(t.identifier, t.blocked, facts)
    head = f"{ident(t.identifier)} is on {profile_ref(t.profile_id, facts)}"
    created = next((s for s in t.steps if s.action == "created"), None)
    if created is not None:
        began = the_event(created.event_type, created.event_id, created.ts)
        head += f", which began with {began}"
    changes: list[str] = []
    merged = [s for s in t.steps if s.action == "merged"]
    if len(merged) == 1:
        s = merged[0]
        changes.append("another profile merged in with "
                       f"{the_event(s.event_type, s.event_id, s.ts)}")
    elif merged:
        changes.append(f"{number(len(merged), 'profile')} merged in")
    replaced = [s for s in t.steps if s.action == "replaced"]
    for s in replaced[:2]:
        old, new = [*s.identifiers, "", ""][:2]
        changes.append(f"{ident(old)} was replaced by {ident(new)} with "
                       f"{the_event(s.event_type, s.event_id, s.ts)}")
    if len(replaced) > 2:
        changes.append(f"{number(len(replaced) - 2, 'more identifier')} replaced")
    refused = [s for s in t.steps if s.action == "not_linked"]
    if refused:
        rules = sorted({s.rule or "" for s in refused})
        changes.append(f"{number(len(refused), 'link')} did not merge ({', '.join(rules)})")
    tail = f" Since then, {join(changes)}." if changes else ""
    return f"{head}.{tail}"


# -- suspects ----------------------------------------------------------------------------

def pair_summary(pair: Pair, facts: Facts) -> str:
    """Why two profiles may be one person, and what kept them apart."""
    a, b = pair.profiles
    last = max(pair.evidence, key=lambda e: (e.ts, e.event_id))  # from_ is on a, to on b
    if pair.same_name and pair.names[0]:
        who = (f"{ident(last.from_)} (profile {a}) and {ident(last.to)} (profile {b}) may be "
               f"one person, both named {pair.names[0]}")
    else:
        who = (f"{ident(last.from_)} ({_named(a, facts)}) and {ident(last.to)} "
               f"({_named(b, facts)}) may be one person")
    event = the_event(last.event_type, last.event_id, last.ts)
    if pair.events == 1:
        return f"{who}: {event} carried both, but {reason(last, facts)}."
    return (f"{who}: {number(pair.events, 'event')} tie them; the latest, {event}, "
            f"carried both but did not link them: {reason(last, facts)}.")


def hub_summary(hub: Hub, facts: Facts) -> str:
    """An identifier tied to many profiles, and the advice to block it."""
    name = f"rule set {facts.ruleset.name}" if facts.ruleset else "the rule set"
    types = join([event_word(t) for t in hub.event_types])
    return (f"{ident(hub.identifier)} is tied to {number(hub.profiles, 'profile')} by "
            f"{number(hub.events, 'event')} ({types}): a value many people share, such as a "
            f"shop's front-desk phone or a test address; if it is one, block it in {name} so "
            "it links nothing.")
