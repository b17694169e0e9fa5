"""Open the HTML view in real headless Chromium: it draws, works offline and cannot be injected."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cdp import Browser, Page
from PIL import Image
from test_viz_html import EVIL_IMG, EVIL_SCRIPT
from vizdata import Cluster

from identigraph.viz import render
from identigraph.viz.common import KIND_STYLES

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
RENDERED = "document.body && document.body.dataset.rendered === '1'"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module (skipped locally if absent, fatal on CI)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}: CI must install it")
        pytest.skip("chromium not installed (apt-get install chromium)")
    with Browser(CHROMIUM) as chromium:
        yield chromium


def open_view(browser: Browser, html: Path) -> Page:
    """Load the page with network/dialog/error recording on and wait until vis has drawn."""
    page = browser.new_page()
    for domain in ("Page", "Network", "Runtime", "Log"):
        page.send(f"{domain}.enable")
    page.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False},
    )
    page.navigate(html.as_uri())
    page.wait_for(RENDERED, timeout=15)
    return page


def _requested_urls(page: Page) -> list[str]:
    """Every URL the tab asked for, as seen by the Network domain."""
    return [str(e["request"]["url"]) for e in page.events("Network.requestWillBeSent")]


def _errors(page: Page) -> list[str]:
    """Uncaught exceptions and error-level console/log entries (CSP violations land here)."""
    found = [str(e["exceptionDetails"]) for e in page.events("Runtime.exceptionThrown")]
    found += [
        str(e["entry"]) for e in page.events("Log.entryAdded") if e["entry"]["level"] == "error"
    ]
    found += [
        str(e["args"]) for e in page.events("Runtime.consoleAPICalled") if e["type"] == "error"
    ]
    return found


def _node_screen_position(page: Page, node_id: str) -> tuple[float, float]:
    """Where a vis node is drawn, in page coordinates."""
    point = page.evaluate(
        f"""(() => {{
          const net = window.identigraph.network, id = {json.dumps(node_id)};
          const dom = net.canvasToDOM(net.getPositions([id])[id]);
          const box = document.querySelector('#graph canvas').getBoundingClientRect();
          return [dom.x + box.left, dom.y + box.top];
        }})()"""
    )
    return float(point[0]), float(point[1])


def test_view_renders_offline_with_counts_and_colours(
    browser: Browser, cluster: Cluster, tmp_path: Path
) -> None:
    """The graph is drawn on the canvas, counts match, and only the file itself is loaded."""
    html = render(cluster, tmp_path / "cluster.html")
    page = open_view(browser, html)

    assert page.evaluate("document.getElementById('node-count').textContent") == str(
        len(cluster["nodes"])
    )
    assert page.evaluate("document.body.dataset.nodeCount") == str(len(cluster["nodes"]))
    legend = page.evaluate("document.getElementById('legend').textContent")
    for word in ("email", "phone", "external id", "profile", "sms", "checkout", "does not merge"):
        assert word in legend

    box = page.evaluate(
        "(() => { const r = document.querySelector('#graph canvas').getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"
    )
    assert box["width"] > 300 and box["height"] > 300
    shot = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
    colors = {c: n for n, c in shot.getcolors(maxcolors=shot.width * shot.height) or []}
    painted = sum(n for c, n in colors.items() if c != (255, 255, 255))
    assert len(colors) > 30 and painted > 0.005 * shot.width * shot.height
    for kind in ("email", "phone", "external_id", "profile"):
        rgb = tuple(int(KIND_STYLES[kind]["color"][i : i + 2], 16) for i in (1, 3, 5))
        assert colors.get(rgb, 0) > 20, f"no {kind} node visible on the canvas"

    urls = _requested_urls(page)
    assert urls == [html.as_uri()], f"unexpected requests: {urls}"
    assert _errors(page) == []


def test_hostile_labels_stay_text(browser: Browser, cluster: Cluster, tmp_path: Path) -> None:
    """Markup in labels, values, attributes and event fields never runs and shows as text."""
    evil_id = "external_id:" + EVIL_SCRIPT
    cluster["nodes"].append(
        {
            "id": evil_id,
            "kind": "external_id",
            "value": EVIL_SCRIPT,
            "label": EVIL_IMG,
            "profile_id": EVIL_IMG,
            "attributes": {"note": EVIL_IMG + EVIL_SCRIPT, EVIL_IMG: "key"},
        }
    )
    cluster["edges"].append(
        {
            "from": "email:ann@example.com",
            "to": evil_id,
            "kind": "event",
            "event_id": EVIL_SCRIPT,
            "event_type": EVIL_IMG,
            "channel": EVIL_IMG,
            "timestamp": EVIL_SCRIPT,
            "rule": EVIL_IMG,
            "merges": False,
        }
    )
    cluster["center"] = evil_id
    page = open_view(browser, render(cluster, tmp_path / "evil.html"))

    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 3
    assert page.evaluate("[...document.querySelectorAll('img')].length") == 0
    assert page.events("Page.javascriptDialogOpening") == []
    assert page.evaluate("document.getElementById('title').textContent") == (
        "identigraph: " + EVIL_IMG
    )
    assert EVIL_IMG in page.evaluate("document.getElementById('legend').textContent")

    # Search finds it and the details panel shows the raw text as text.
    page.evaluate(
        "(() => { const s = document.getElementById('search'); s.value = 'onerror';"
        " s.dispatchEvent(new Event('input')); })()"
    )
    details = page.evaluate("document.getElementById('details').textContent")
    assert EVIL_IMG in details and EVIL_SCRIPT in details
    assert page.evaluate("window.identigraph.network.getSelectedNodes()") == [evil_id]

    # Hovering the node shows the tooltip with the literal text.
    x, y = _node_screen_position(page, evil_id)
    page.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
    tip = page.wait_for(
        "(() => { const t = document.querySelector('div.vis-tooltip');"
        " return t && t.style.visibility === 'visible' && t.textContent; })()",
        timeout=5,
    )
    assert EVIL_IMG in tip and EVIL_SCRIPT in tip

    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("[...document.querySelectorAll('img')].length") == 0
    assert page.events("Page.javascriptDialogOpening") == []
    assert all(not u.startswith(("http:", "https:")) for u in _requested_urls(page))
    assert _errors(page) == []


def test_big_cluster_renders_quickly(
    browser: Browser, big_cluster: Cluster, tmp_path: Path
) -> None:
    """180 nodes stabilise and draw well within the 15 s wait, then physics is off."""
    page = open_view(browser, render(big_cluster, tmp_path / "big.html"))
    assert page.evaluate("document.getElementById('node-count').textContent") == "180"
    assert page.evaluate("window.identigraph.network.physics.physicsEnabled") is False
