"""Big clusters and words on drawings: a 700-identifier cluster drawn to PNG, SVG and HTML
from a real store, captions, merging edges labelled with their event and date, vendor
namespaces told apart, and no label over another on the shipped examples."""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from cdp import Browser
from PIL import Image
from support import cli, example_files, load_events, write_jsonl
from test_viz_browser import browser as browser  # module-scoped Chromium fixture, re-used
from test_viz_browser import open_view

from identigraph.graph.cluster import build_cluster
from identigraph.graph.open import open_store
from identigraph.viz import render
from identigraph.viz.common import kind_style
from identigraph.viz.focus import MAX_DRAWN, focus
from identigraph.viz.static import figure

HUB = "test@example.com"


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """test@example.com typed with 700 different phones at SMS keyword opt-ins."""
    folder = tmp_path_factory.mktemp("big")
    events = [{"event_id": f"k{i}", "timestamp": f"2025-05-01T10:{i % 60:02d}:00Z",
               "type": "sms_keyword", "email": HUB, "phone": f"+1415555{i:04d}"}
              for i in range(700)]
    db = str(folder / "big.db")
    load_events(db, write_jsonl(folder / "big.jsonl", events))
    return db


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The shipped examples."""
    db = str(tmp_path_factory.mktemp("demo") / "demo.db")
    load_events(db, example_files())
    return db


def _cluster(location: str, key: str, **kw: Any) -> dict[str, Any]:
    store = open_store(location)
    try:
        return build_cluster(store, key, **kw)
    finally:
        store.close()


def test_700_identifiers_draw_to_png_svg_and_html(big_store: str, tmp_path: Path) -> None:
    """Past the size, the drawing keeps the hub and a few neighbours, one node with a count
    for the rest, and says in its caption what it left out; no undeclared module needed."""
    for ext in ("png", "svg", "html"):
        out = cli("viz", HUB, "--depth", "2", "-o", str(tmp_path / f"big.{ext}"),
                  store=big_store)
        assert out.returncode == 0, out.stderr
    assert "scipy" not in sys.modules
    png = Image.open(tmp_path / "big.png")
    assert png.width > 600 and png.height > 600
    svg = " ".join("".join(ET.parse(tmp_path / "big.svg").getroot().itertext()).split())
    assert re.search(r"Drawn: \d+ of 70\d identifiers", svg), svg[-600:]
    assert "shown as one node with a count beside test@example.com" in svg
    assert re.search(r"\+\d{3} identifiers", svg)  # the collapsed node's label
    html = (tmp_path / "big.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="cluster-data">(.*?)</script>', html, re.S)
                      .group(1))  # type: ignore[union-attr]
    nodes = data["cluster"]["nodes"]
    assert [n for n in nodes if n["kind"] == "collapsed"]
    assert len(nodes) < 350 and data["cluster"]["left_out"]["identifiers"] > 500


def test_focus_keeps_the_path(big_store: str) -> None:
    """A highlighted path survives the cut, and its edge indexes still point at it."""
    target = "phone:+14155550650"
    cluster = _cluster(big_store, f"email:{HUB}", other=target, depth=2)
    drawn = focus(cluster)
    ids = {n["id"] for n in drawn["nodes"]}
    assert target in ids and f"email:{HUB}" in ids
    assert len([n for n in drawn["nodes"] if n["kind"] not in ("profile", "collapsed")]) \
        <= MAX_DRAWN
    path = [drawn["edges"][i] for i in drawn["highlight"]["edges"]]
    assert [(e["from"], e["to"], e["event_id"]) for e in path] == [
        (f"email:{HUB}", target, "k650")]


def test_700_identifier_page_renders(browser: Browser, big_store: str, tmp_path: Path) -> None:
    """The HTML of the big cluster draws in Chromium and shows its caption."""
    out = tmp_path / "big.html"
    render(_cluster(big_store, f"email:{HUB}", depth=2), out)
    page = open_view(browser, out)
    caption = page.evaluate("document.getElementById('caption').textContent")
    assert caption.startswith(f"{HUB} is on profile") and "left out" in caption


def test_merging_edges_carry_event_and_date_and_a_caption(demo: str, tmp_path: Path) -> None:
    """SVG: Maria's merging form edge says its event type and date; the caption is the
    summary of the view; a why-not view's caption is the explain summary."""
    maria = _cluster(demo, "email:maria.lopez@example.com")
    text = " ".join("".join(ET.parse(render(maria, tmp_path / "m.svg")).getroot().itertext())
                    .split())
    assert "form submit 9 Mar 2025" in text
    assert "maria.lopez@example.com is on profile" in text
    sam = _cluster(demo, "email:sam.okafor@example.com", other="phone:+12125550147")
    text = " ".join("".join(ET.parse(render(sam, tmp_path / "s.svg")).getroot().itertext())
                    .split())
    assert "exception A2" in text and "attach_only" in text


def test_no_label_overlaps_another_on_the_examples(demo: str) -> None:
    """Every label of the shipped example views is clear of every other one."""
    views = [("email:maria.lopez@example.com", None), ("email:sam.okafor@example.com",
                                                       "phone:+12125550147"),
             ("email:kim.nguyen@example.com", "phone:+15125550163"),
             ("email:lee.chen@example.com", None)]
    for key, other in views:
        fig = figure(_cluster(demo, key, other=other, depth=1))
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        ax = fig.axes[0]
        boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_visible()]
        assert len(boxes) > 3
        clashes = [(a, b) for a, b in combinations(boxes, 2) if a.overlaps(b)]
        assert clashes == [], key


def test_vendor_namespaces_look_different() -> None:
    """Two vendor namespaces get two different shapes, unlike the three base kinds."""
    klaviyo, shopify = kind_style("klaviyo_id"), kind_style("shopify_customer_id")
    assert (klaviyo["marker"], klaviyo["color"]) != (shopify["marker"], shopify["color"])
    base = {kind_style(k)["marker"] for k in ("email", "phone", "external_id", "profile")}
    assert klaviyo["marker"] not in base and shopify["marker"] not in base
    assert kind_style("klaviyo_id")["name"] == "klaviyo id"


def test_redact_masks_names_in_labels_and_caption(demo: str, tmp_path: Path) -> None:
    """``--redact``: the person's name leaves the profile's label and the caption."""
    maria = _cluster(demo, "email:maria.lopez@example.com")
    assert "Maria Lopez" in json.dumps(maria)
    text = " ".join("".join(ET.parse(render(maria, tmp_path / "m.svg", redact=True))
                            .getroot().itertext()).split())
    assert "Maria" not in text and "Lopez" not in text
    assert "M***" in text and "m***@example.com" in text
