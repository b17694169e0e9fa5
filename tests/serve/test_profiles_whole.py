"""``/api/profiles`` is a whole list or no list: a short one is read before its first byte
(a load that ran meanwhile makes it a 503), a long one streams and is broken off (an
incomplete transfer, never a list that looks complete) when the store changed under it."""

from __future__ import annotations

import http.client
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from serve_support import get
from support import cli, cli_json, example_files, free_port

from identigraph.graph.store import Store
from identigraph.serve import app as served_app
from identigraph.serve.access import Busy, StoreAccess


class ChangedMeanwhile(StoreAccess):
    """A store access that, once ``changed`` is set, finds every answer overtaken by a
    write (what a Neo4j load during the answer looks like to it)."""

    changed = False

    @contextmanager
    def store(self) -> Iterator[Store]:
        with super().store() as store:
            yield store
        if self.changed:
            raise Busy(f"a load is writing the store {self.location}")


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[tuple[str, ChangedMeanwhile, str]]:
    """An in-process server over the examples; lists of up to 3 profiles answered whole."""
    store = str(tmp_path / "s.db")
    assert cli("load", *map(str, example_files()), store=store).returncode == 0
    monkeypatch.setattr(served_app, "WHOLE_ROWS", 3)
    access = ChangedMeanwhile(store)
    access.start()
    port = free_port()
    config = uvicorn.Config(served_app.create_app(access), host="127.0.0.1", port=port,
                            log_level="critical")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/api/profiles", access, store
    finally:
        running.should_exit = True
        thread.join(10)
        access.close()


def test_a_list_is_whole_when_the_store_stays(server: tuple[str, ChangedMeanwhile, str]
                                              ) -> None:
    url, _, store = server
    everything = cli_json("profiles", store=store)
    assert len(everything) > 3
    assert get(url + "?limit=100000").body == everything  # streamed past the first 3
    assert get(url + "?limit=3").body == everything[:3]  # read whole


def test_a_short_list_overtaken_by_a_load_is_a_503(server: tuple[str, ChangedMeanwhile, str]
                                                   ) -> None:
    url, access, _ = server
    access.changed = True
    got = get(url + "?limit=3")
    assert got.status == 503 and "a load is writing the store" in got.body["error"]


def test_a_long_list_overtaken_by_a_load_is_broken_off(
        server: tuple[str, ChangedMeanwhile, str]) -> None:
    url, access, _ = server
    access.changed = True
    with urllib.request.urlopen(url + "?limit=100000", timeout=30) as resp:
        assert resp.status == 200  # the status went out with the first profiles
        with pytest.raises(http.client.IncompleteRead):
            resp.read()
