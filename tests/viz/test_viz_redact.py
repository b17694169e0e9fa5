"""Redaction: no raw email, phone, id (of any kind: external_id, vendor namespaces) or name
reaches any output file, and the graph still connects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from support.data import EXAMPLES
from vizdata import ANN_EMAIL, ANN_PHONE, BOB_EMAIL, BOB_PHONE, Cluster

import identigraph
from identigraph.handle import IdentityGraph
from identigraph.viz import SUPPORTED_EXTENSIONS, redact_cluster, render
from identigraph.viz.redact import mask_email, mask_id, mask_phone

PAIR = EXAMPLES / "pair"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("ann@example.com", "a***@example.com"),
        ("bob.smith@example.org", "b***@example.org"),
    ],
)
def test_mask_email(raw: str, masked: str) -> None:
    """Emails keep their first letter and domain."""
    assert mask_email(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("+14155550101", "+***0101"),
        ("+447911123456", "+***3456"),
        ("+3531234567", "+***4567"),
        ("(415) 555-0101", "***0101"),
        ("5550101", "***01"),
    ],
)
def test_mask_phone(raw: str, masked: str) -> None:
    """Phones keep at most their last 4 digits (2 when the number is short)."""
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("01J8X6P1Q2R3S4T5V6W7X8Y9ZD", "***Y9ZD"),
        ("7781234560017", "***0017"),
        ("c-1234", "***34"),
        ("c1", "***"),
    ],
)
def test_mask_id(raw: str, masked: str) -> None:
    """Ids keep at most their last 4 characters (2 of one of 5 to 8, none of a shorter one)."""
    assert mask_id(raw) == masked


def test_email_and_phone_shapes_are_masked_anywhere() -> None:
    """An email used as an external id and digits in attributes are masked too."""
    from identigraph.viz.redact import mask_text

    assert mask_text("ann@example.com") == "a***@example.com"
    assert mask_text("call (415) 555-0101 or 4155550199") == "call ***0101 or ***0199"
    assert mask_text("order 12345 for CRM-0001") == "order 12345 for CRM-0001"


def test_ids_stay_consistent_and_external_ids_masked(cluster: Cluster) -> None:
    """Every edge end, the center and the highlight still name a node of the redacted
    cluster; an external id is masked like any id, in its node and in the event ids and
    sentences that quote it."""
    cluster["edges"][2]["event_id"] = "orders:shopify:98765:1"
    cluster["edges"][2]["sentence"] = "order linked external id shopify:98765"
    red = redact_cluster(cluster)
    ids = {n["id"] for n in red["nodes"]}
    assert len(ids) == len(cluster["nodes"])
    assert all(e["from"] in ids and e["to"] in ids for e in red["edges"])
    assert red["center"] == "email:a***@example.com"
    assert red["highlight"]["a"] in ids and red["highlight"]["b"] in ids
    assert "external_id:***8765" in ids
    assert "shopify:98765" not in str(red)
    assert red["edges"][2]["event_id"] == "orders:***8765:1"
    assert red["edges"][2]["sentence"] == "order linked external id ***8765"
    phone = next(n for n in red["nodes"] if n["kind"] == "phone")
    assert (phone["id"], phone["value"], phone["label"]) == (
        "phone:+***0101",
        "+***0101",
        "+***0101",
    )
    profile = next(n for n in red["nodes"] if n["kind"] == "profile")
    assert profile["attributes"] == {"first_name": "A***", "last_name": "L***", "city": "Oakland"}


def test_same_mask_for_two_emails_keeps_two_nodes(cluster: Cluster) -> None:
    """ann@ and amy@ at one domain both mask to a***@ but must stay two distinct nodes."""
    amy = dict(cluster["nodes"][0], id="email:amy@example.com", value="amy@example.com")
    amy["label"] = "amy@example.com"
    cluster["nodes"].append(amy)
    cluster["edges"].append(dict(cluster["edges"][0], to=amy["id"], event_id="ev9"))
    red = redact_cluster(cluster)
    ids = [n["id"] for n in red["nodes"]]
    assert len(set(ids)) == len(ids)
    assert red["edges"][-1]["to"] == ids[-1] != ids[0]


def test_does_not_mutate_input(cluster: Cluster) -> None:
    """The caller's cluster is deep-copied, not masked in place."""
    redact_cluster(cluster)
    assert cluster["nodes"][0]["value"] == ANN_EMAIL
    assert cluster["nodes"][3]["attributes"]["first_name"] == "Ann"


def _png_text(data: bytes) -> str:
    """The text chunks of a PNG (its pixels are compressed bytes, in which a short name
    can turn up by chance; what is drawn is checked in SVG, drawn from the same layout)."""
    pos, texts = 8, []
    while pos + 8 <= len(data):
        size, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        if kind in (b"tEXt", b"iTXt", b"zTXt"):
            texts.append(data[pos + 8:pos + 8 + size].decode("latin-1"))
        pos += 12 + size
    return "\n".join(texts)


def _data_text(path: Path) -> str:
    """Text a user could read in an output: for HTML only the data island (the vis
    bundle has unrelated words), for PNG its text chunks."""
    if path.suffix == ".png":
        return _png_text(path.read_bytes())
    raw = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix == ".html":
        match = re.search(r'id="cluster-data">(.*?)</script>', raw, re.S)
        assert match
        return match.group(1)
    return raw


@pytest.mark.parametrize("ext", SUPPORTED_EXTENSIONS)
def test_redacted_outputs_hold_no_raw_pii(cluster: Cluster, tmp_path: Path, ext: str) -> None:
    """Grepping any redacted output finds no raw email, phone or name."""
    out = render(cluster, tmp_path / f"c{ext}", redact=True)
    whole = out.read_bytes().decode("utf-8", errors="replace")
    for raw in (ANN_EMAIL, ANN_PHONE, BOB_EMAIL, BOB_PHONE, "ann@", "5550101"):
        assert raw not in whole, f"{raw} leaked into {out.name}"
    data = _data_text(out)
    for name in ("Ann", "Lee", "Bob", "Smith"):
        assert not re.search(rf"\b{name}\b", data), f"{name} leaked into {out.name}"
    if ext in {".html", ".svg", ".json", ".graphml"}:
        assert "a***@example.com" in data and "+***0101" in data


def test_redacted_graphml_still_connects(cluster: Cluster, tmp_path: Path) -> None:
    """After masking, the exported graph has the same shape as the raw one."""
    raw = nx.read_graphml(render(cluster, tmp_path / "raw.graphml"), force_multigraph=True)
    red = nx.read_graphml(
        render(cluster, tmp_path / "red.graphml", redact=True), force_multigraph=True
    )
    assert red.number_of_nodes() == raw.number_of_nodes()
    assert red.number_of_edges() == raw.number_of_edges()
    assert nx.number_weakly_connected_components(red) == 1
    assert sorted(d for _, d in red.degree()) == sorted(d for _, d in raw.degree())


@pytest.fixture(scope="module")
def pair_graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityGraph]:
    """examples/pair (a Shopify and a Klaviyo export of the same people) loaded once."""
    with identigraph.open(tmp_path_factory.mktemp("pair") / "pair.db") as graph:
        graph.load(sorted(PAIR.glob("*.csv")))
        yield graph


def test_redacted_pair_renders_hold_no_vendor_id(pair_graph: IdentityGraph,
                                                 tmp_path: Path) -> None:
    """Every person of examples/pair drawn redacted: none of their identifiers (vendor ids
    of every namespace included, which the loaders also put in event ids) appears in the
    output, in any format; the masked ids do."""
    profiles = pair_graph.profiles()
    vendor = [k for p in profiles for k in p.other_ids]
    assert {k.partition(":")[0] for k in vendor} == {"klaviyo_id", "shopify_customer_id"}
    for profile in profiles:
        keys = profile.identifier_keys()
        for ext in SUPPORTED_EXTENSIONS if profile is profiles[0] else (".json",):
            out = pair_graph.render(keys[0], tmp_path / f"{profile.profile_id}{ext}",
                                    redact=True).path
            whole = out.read_bytes().decode("utf-8", errors="replace")
            for key in keys:
                assert key.partition(":")[2] not in whole, f"{key} leaked into {out.name}"
            if ext == ".json":
                for key in profile.other_ids:
                    kind, value = key.partition(":")[::2]
                    assert f"{kind}:{mask_id(value)}" in whole
