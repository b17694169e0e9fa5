"""The example data, end to end: load, `identigraph viz` to HTML, open it in headless Chromium.

This goes through the real path (API load -> store -> CLI -> build_cluster -> render) rather
than a hand-made cluster, and checks the page against the `.json` export of the same view.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from cdp import Browser, Page
from PIL import Image
from support import cli, example_files, write_jsonl
from test_viz_browser import _errors, _node_screen_position, _requested_urls, open_view
from test_viz_browser import browser as browser  # module-scoped Chromium fixture, re-used
from test_viz_html import EVIL_IMG, EVIL_SCRIPT, REMOTE_LOAD

from identigraph.api import load
from identigraph.graph.open import open_store
from identigraph.viz.common import KIND_STYLES, truncate

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = example_files()
EVIL_EXTERNAL_ID = "external_id:" + EVIL_IMG

# DOM attributes through which a page could load something.
URL_ATTRIBUTES = "[src],[href],[action],[formaction],[poster],[srcset],[data],[background]"


def _load(location: Path, files: list[Path]) -> None:
    """Load files into a store through the public API."""
    store = open_store(str(location))
    try:
        report = load(store, files)
    finally:
        store.close()
    assert report.events_added > 0


@pytest.fixture(scope="module")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding every example file, loaded once for the module."""
    assert EXAMPLES, "examples/*.jsonl and examples/*.csv are missing"
    location = tmp_path_factory.mktemp("example") / "demo.db"
    _load(location, EXAMPLES)
    return location


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose export rows carry markup in a first name, an external id and an event id."""
    folder = tmp_path_factory.mktemp("evil")
    events = write_jsonl(
        folder / "evil.jsonl",
        [
            {
                "event_id": "evil-1",
                "timestamp": "2025-05-01T10:00:00Z",
                "type": "form_submit",
                "email": "eve@example.com",
                "external_id": EVIL_IMG,  # external ids are free text
                "email_consent": "subscribed",
                "attributes": {"first_name": EVIL_IMG},
            },
            {
                "event_id": EVIL_SCRIPT,
                "timestamp": "2025-05-02T10:00:00Z",
                "type": "checkout",
                "email": "eve@example.com",
                "phone": "+14155550111",
                "sms_consent": "subscribed",
            },
        ],
    )
    location = folder / "evil.db"
    _load(location, [events])
    return location


def viz(store: Path, out: Path, *args: str) -> Path:
    """Run `identigraph --store STORE viz ARGS -o OUT` and return OUT."""
    done = cli("viz", *args, "-o", str(out), store=str(store))
    assert done.returncode == 0, done.stderr
    assert out.exists()
    return out


def views(store: Path, folder: Path, name: str, *args: str) -> tuple[Path, dict[str, Any]]:
    """Write the HTML view and the JSON export of the same view; return the page and the data."""
    html = viz(store, folder / f"{name}.html", *args)
    data = json.loads(viz(store, folder / f"{name}.json", *args).read_text(encoding="utf-8"))
    return html, data


def canvas_colors(page: Page) -> tuple[dict[Any, int], int]:
    """Screenshot the graph canvas; return its colour histogram and its pixel count."""
    box = page.evaluate(
        "(() => { const r = document.querySelector('#graph canvas').getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"
    )
    assert box["width"] > 300 and box["height"] > 300, box
    shot = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
    histogram = shot.getcolors(maxcolors=shot.width * shot.height) or []
    return {color: n for n, color in histogram}, shot.width * shot.height


def assert_drawn(page: Page, kinds: set[str]) -> None:
    """The canvas is not blank: many colours, enough ink, and every node kind's fill visible."""
    colors, area = canvas_colors(page)
    painted = sum(n for color, n in colors.items() if color != (255, 255, 255))
    assert len(colors) > 30 and painted > 0.005 * area, (len(colors), painted)
    for kind in kinds:
        hexa = KIND_STYLES[kind]["color"]
        rgb = tuple(int(hexa[i : i + 2], 16) for i in (1, 3, 5))
        assert colors.get(rgb, 0) > 20, f"no {kind} node visible on the canvas"


def assert_counts_match_export(page: Page, data: dict[str, Any]) -> None:
    """The page shows, and vis holds, exactly the nodes and edges of the JSON export."""
    nodes, edges = len(data["nodes"]), len(data["edges"])
    assert page.evaluate("document.getElementById('node-count').textContent") == str(nodes)
    assert page.evaluate("document.body.dataset.nodeCount") == str(nodes)
    assert page.evaluate("document.getElementById('edge-count').textContent") == str(edges)
    assert page.evaluate("window.identigraph.nodes.length") == nodes
    assert page.evaluate("window.identigraph.edges.length") == edges
    assert sorted(page.evaluate("window.identigraph.nodes.getIds()")) == sorted(
        n["id"] for n in data["nodes"]
    )


def assert_offline(page: Page, html: Path) -> None:
    """Only the file itself was requested, and nothing in the page points at http(s)."""
    assert _requested_urls(page) == [html.as_uri()]
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0
    assert REMOTE_LOAD.search(html.read_text(encoding="utf-8")) is None
    linked = page.evaluate(
        f"[...document.querySelectorAll({json.dumps(URL_ATTRIBUTES)})].map(e => e.outerHTML)"
    )
    assert linked == []
    assert _errors(page) == []


def test_merged_cluster_from_the_example_data(
    browser: Browser, example_store: Path, tmp_path: Path
) -> None:
    """maria's merged profile (email, phone, CRM id) draws offline with the export's nodes."""
    html, data = views(example_store, tmp_path, "maria", "maria.lopez@example.com")
    ids = {n["id"] for n in data["nodes"]}
    assert {"email:maria.lopez@example.com", "phone:+14155550134", "external_id:CRM-0001"} <= ids

    page = open_view(browser, html)
    assert page.evaluate("document.getElementById('title').textContent") == (
        "identigraph: maria.lopez@example.com"
    )
    assert_counts_match_export(page, data)
    assert_drawn(page, {"email", "phone", "external_id", "profile"})
    assert_offline(page, html)


def test_why_not_view_from_the_example_data(
    browser: Browser, example_store: Path, tmp_path: Path
) -> None:
    """sam's checkout phone is shown apart: the blocked edge is gold, dashed and labelled."""
    args = ("sam.okafor@example.com", "--path", "+12125550147", "--depth", "1")
    html, data = views(example_store, tmp_path, "sam", *args)
    assert data["highlight"]["same_profile"] is False
    hot = [data["edges"][i] for i in data["highlight"]["edges"]]
    assert [(e["rule"], e["merges"]) for e in hot] == [("attach_only", False)]

    page = open_view(browser, html)
    assert_counts_match_export(page, data)
    assert "same profile: no" in page.evaluate(
        "document.getElementById('path-summary').textContent"
    )
    drawn = page.evaluate(
        "window.identigraph.edges.get().filter(e => e.dashes)"
        ".map(e => ({id: e.id, label: e.label || null}))"
    )
    assert {"id": data["highlight"]["edges"][0], "label": "attach_only"} in drawn
    assert "highlighted path" in page.evaluate("document.getElementById('legend').textContent")
    assert_drawn(page, {"email", "phone", "profile"})
    assert_offline(page, html)


def test_markup_from_an_export_row_stays_text(
    browser: Browser, evil_store: Path, tmp_path: Path
) -> None:
    """An external id and an event id full of markup show literally and never run."""
    html, data = views(evil_store, tmp_path, "evil", EVIL_EXTERNAL_ID)
    assert data["center"] == EVIL_EXTERNAL_ID
    assert EVIL_IMG not in html.read_text(encoding="utf-8")  # only ever \u003c-escaped

    page = open_view(browser, html)
    assert_counts_match_export(page, data)
    assert page.evaluate("document.getElementById('title').textContent") == (
        "identigraph: " + EVIL_IMG
    )
    assert page.evaluate(
        f"window.identigraph.nodes.get({json.dumps(EVIL_EXTERNAL_ID)}).label"
    ) == truncate(EVIL_IMG)
    edge_text = page.evaluate(
        "window.identigraph.edges.get().map(e => e.title.textContent).join('\\n')"
    )
    assert "event: " + EVIL_SCRIPT in edge_text

    # Search selects the node and the details panel shows the raw text.
    page.evaluate(
        "(() => { const s = document.getElementById('search'); s.value = 'onerror';"
        " s.dispatchEvent(new Event('input')); })()"
    )
    assert page.evaluate("window.identigraph.network.getSelectedNodes()") == [EVIL_EXTERNAL_ID]
    assert EVIL_IMG in page.evaluate("document.getElementById('details').textContent")

    # Hovering it shows the tooltip with the literal text.
    x, y = _node_screen_position(page, EVIL_EXTERNAL_ID)
    page.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
    tip = page.wait_for(
        "(() => { const t = document.querySelector('div.vis-tooltip');"
        " return t && t.style.visibility === 'visible' && t.textContent; })()",
        timeout=5,
    )
    assert EVIL_IMG in tip

    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 3
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.events("Page.javascriptDialogOpening") == []
    assert_offline(page, html)


def test_first_name_from_an_export_row_shows_as_text(
    browser: Browser, evil_store: Path, tmp_path: Path
) -> None:
    """A first name full of markup reaches the details panel as literal text."""
    data = json.loads(viz(evil_store, tmp_path / "evil.json", EVIL_EXTERNAL_ID).read_text())
    named = [n for n in data["nodes"] if "first_name" in (n.get("attributes") or {})]
    assert named, "no node carries the first name"
    page = open_view(browser, viz(evil_store, tmp_path / "evil.html", EVIL_EXTERNAL_ID))
    for node in named:
        assert node["attributes"]["first_name"] == EVIL_IMG
        page.evaluate(
            "(() => { const s = document.getElementById('search');"
            f" s.value = {json.dumps(node['value'])}; s.dispatchEvent(new Event('input')); }})()"
        )
        assert page.evaluate("window.identigraph.network.getSelectedNodes()") == [node["id"]]
        details = page.evaluate("document.getElementById('details').textContent")
        assert "first_name" + EVIL_IMG in details
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.events("Page.javascriptDialogOpening") == []
