"""The scenario table: every rule of SPEC section 1 as events and the profiles it must give.

Shared by the scenario tests on both backends. Identifiers in expectations are
``kind:value`` keys; profiles are compared as sets of keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ANN = "ann@example.com"
BOB = "bob@example.com"
P1 = "+14155550101"
P2 = "+14155550102"
SHOP = "+12125550100"
SMS = "klaviyo-sms"
IR = "klaviyo-identity-resolution"
BOTH = (SMS, IR)


def e(eid: str, day: int, type_: str, **kw: Any) -> dict[str, Any]:
    """One canonical event on 2025-01-<day> at 10:00 UTC."""
    return {"event_id": eid, "timestamp": f"2025-01-{day:02d}T10:00:00Z", "type": type_, **kw}


@dataclass(frozen=True)
class Why:
    """An ``explain A B`` expectation: same profile via rules, or apart for a reason."""

    a: str
    b: str
    same: bool
    reason: str
    rules: tuple[str, ...]  # path rules when same; blocking rules when apart


@dataclass(frozen=True)
class Scenario:
    """Events, the rule sets they run under, and what must come out."""

    name: str
    rule: str  # SPEC section 1 rule it shows
    events: list[dict[str, Any]]
    profiles: dict[str, list[set[str]]]  # rule set -> expected profiles
    why: dict[str, list[Why]] = field(default_factory=dict)
    consent: dict[str, dict[str, tuple[str | None, str | None]]] = field(default_factory=dict)
    unprofiled: tuple[str, ...] = ()  # identifiers that must be on no profile


def same(ruleset_profiles: list[set[str]]) -> dict[str, list[set[str]]]:
    """The same expected profiles under both shipped rule sets."""
    return {SMS: ruleset_profiles, IR: ruleset_profiles}


SCENARIOS: list[Scenario] = [
    Scenario(
        "one customer, one profile", "1",
        [e("s1", 1, "form_submit", email=ANN, phone="(415) 555-0101", email_consent="subscribed",
           sms_consent="subscribed")],
        same([{f"email:{ANN}", f"phone:{P1}"}]),
        why={SMS: [Why(f"email:{ANN}", f"phone:{P1}", True, "same_profile", ("merge",))]},
        consent={SMS: {f"email:{ANN}": ("subscribed", "subscribed")}},
    ),
    Scenario(
        "known email later gives a phone: no duplicate", "2",
        [e("s1", 1, "form_submit", email=ANN, email_consent="subscribed"),
         e("s2", 2, "form_submit", email=ANN, phone="'+14155550101", sms_consent="subscribed")],
        same([{f"email:{ANN}", f"phone:{P1}"}]),
        why={s: [Why(f"email:{ANN}", f"phone:{P1}", True, "same_profile", ("merge",))]
             for s in BOTH},
        consent={SMS: {f"phone:{P1}": ("subscribed", "subscribed")}},
    ),
    Scenario(
        "phone-only profile adds the email of an email-only profile: they merge", "3",
        [e("s1", 1, "sms_keyword", phone="415.555.0101", sms_consent="subscribed"),
         e("s2", 2, "form_submit", email=ANN),
         e("s3", 3, "form_submit", email=ANN, phone="+1 415 555 0101")],
        same([{f"email:{ANN}", f"phone:{P1}"}]),
        why={s: [Why(f"phone:{P1}", f"email:{ANN}", True, "same_profile", ("merge",))]
             for s in BOTH},
        consent={SMS: {f"email:{ANN}": ("never_subscribed", "subscribed")}},
    ),
    Scenario(
        "SMS-only account: profiles by phone until emails arrive", "4",
        [e("s1", 1, "sms_keyword", phone=P1), e("s2", 2, "sms_keyword", phone=P2),
         e("s3", 3, "consent_change", phone=P1, sms_consent="unsubscribed")],
        same([{f"phone:{P1}"}, {f"phone:{P2}"}]),
        why={SMS: [Why(f"phone:{P1}", f"phone:{P2}", False, "no_evidence", ())]},
        consent={SMS: {f"phone:{P1}": (None, "unsubscribed")}},
    ),
    Scenario(
        "A: opt-in with a new phone and no email makes a phone-only profile", "5",
        [e("s1", 1, "form_submit", email=ANN, email_consent="subscribed"),
         e("s2", 2, "form_submit", phone=P1, sms_consent="subscribed")],
        same([{f"email:{ANN}"}, {f"phone:{P1}"}]),
        why={s: [Why(f"email:{ANN}", f"phone:{P1}", False, "no_evidence", ())] for s in BOTH},
    ),
    Scenario(
        "A2: checkout with the email and that phone does not merge (FAQ variant does)", "6",
        [e("s1", 1, "form_submit", email=ANN, email_consent="subscribed"),
         e("s2", 2, "form_submit", phone=P1, sms_consent="subscribed"),
         e("s3", 3, "checkout", email=ANN, phone=P1, sms_consent="subscribed")],
        {SMS: [{f"email:{ANN}"}, {f"phone:{P1}"}], IR: [{f"email:{ANN}", f"phone:{P1}"}]},
        why={SMS: [Why(f"email:{ANN}", f"phone:{P1}", False, "blocked", ("attach_only",))],
             IR: [Why(f"email:{ANN}", f"phone:{P1}", True, "same_profile", ("absorb",))]},
        consent={IR: {f"email:{ANN}": ("subscribed", "subscribed")}},
    ),
    Scenario(
        "A2 (FAQ variant): a phone profile known by more than the phone is not absorbed", "6",
        [e("s1", 1, "form_submit", email=BOB, phone=P1),
         e("s2", 2, "form_submit", email=ANN),
         e("s3", 3, "checkout", email=ANN, phone=P1)],
        same([{f"email:{BOB}", f"phone:{P1}"}, {f"email:{ANN}"}]),
        why={IR: [Why(f"email:{ANN}", f"phone:{P1}", False, "blocked", ("attach_only",))]},
    ),
    Scenario(
        "B: a different phone at checkout overwrites the old one", "7",
        [e("s1", 1, "form_submit", email=ANN, phone=P1, sms_consent="subscribed"),
         e("s2", 2, "checkout", email=ANN, phone=P2, sms_consent="subscribed")],
        same([{f"email:{ANN}", f"phone:{P2}"}]),
        why={s: [Why(f"email:{ANN}", f"phone:{P2}", True, "same_profile", ("attach",)),
                 Why(f"email:{ANN}", f"phone:{P1}", False, "blocked", ("superseded",))]
             for s in BOTH},
        consent={SMS: {f"email:{ANN}": ("never_subscribed", "subscribed")}},
        unprofiled=(f"phone:{P1}",),
    ),
    Scenario(
        "B2: new phone without consent wipes the profile's SMS consent", "8",
        [e("s1", 1, "form_submit", email=ANN, phone=P1, sms_consent="subscribed"),
         e("s2", 2, "checkout", email=ANN, phone=P2)],
        same([{f"email:{ANN}", f"phone:{P2}"}]),
        consent={s: {f"email:{ANN}": ("never_subscribed", "never_subscribed")} for s in BOTH},
        unprofiled=(f"phone:{P1}",),
    ),
    Scenario(
        "C: SMS keyword and click-to-text do not merge with the email profile", "9",
        [e("s1", 1, "form_submit", email=ANN, email_consent="subscribed"),
         e("s2", 2, "sms_keyword", email=ANN, phone=P1, sms_consent="subscribed"),
         e("s3", 3, "form_submit", email=BOB),
         e("s4", 4, "click_to_text", email=BOB, phone=P2, sms_consent="subscribed")],
        same([{f"email:{ANN}"}, {f"phone:{P1}"}, {f"email:{BOB}"}, {f"phone:{P2}"}]),
        why={s: [Why(f"email:{ANN}", f"phone:{P1}", False, "blocked", ("never_merges",)),
                 Why(f"email:{BOB}", f"phone:{P2}", False, "blocked", ("never_merges",))]
             for s in BOTH},
        consent={SMS: {f"phone:{P1}": (None, "subscribed")}},
    ),
    Scenario(
        "C2: a campaign SMS subscribe link creates a separate profile", "10",
        [e("s1", 1, "form_submit", email=ANN),
         e("s2", 2, "campaign_sms_link", email=ANN, phone=P1, sms_consent="subscribed")],
        same([{f"email:{ANN}"}, {f"phone:{P1}"}]),
        why={s: [Why(f"email:{ANN}", f"phone:{P1}", False, "blocked", ("never_merges",))]
             for s in BOTH},
    ),
    Scenario(
        "limit: a new email with a phone of another email's profile gets its own profile", "3",
        [e("s1", 1, "form_submit", email=ANN, phone=P1),
         e("s2", 2, "form_submit", email=BOB, phone=P1)],
        same([{f"email:{ANN}", f"phone:{P1}"}, {f"email:{BOB}"}]),
        why={s: [Why(f"email:{BOB}", f"phone:{P1}", False, "blocked", ("limit",)),
                 Why(f"email:{BOB}", f"email:{ANN}", False, "blocked", ("limit",))]
             for s in BOTH},
    ),
    Scenario(
        "external id is the strongest identifier and carries the profile", "1",
        [e("s1", 1, "form_submit", email=ANN),
         e("s2", 2, "import", external_id="cust-1", email=ANN, phone=P1)],
        same([{"external_id:cust-1", f"email:{ANN}", f"phone:{P1}"}]),
        why={SMS: [Why("external_id:cust-1", f"phone:{P1}", True, "same_profile", ("merge",))]},
    ),
    Scenario(
        "limit: a profile keeps its phone when the event's phone does not land on it", "7",
        [{"event_id": "e1", "timestamp": "2026-01-02T23:10:06Z", "type": "form_submit",
          "email": "u12@example.com", "phone": "+14155551002"},
         {"event_id": "e2", "timestamp": "2026-01-03T03:33:58Z", "type": "import",
          "email": "u10@example.com", "phone": "+14155551021"},
         {"event_id": "e3", "timestamp": "2026-01-03T22:18:44Z", "type": "import",
          "phone": "+14155551013", "external_id": "crm-4"},
         {"event_id": "e4", "timestamp": "2026-01-04T06:54:09Z", "type": "import",
          "email": "u10@example.com", "phone": "+14155551002", "external_id": "crm-4"}],
        same([{"external_id:crm-4", "email:u10@example.com", "phone:+14155551013"},
              {"email:u12@example.com", "phone:+14155551002"}]),
        why={s: [Why("external_id:crm-4", "phone:+14155551002", False, "blocked", ("limit",))]
             for s in BOTH},
        unprofiled=("phone:+14155551021",),
    ),
]
