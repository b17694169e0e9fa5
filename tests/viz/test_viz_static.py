"""SVG/PNG drawings: produced, readable (labels, colours), deterministic, fine at 180 nodes."""

from __future__ import annotations

import io
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image
from vizdata import Cluster

from identigraph.viz import render
from identigraph.viz.common import KIND_STYLES, truncate


def _rgb(hex_color: str) -> tuple[int, int, int]:
    """Turn #RRGGBB into an RGB tuple."""
    return (int(hex_color[1:3], 16), int(hex_color[3:5], 16), int(hex_color[5:7], 16))


def _colors(png: bytes) -> dict[object, int]:
    """Count pixels per RGB colour of a PNG."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return {c: n for n, c in image.getcolors(maxcolors=image.width * image.height) or []}


def test_png_shows_nodes_in_their_kind_colours(cluster: Cluster, tmp_path: Path) -> None:
    """The PNG is a real picture: many colours, and each node kind's fill is visible."""
    png = render(cluster, tmp_path / "c.png").read_bytes()
    colors = _colors(png)
    assert len(colors) > 50
    total = sum(colors.values())
    assert colors.get((255, 255, 255), 0) < 0.98 * total
    for kind in ("email", "phone", "external_id", "profile"):
        assert colors.get(_rgb(KIND_STYLES[kind]["color"]), 0) > 30, f"no {kind} node drawn"


def test_svg_is_xml_with_every_node_label(cluster: Cluster, tmp_path: Path) -> None:
    """The SVG parses and carries node labels and rule labels as real text."""
    root = ET.parse(render(cluster, tmp_path / "c.svg")).getroot()
    assert root.tag.endswith("svg")
    text = "".join(root.itertext())
    for node in cluster["nodes"]:
        assert truncate(node["label"]) in text
    for word in ("never_merges", "attach_only", "does not merge", "sms", "checkout"):
        assert word in text


def test_static_output_is_deterministic(cluster: Cluster, tmp_path: Path) -> None:
    """Same cluster, same bytes: safe to commit drawings or diff them."""
    for ext in ("svg", "png"):
        first = render(cluster, tmp_path / f"a.{ext}").read_bytes()
        second = render(cluster, tmp_path / f"b.{ext}").read_bytes()
        assert first == second, ext
    assert b"<dc:date>" not in (tmp_path / "a.svg").read_bytes()


def test_special_characters_are_drawn_literally(cluster: Cluster, tmp_path: Path) -> None:
    """Labels with $ or < are text, not mathtext or markup."""
    cluster["nodes"][2]["label"] = "cost $5 and $6 <b>x</b>"
    root = ET.parse(render(cluster, tmp_path / "c.svg")).getroot()
    assert truncate("cost $5 and $6 <b>x</b>") in "".join(root.itertext())


def test_big_cluster_scales_up_and_stays_fast(
    cluster: Cluster, big_cluster: Cluster, tmp_path: Path
) -> None:
    """A 180-node cluster renders in seconds on a bigger canvas than a 7-node one."""
    started = time.monotonic()
    big = Image.open(render(big_cluster, tmp_path / "big.png"))
    assert time.monotonic() - started < 30
    small = Image.open(render(cluster, tmp_path / "small.png"))
    assert big.width > small.width * 1.5 and big.height > small.height * 1.5
