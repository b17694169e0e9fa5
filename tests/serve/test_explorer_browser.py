"""The web explorer in real headless Chromium against a real server: search -> profile card
-> timeline and cluster -> why / why not, by keyboard; hostile values stay text."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_support import Server, running_server
from support import ROOT, cli, example_files, write_jsonl

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EVIL = "</script><img src=x onerror=alert(1)>"
READY = "window.identigraphExplorer && window.identigraphExplorer.ready"


def _cdp() -> Any:
    """tests/viz/cdp.py, the stdlib DevTools driver (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("cdp", ROOT / "tests" / "viz" / "cdp.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("cdp", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The examples plus a person whose external id and name are markup, served."""
    tmp = tmp_path_factory.mktemp("explorer")
    store = str(tmp / "x.db")
    evil = write_jsonl(tmp / "evil.jsonl", [
        {"event_id": "evil-1", "timestamp": "2025-05-01T00:00:00Z", "type": "form_submit",
         "email": "mallory@example.com", "external_id": EVIL,
         "attributes": {"first_name": EVIL, "note": "<b>bold</b> & co"}}])
    loaded = cli("load", *map(str, example_files()), str(evil), store=store)
    assert loaded.returncode == 0, loaded.stderr
    with running_server(store) as srv:
        yield srv


@pytest.fixture(scope="module")
def page(server: Server) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    cdp = _cdp()
    with cdp.Browser(CHROMIUM) as browser:
        tab = browser.new_page()
        for domain in ("Page", "Network", "Runtime", "Log"):
            tab.send(f"{domain}.enable")
        tab.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        tab.navigate(server.url + "/")
        tab.wait_for(READY, timeout=20)
        yield tab


def key(page: Any, name: str, text: str = "") -> None:
    """One key press (``Enter``, ``/``, ``Tab``), as a user's keyboard sends it."""
    codes = {"Enter": 13, "Tab": 9, "/": 191}
    for kind in ("keyDown", "keyUp"):
        params: dict[str, Any] = {"type": kind, "key": name,
                                  "windowsVirtualKeyCode": codes.get(name, 0)}
        if kind == "keyDown" and (text or name == "Enter"):
            params["text"] = text or "\r"
        page.send("Input.dispatchKeyEvent", params)


def type_text(page: Any, text: str) -> None:
    page.send("Input.insertText", {"text": text})


def text_of(page: Any, element_id: str) -> str:
    return str(page.evaluate(f"document.getElementById({json.dumps(element_id)}).textContent"))


def test_search_card_timeline_cluster_then_why_not_by_keyboard(page: Any, server: Server
                                                               ) -> None:
    key(page, "/", "/")  # "/" jumps to the search box
    assert page.evaluate("document.activeElement.id") == "q"
    type_text(page, "lee.chen@example.com")
    key(page, "Enter")
    page.wait_for("document.body.dataset.shown === 'lee.chen@example.com'")
    card = text_of(page, "card-body")
    assert "p_7bc85e565362e646" in card and "+17185550199" in card
    assert "p_a834cb90171d968a" in card  # merged ids
    assert "sms subscribed" in card and "i-crm-2" in card  # consent, created by
    timeline = text_of(page, "timeline")
    assert "replaced" in timeline and "merged" in timeline
    assert page.evaluate("window.identigraphExplorer.network.body.data.nodes.length") == 5

    page.evaluate("document.getElementById('why-a').focus()")
    type_text(page, "sam.okafor@example.com")
    key(page, "Tab")
    assert page.evaluate("document.activeElement.id") == "why-b"
    type_text(page, "+1 212 555 0147")
    key(page, "Enter")
    page.wait_for("document.getElementById('why-body').querySelectorAll('li').length === 1")
    why = text_of(page, "why-body")
    assert "different profiles" in why and "c-sam-1" in why and "never joins" in why
    page.wait_for("document.getElementById('status').textContent.includes('highlighted')")
    hot = page.evaluate("""window.identigraphExplorer.network.body.data.edges.get()
        .filter(e => e.width === 5).map(e => [e.from, e.to])""")
    assert hot == [["email:sam.okafor@example.com", "phone:+12125550147"]]
    urls = [e["request"]["url"] for e in page.events("Network.requestWillBeSent")]
    assert urls and all(u.startswith(server.url + "/") for u in urls), urls


def test_hostile_identifier_and_attribute_render_as_text(page: Any) -> None:
    page.evaluate(f"window.identigraphExplorer.find({json.dumps(EVIL)})")
    page.wait_for(f"document.body.dataset.shown === {json.dumps(EVIL)}")
    card = text_of(page, "card-body")
    assert f"external_id:{EVIL}" in card  # the identifier, as text
    assert EVIL in card.replace(f"external_id:{EVIL}", "")  # the name attribute too
    assert "<b>bold</b> & co" in card
    assert page.evaluate("document.querySelectorAll('img, b').length") == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.events("Page.javascriptDialogOpening") == []
    errors = [e for e in page.events("Runtime.exceptionThrown")]
    assert errors == []
