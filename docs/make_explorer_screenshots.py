#!/usr/bin/env python3
"""Regenerate the explorer screenshots in docs/screenshots/ (``identigraph serve``).

    python docs/make_explorer_screenshots.py [--chromium /usr/bin/chromium] [--out DIR]

Loads the examples into a throwaway store, runs ``identigraph serve`` on a free loopback
port, opens the explorer in headless Chromium at 1400x900 (the stdlib DevTools driver of
the tests, as docs/make_screenshots.py does), and saves: a search for a merged person
(profile card, timeline, cluster) and a "why not" between two identifiers (path
highlighted, one sentence per link). Downloads nothing.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_screenshots import import_cdp, load_examples, open_page, options, save

WIDTH, HEIGHT = 1400, 900
READY = "window.identigraphExplorer && window.identigraphExplorer.ready"
SETTLED = ("window.identigraphExplorer.network && "
           "!window.identigraphExplorer.network.physics.physicsEnabled")
#: (file name, JS that shows it, text the status line shows once done)
SHOTS = (
    ("explorer-profile", "window.identigraphExplorer.find('lee.chen@example.com')",
     "lee.chen@example.com"),
    ("explorer-why-not",
     "window.identigraphExplorer.explain('sam.okafor@example.com', '+1 212 555 0147')",
     "highlighted"),
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    """Serve the example store and screenshot the explorer."""
    opts = options(argv, __doc__)
    if opts is None:
        return 2
    cdp = import_cdp()
    with tempfile.TemporaryDirectory(prefix="identigraph-explorer-") as tmp:
        store = Path(tmp) / "demo.db"
        load_examples(store)
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "identigraph.cli", "--store", str(store),
                                   "serve", "--port", str(port)], stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("identigraph serve did not start") from None
                    time.sleep(0.1)
            with cdp.Browser(opts.chromium) as browser:
                for name, action, done in SHOTS:
                    page = open_page(browser, f"http://127.0.0.1:{port}/", READY, WIDTH, HEIGHT)
                    page.evaluate(action)
                    page.wait_for("document.getElementById('status').textContent.includes("
                                  f"{json.dumps(done)})", timeout=20)
                    page.wait_for(SETTLED, timeout=20)
                    save(page, opts.out / f"{name}.png")
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
