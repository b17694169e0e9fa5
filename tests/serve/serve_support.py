"""Helpers of the server tests: a real ``identigraph serve`` process and plain HTTP."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from support import free_port
from support.cli import CONSOLE_SCRIPT, environment


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]
    text: str


def get(url: str, token: str | None = None, timeout: float = 60) -> Reply:
    """GET a URL; the status, the parsed JSON body (text when not JSON) and headers."""
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            status, raw, headers = resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        status, raw, headers = err.code, err.read(), dict(err.headers)
    text = raw.decode("utf-8")
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    return Reply(status, body, {k.lower(): v for k, v in headers.items()}, text)


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[str]


@contextmanager
def running_server(store: str, *args: str, env: dict[str, str] | None = None
                   ) -> Iterator[Server]:
    """``identigraph --store STORE serve --port P ARGS`` until the block ends."""
    port = free_port()
    proc = subprocess.Popen([CONSOLE_SCRIPT, "--store", store, "serve", "--port", str(port),
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(env))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("server did not start within 60 s") from None
                time.sleep(0.1)
        yield Server(url, proc)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if sys.exc_info()[0] is not None and proc.stderr is not None:  # a failing test:
            print("the server's log:\n" + proc.stderr.read()[-8000:])  # pytest shows it
