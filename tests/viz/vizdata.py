"""Sample clusters shaped like the store's output (importable by tests and conftest)."""

from __future__ import annotations

from typing import Any

Cluster = dict[str, Any]

ANN_EMAIL = "ann@example.com"
ANN_PHONE = "+14155550101"
BOB_EMAIL = "bob.smith@example.org"
BOB_PHONE = "+447911123456"
RAW_PII = (ANN_EMAIL, ANN_PHONE, BOB_EMAIL, BOB_PHONE, "Ann", "Smith")


def _node(kind: str, value: str, profile: str | None, **attrs: str) -> dict[str, Any]:
    """Build an identifier or profile node as the store would export it."""
    node: dict[str, Any] = {
        "id": f"{kind}:{value}",
        "kind": kind,
        "value": value,
        "label": value,
        "profile_id": profile,
    }
    if attrs:
        node["attributes"] = dict(attrs)
    return node


def _edge(
    a: str,
    b: str,
    event_id: str | None,
    event_type: str | None,
    channel: str | None,
    ts: str | None,
    rule: str,
    merges: bool,
) -> dict[str, Any]:
    """Build an event edge (or a member edge when event_id is None)."""
    return {
        "from": a,
        "to": b,
        "kind": "event" if event_id else "member",
        "event_id": event_id,
        "event_type": event_type,
        "channel": channel,
        "timestamp": ts,
        "rule": rule,
        "merges": merges,
    }


def make_cluster() -> Cluster:
    """Ann's merged profile (email, phone, shop id) plus Bob's profile reached by weak edges."""
    p1, p2 = "prof_1a2b3c", "prof_9f8e7d"
    ann_e, ann_p = f"email:{ANN_EMAIL}", f"phone:{ANN_PHONE}"
    shop, bob_e, bob_p = "external_id:shopify:98765", f"email:{BOB_EMAIL}", f"phone:{BOB_PHONE}"
    nodes = [
        _node("email", ANN_EMAIL, p1),
        _node("phone", ANN_PHONE, p1),
        _node("external_id", "shopify:98765", p1),
        _node("profile", p1, None, first_name="Ann", last_name="Lee", city="Oakland"),
        _node("email", BOB_EMAIL, p2),
        _node("phone", BOB_PHONE, p2),
        _node("profile", p2, None, first_name="Bob", last_name="Smith"),
    ]
    nodes[3]["id"], nodes[6]["id"] = f"profile:{p1}", f"profile:{p2}"
    t = "2025-01-0{}T10:00:00Z"
    edges = [
        _edge(ann_e, ann_p, "ev1", "form_submit", "web", t.format(2), "merge", True),
        _edge(ann_e, ann_p, "ev2", "form_submit", "api", t.format(3), "merge", True),
        _edge(ann_e, shop, "ev3", "order", "import", t.format(4), "attach", True),
        _edge(ann_p, bob_e, "ev4", "sms_keyword", "sms", t.format(5), "never_merges", False),
        _edge(ann_e, bob_p, "ev5", "checkout", "checkout", t.format(6), "attach_only", False),
        _edge(bob_e, bob_p, "ev6", "signup", "partner_feed", t.format(7), "merge", True),
    ]
    for ident, prof in [(ann_e, p1), (ann_p, p1), (shop, p1), (bob_e, p2), (bob_p, p2)]:
        edges.append(_edge(ident, f"profile:{prof}", None, None, None, None, "member", True))
    return {
        "center": ann_e,
        "nodes": nodes,
        "edges": edges,
        "highlight": {"a": ann_e, "b": bob_e, "edges": [0, 3], "same_profile": False},
    }


def make_big_cluster(n_profiles: int = 60) -> Cluster:
    """A synthetic cluster of about 4 nodes per profile, chained by non-merging edges."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    channels = ["web", "api", "import", "checkout", "sms"]
    for i in range(n_profiles):
        prof = f"prof_{i:04d}"
        email = _node("email", f"user{i}@example.com", prof)
        phone = _node("phone", f"+1415555{i:04d}", prof)
        profile = _node("profile", prof, None, first_name=f"User{i}")
        profile["id"] = f"profile:{prof}"
        nodes += [email, phone, profile]
        ch = channels[i % len(channels)]
        edges.append(
            _edge(email["id"], phone["id"], f"e{i}", "form_submit", ch, None, "merge", True)
        )
        edges.append(_edge(email["id"], profile["id"], None, None, None, None, "member", True))
        edges.append(_edge(phone["id"], profile["id"], None, None, None, None, "member", True))
        if i:
            prev = f"phone:+1415555{i - 1:04d}"
            edges.append(
                _edge(prev, email["id"], f"x{i}", "sms_keyword", "sms", None, "never_merges", False)
            )
    return {"center": nodes[0]["id"], "nodes": nodes, "edges": edges, "highlight": None}
