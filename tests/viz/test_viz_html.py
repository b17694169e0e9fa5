"""The HTML page is one offline file: inlined vis-network, escaped data island, no remote loads."""

from __future__ import annotations

import json
import re
from pathlib import Path

from vizdata import Cluster

from identigraph.viz import render
from identigraph.viz.html import json_island, script_safe

EVIL_IMG = "<img src=x onerror=alert(1)>"
EVIL_SCRIPT = "</script><script>window.__pwned=1</script>"

# Anything that would make a browser load a remote resource.
REMOTE_LOAD = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//|@import|<link\b|<iframe\b|<object\b|<embed\b"""
    r"""|\bfetch\s*\(|XMLHttpRequest|new\s+WebSocket|sendBeacon|EventSource|importScripts""",
    re.IGNORECASE,
)


def _island(html: str) -> str:
    """Return the raw text of the JSON data island."""
    match = re.search(
        r'<script type="application/json" id="cluster-data">(.*?)</script>', html, re.S
    )
    assert match, "no data island"
    return match.group(1)


def test_page_is_self_contained(cluster: Cluster, tmp_path: Path) -> None:
    """vis-network is inlined from pyvis; nothing points at a CDN or any remote resource."""
    html = render(cluster, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "vis-network" in html and "@version 9.1.2" in html  # the bundle itself
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.IGNORECASE)
    assert REMOTE_LOAD.search(html) is None, REMOTE_LOAD.search(html)
    for cdn in ("unpkg", "jsdelivr", "cdnjs", "googleapis"):
        assert cdn not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_data_island_round_trips(cluster: Cluster, tmp_path: Path) -> None:
    """The page carries the exact cluster, which its JS reads with JSON.parse."""
    html = render(cluster, tmp_path / "c.html").read_text(encoding="utf-8")
    assert json.loads(_island(html))["cluster"] == cluster


def test_hostile_text_cannot_leave_the_data_island(cluster: Cluster, tmp_path: Path) -> None:
    """< > & are \\u-escaped, so data can never close its script tag or open a tag."""
    cluster["nodes"][0]["label"] = EVIL_SCRIPT
    cluster["nodes"][1]["attributes"] = {"note": EVIL_IMG + " & <!--"}
    html = render(cluster, tmp_path / "c.html").read_text(encoding="utf-8")
    island = _island(html)
    assert not set("<>&") & set(island)
    assert json.loads(island)["cluster"] == cluster
    assert html.lower().count("</script") == 3  # vis bundle, island, our JS: nothing more
    assert "<img" not in html


def test_helpers_escape_script_breakers() -> None:
    """The escaping helpers neutralise closing tags and HTML comments."""
    assert "</" not in script_safe('x = "</SCRIPT>"; y = "<!--"')
    assert json_island({"a": "</script>&"}) == '{"a": "\\u003c/script\\u003e\\u0026"}'
