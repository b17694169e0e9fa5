#!/usr/bin/env python3
"""Regenerate the screenshots in docs/screenshots/ from the example data.

    python docs/make_screenshots.py [--chromium /usr/bin/chromium] [--out docs/screenshots]

Loads examples/*.jsonl and examples/*.csv into a throwaway store, writes the HTML views with
the real command line (`identigraph viz ... -o view.html`), opens each in headless Chromium
through the stdlib DevTools driver of the tests (tests/viz/cdp.py) and saves a PNG of the
page. Needs Debian's `chromium`; downloads nothing. The layout is seeded, so re-running gives
the same pictures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1200, 720
DRAWN = (
    "document.body && document.body.dataset.rendered === '1' && window.identigraph"
    " && !window.identigraph.network.physics.physicsEnabled"
)
TWO_FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(1))))"


@dataclass(frozen=True)
class Shot:
    """One screenshot: the file name, the `identigraph viz` arguments that draw it, and the
    event whose edge is clicked so the side panel shows its rule."""

    name: str
    args: tuple[str, ...]
    click_event: str
    big: bool = False  # drawn from the big store (one address typed with 700 phones)


SHOTS = (
    Shot("merged-cluster", ("maria.lopez@example.com",), click_event="f-maria-2"),
    Shot(
        "why-not",
        ("sam.okafor@example.com", "--path", "+12125550147", "--depth", "1"),
        click_event="c-sam-1",
    ),
    Shot("big-cluster", ("test@example.com", "--depth", "2"), click_event="k0", big=True),
)
#: The big store: test@example.com typed with 700 different phones at SMS keyword opt-ins.
BIG_EVENTS = [
    {"event_id": f"k{i}", "timestamp": f"2025-05-01T10:{i % 60:02d}:00Z", "type": "sms_keyword",
     "email": "test@example.com", "phone": f"+1415555{i:04d}"}
    for i in range(700)
]


def import_cdp() -> ModuleType:
    """Import tests/viz/cdp.py by path (the tests folder is not a package)."""
    spec = importlib.util.spec_from_file_location("cdp", ROOT / "tests" / "viz" / "cdp.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("cannot import tests/viz/cdp.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["cdp"] = module
    spec.loader.exec_module(module)
    return module


def load_examples(store: Path, files: list[Path] | None = None) -> None:
    """Load every example file (or these files) into a new store through the Python API."""
    from identigraph.api import load
    from identigraph.graph.open import open_store

    if files is None:
        files = (sorted((ROOT / "examples").glob("*.jsonl"))
                 + sorted((ROOT / "examples").glob("*.csv")))
    opened = open_store(str(store), create=True)
    try:
        load(opened, files)
    finally:
        opened.close()


def write_view(store: Path, args: tuple[str, ...], out: Path) -> None:
    """Run `identigraph --store STORE viz ARGS -o OUT`."""
    cmd = [sys.executable, "-m", "identigraph.cli", "--store", str(store), "viz", *args]
    subprocess.run([*cmd, "-o", str(out)], check=True, capture_output=True, text=True)


def click_edge(page: Any, event_id: str) -> None:
    """Click the middle of an event's edge so the side panel shows its rule."""
    point = page.evaluate(
        f"""(() => {{
          const net = window.identigraph.network;
          const data = JSON.parse(document.getElementById('cluster-data').textContent);
          const id = data.cluster.edges.findIndex(e => e.event_id === {json.dumps(event_id)});
          const dom = net.canvasToDOM(net.body.edges[id].edgeType.getPoint(0.5));
          const box = document.querySelector('#graph canvas').getBoundingClientRect();
          return [dom.x + box.left, dom.y + box.top];
        }})()"""
    )
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        page.send(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": point[0], "y": point[1], "button": "left", "clickCount": 1},
        )
    page.wait_for(
        f"document.getElementById('details').textContent.includes({json.dumps(event_id)})", 5
    )
    # Move away so the hover tooltip does not cover the drawing.
    page.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 5, "y": HEIGHT - 5})


def options(argv: list[str] | None, doc: str | None) -> argparse.Namespace | None:
    """``--chromium`` and ``--out`` of a screenshot script; None (said on stderr) when
    Chromium is missing. The output folder is created."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    opts = parser.parse_args(argv)
    if not Path(opts.chromium).exists():
        print(f"chromium not found at {opts.chromium} (apt-get install chromium)", file=sys.stderr)
        return None
    opts.out.mkdir(parents=True, exist_ok=True)
    opts.out = opts.out.resolve()
    return opts


def open_page(browser: Any, url: str, ready: str, width: int = WIDTH,
              height: int = HEIGHT) -> Any:
    """A new page of ``width`` x ``height`` at ``url``, once ``ready`` (JS) is true."""
    page = browser.new_page()
    page.send("Page.enable")
    page.send("Emulation.setDeviceMetricsOverride",
              {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    page.navigate(url)
    page.wait_for(ready, timeout=20)
    return page


def save(page: Any, target: Path) -> None:
    """Two frames after the last change, the page as a PNG at ``target``."""
    page.evaluate(TWO_FRAMES)
    target.write_bytes(page.screenshot())
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


def screenshot(cdp: ModuleType, chromium: str, views: list[tuple[Shot, Path]], out: Path) -> None:
    """Open each HTML view in headless Chromium and save a PNG of the page."""
    with cdp.Browser(chromium) as browser:
        for shot, html in views:
            page = open_page(browser, html.as_uri(), DRAWN)
            click_edge(page, shot.click_event)
            save(page, out / f"{shot.name}.png")


def main(argv: list[str] | None = None) -> int:
    """Build the example store, write the views and screenshot them."""
    opts = options(argv, __doc__)
    if opts is None:
        return 2
    cdp = import_cdp()
    with tempfile.TemporaryDirectory(prefix="identigraph-shots-") as tmp:
        store, big = Path(tmp) / "demo.db", Path(tmp) / "big.db"
        load_examples(store)
        big_file = Path(tmp) / "big.jsonl"
        big_file.write_text("".join(json.dumps(e) + "\n" for e in BIG_EVENTS), encoding="utf-8")
        load_examples(big, [big_file])
        views = []
        for shot in SHOTS:
            html = Path(tmp) / f"{shot.name}.html"
            write_view(big if shot.big else store, shot.args, html)
            views.append((shot, html))
        screenshot(cdp, opts.chromium, views, opts.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
