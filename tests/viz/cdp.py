"""Minimal Chrome DevTools Protocol driver for headless Chromium, stdlib only (no downloads)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path
from types import TracebackType
from typing import Any

FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
    "--window-size=1280,800",
    "--remote-debugging-port=0",
)


class CDPError(RuntimeError):
    """A DevTools command failed or the browser went away."""


class WebSocket:
    """Just enough RFC 6455 client for CDP: masked text frames out, text frames in."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        """Connect and perform the HTTP upgrade handshake."""
        parts = urllib.parse.urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        self._sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self._sock.sendall(
            (
                f"GET {parts.path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        self._file = self._sock.makefile("rb")
        status = self._file.readline()
        if b" 101 " not in status:
            raise CDPError(f"websocket handshake failed: {status!r}")
        while self._file.readline() not in (b"\r\n", b""):
            pass

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        """Send one final, client-masked frame."""
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        mask = os.urandom(4)
        keystream = (mask * (n // 4 + 1))[:n]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(keystream, "big")).to_bytes(
            n, "big"
        )
        self._sock.sendall(header + mask + masked)

    def send(self, text: str) -> None:
        """Send a text message."""
        self._send_frame(0x1, text.encode())

    def _read(self, n: int) -> bytes:
        """Read exactly n bytes or fail."""
        data = self._file.read(n)
        if len(data) < n:
            raise CDPError("websocket closed by the browser")
        return data

    def recv(self, timeout: float) -> str:
        """Return the next text message, answering pings; raise TimeoutError if none comes."""
        self._sock.settimeout(max(timeout, 0.001))
        chunks: list[bytes] = []
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            if b1 & 0x80:
                self._read(4)  # servers never mask; skip a key if one is sent anyway
            data, opcode = self._read(n), b0 & 0x0F
            if opcode == 0x8:
                raise CDPError("websocket closed by the browser")
            if opcode == 0x9:
                self._send_frame(0xA, data)
            elif opcode in (0x0, 0x1, 0x2):
                chunks.append(data)
                if b0 & 0x80:
                    return b"".join(chunks).decode()

    def close(self) -> None:
        """Close the socket without waiting for the browser."""
        self._file.close()
        self._sock.close()


class Browser:
    """A headless Chromium process driven over one flattened CDP websocket."""

    def __init__(self, executable: str = "/usr/bin/chromium", timeout: float = 20.0) -> None:
        """Start Chromium on a throwaway profile and connect to its DevTools endpoint."""
        self._dir = tempfile.mkdtemp(prefix="identigraph-cdp-")
        self._proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self._dir}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self._dir) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        lines: list[str] = []
        while len(lines) < 2:
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise CDPError(f"chromium did not expose DevTools within {timeout}s")
            time.sleep(0.05)
            if port_file.exists():
                lines = port_file.read_text().split()
        self._ws = WebSocket(f"ws://127.0.0.1:{lines[0]}{lines[1]}")
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _receive(self, deadline: float) -> dict[str, Any]:
        """Read one message; record events and dismiss JS dialogs so pages never hang."""
        message: dict[str, Any] = json.loads(self._ws.recv(deadline - time.monotonic()))
        if "method" in message:
            self.events.append(message)
            if message["method"] == "Page.javascriptDialogOpening":
                self._next_id += 1
                self._ws.send(
                    json.dumps(
                        {
                            "id": self._next_id,
                            "method": "Page.handleJavaScriptDialog",
                            "params": {"accept": False},
                            "sessionId": message.get("sessionId"),
                        }
                    )
                )
        return message

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 15.0,
    ) -> dict[str, Any]:
        """Send a command and wait for its result, collecting events meanwhile."""
        self._next_id += 1
        command_id = self._next_id
        message: dict[str, Any] = {"id": command_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self._receive(deadline)
            except TimeoutError as exc:
                raise CDPError(f"{method}: no reply within {timeout}s") from exc
            if reply.get("id") == command_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def new_page(self) -> Page:
        """Open a blank tab and attach to it."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        return Page(self, str(attached["sessionId"]))

    def close(self) -> None:
        """Stop the browser and delete its profile directory."""
        ws = getattr(self, "_ws", None)
        if ws is not None:
            with contextlib.suppress(CDPError, OSError):
                self.send("Browser.close", timeout=3)
            ws.close()
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Browser:
        """Use as a context manager."""
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close on exit."""
        self.close()


class Page:
    """One tab: send commands, evaluate JS, wait, screenshot, read its recorded events."""

    def __init__(self, browser: Browser, session: str) -> None:
        """Wrap an attached target session."""
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command to this tab."""
        return self.browser.send(method, params, session=self.session)

    def events(self, method: str) -> list[dict[str, Any]]:
        """Return the params of every event of that name this tab produced so far."""
        return [
            e.get("params", {})
            for e in self.browser.events
            if e.get("sessionId") == self.session and e["method"] == method
        ]

    def evaluate(self, expression: str) -> Any:
        """Evaluate JS in the page and return its JSON value (None for undefined)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise CDPError(f"JS error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15.0) -> Any:
        """Poll a JS expression until it is truthy and return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise CDPError(f"timed out after {timeout}s waiting for {expression}")
            time.sleep(0.05)

    def navigate(self, url: str) -> None:
        """Load a URL in this tab."""
        self.send("Page.navigate", {"url": url})

    def screenshot(self, clip: dict[str, float] | None = None) -> bytes:
        """Return a PNG screenshot of the viewport (or of a clip rectangle)."""
        params: dict[str, Any] = {"format": "png"}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        return base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
