"""``identigraph serve`` as a user runs it: the token, refused addresses and ports, and a
load into the store while clients keep asking."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from serve_support import Reply, get, running_server
from support import CliResult, cli, free_port, load_events, write_jsonl

EVENTS = [{"event_id": f"e{i}", "timestamp": f"2025-01-01T00:{i % 60:02d}:00Z",
           "type": "form_submit", "email": f"p{i}@example.com",
           "phone": f"+1415555{i:04d}"} for i in range(300)]


@pytest.fixture
def store(tmp_path: Path) -> str:
    location = str(tmp_path / "s.db")
    load_events(location, write_jsonl(tmp_path / "e.jsonl", EVENTS))
    return location


@pytest.fixture
def either(store_location: str, tmp_path: Path) -> str:
    """The same store on each backend."""
    load_events(store_location, write_jsonl(tmp_path / "e.jsonl", EVENTS))
    return store_location


def test_token_is_required_on_the_api(store: str) -> None:
    with running_server(store, env={"IDENTIGRAPH_TOKEN": "s3cret-token"}) as server:
        api = server.url + "/api/identifiers/p1%40example.com"
        for token in (None, "wrong", "s3cret-token2", ""):
            got = get(api, token=token)
            assert got.status == 401 and "token" in got.body["error"]
            assert got.headers["www-authenticate"] == "Bearer"
        ok = get(api, token="s3cret-token")
        assert ok.status == 200 and ok.body["identifier"] == "email:p1@example.com"
        assert get(server.url + "/").status == 200  # the page holds no data


def _serve(store: str, *args: str) -> CliResult:
    return cli("serve", *args, store=store, process=True, timeout=60)


def test_refusals_are_one_line_exit_2(store: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        busy = str(taken.getsockname()[1])
        for args, words in ((["--host", "0.0.0.0"], "refusing to serve 0.0.0.0 without a token"),
                            (["--port", "70000"], "port 70000 is not a TCP port"),
                            (["--port", busy], f"cannot listen on 127.0.0.1:{busy}"),
                            (["--host", "no-such-host.invalid"], "cannot listen on")):
            out = _serve(store, *args)
            assert out.returncode == 2, (args, out.stderr)
            assert out.stderr.count("\n") == 1 and words in out.stderr, out.stderr
    out = _serve(str(Path(store).with_name("missing.db")), "--port", str(free_port()))
    assert out.returncode == 3 and "no store at" in out.stderr


def _ask_during_load(url: str, store: str, more: Path, clients: int,
                     path: Callable[[int], str], good: Callable[[Reply], bool],
                     settle: float) -> tuple[Counter[int], list[str]]:
    """``clients`` threads asking ``url + path(i)`` (i: the client's number, then every
    seventh) from ``settle`` / 2 seconds before a load of ``more`` into ``store`` until
    ``settle`` seconds after it: the statuses seen and the answers ``good`` refused."""
    seen: Counter[int] = Counter()
    errors: list[str] = []
    stop = threading.Event()

    def client(n: int) -> None:
        i = n
        while not stop.is_set():
            got = get(url + path(i))
            seen[got.status] += 1
            if not good(got):
                errors.append(f"{got.status} {got.text[:200]}")
            i += 7

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    time.sleep(settle / 2)
    loaded = cli("load", str(more), store=store, process=True, timeout=120)
    time.sleep(settle)
    stop.set()
    for t in threads:
        t.join(60)
    assert loaded.returncode == 0, loaded.stderr
    return seen, errors


def _writing(got: Reply) -> bool:
    """A 503 that says a load is writing the store."""
    return got.status == 503 and "a load is writing the store" in got.body["error"]


def test_answers_while_a_load_runs_and_recovers(either: str, tmp_path: Path) -> None:
    """Clients asking all the time see a 200 (the last finished state) or a clear 503, never
    anything else; after the load the server answers from the new state by itself."""
    more = write_jsonl(tmp_path / "more.jsonl", [
        {"event_id": "late", "timestamp": "2025-02-01T00:00:00Z", "type": "form_submit",
         "email": "p1@example.com", "phone": "+14155559999"}])
    store = either
    with running_server(store) as server:
        url = server.url + "/api/explain?a=p1%40example.com&b=%2B14155559999"
        before = get(url).body
        assert before["same_profile"] is False
        how = server.url + "/api/how/p1%40example.com"
        assert "late" not in {s["event_id"] for s in get(how).body["steps"]}
        assert get(server.url + "/api/stats").body["events"] == len(EVENTS)  # until a load
        seen, errors = _ask_during_load(
            url, store, more, 4, lambda _: "", lambda got: _writing(got) or (
                got.status == 200 and got.body["a"] == "email:p1@example.com"), settle=1.0)
        assert errors == [] and seen[200] > 0
        after = get(url).body
        assert after["same_profile"] is True and after["path"][0]["event_id"] == "late"
        assert get(server.url + "/api/stats").body["events"] == len(EVENTS) + 1
        assert "late" in {s["event_id"] for s in get(how).body["steps"]}  # events read anew


@pytest.mark.slow  # 50 threads for seconds: CPU a quick gate cannot spare (make test runs it)
def test_fifty_concurrent_clients_with_a_load_meanwhile(either: str, tmp_path: Path) -> None:
    """50 clients on loopback for a few seconds, across the API, while a load runs, on each
    backend: every answer is complete JSON, 200 or a clear 503 (speed: benchmarks/bench_serve.py)."""
    more = write_jsonl(tmp_path / "more.jsonl", [
        {"event_id": f"m{i}", "timestamp": "2025-03-01T00:00:00Z", "type": "checkout",
         "email": f"p{i}@example.com", "phone": f"+1415666{i:04d}"} for i in range(200)])
    paths = ["/api/identifiers/p{}%40example.com", "/api/how/p{}%40example.com",
             "/api/explain?a=p{}%40example.com&b=%2B14155550001",
             "/api/cluster/p{}%40example.com?depth=1", "/api/profiles?limit=20&sort=size",
             "/api/stats"]
    with running_server(either) as server:
        seen, errors = _ask_during_load(
            server.url, either, more, 50, lambda i: paths[i % len(paths)].format(i % len(EVENTS)),
            lambda got: _writing(got) or (got.status == 200 and got.body is not None),
            settle=2.0)
        assert errors == [], errors[:5]
        assert seen[200] > 0  # how many depends on the machine; that none failed is the test
        shown = get(server.url + "/api/identifiers/p5%40example.com").body
        assert shown["profile"]["phones"] == ["+14156660005"]  # the new state, by itself
