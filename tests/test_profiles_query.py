"""``profiles`` at any size: streamed output, --limit, --min-size, --kind, --sort, --jsonl,
on both backends (the same answers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import CliResult, cli, load_events, write_jsonl

from identigraph.graph.open import open_store

T = "2025-01-0{}T00:00:00Z"
EVENTS = [  # five people: sizes 3, 2, 1, 1, 1
    {"event_id": "a1", "timestamp": T.format(1), "type": "form_submit", "email": "ann@example.com",
     "phone": "+14155550101", "external_id": "C-1"},
    {"event_id": "d1", "timestamp": T.format(2), "type": "form_submit", "email": "dan@example.com",
     "phone": "+14155550102"},
    {"event_id": "b1", "timestamp": T.format(3), "type": "form_submit", "email": "bob@example.com"},
    {"event_id": "c1", "timestamp": T.format(4), "type": "sms_keyword", "phone": "+14155550103"},
    {"event_id": "e1", "timestamp": T.format(5), "type": "import", "external_id": "C-5"},
]


@pytest.fixture
def loaded(store_location: str, tmp_path: Path) -> str:
    load_events(store_location, write_jsonl(tmp_path / "e.jsonl", EVENTS))
    return store_location


def run(store: str, *args: str) -> CliResult:
    """``identigraph --store STORE profiles ARGS``; fails the test on a non-zero exit."""
    out = cli("profiles", *args, store=store)
    assert out.returncode == 0, out.stderr
    return out


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["profile_id"] for r in rows]


def size(row: dict[str, Any]) -> int:
    return len(row["emails"]) + len(row["phones"]) + len(row["external_ids"])


def test_filters_sorts_and_limits(loaded: str) -> None:
    everything = json.loads(run(loaded, "--json").stdout)
    assert len(everything) == 5 and ids(everything) == sorted(ids(everything))

    biggest = json.loads(run(loaded, "--json", "--sort", "size").stdout)
    assert [size(r) for r in biggest] == [3, 2, 1, 1, 1]
    assert biggest[0]["emails"] == ["ann@example.com"]
    assert ids(biggest[2:]) == sorted(ids(biggest[2:]))  # ties by id

    assert json.loads(run(loaded, "--json", "--limit", "2").stdout) == everything[:2]
    assert json.loads(run(loaded, "--json", "--limit", "0").stdout) == []
    big = json.loads(run(loaded, "--json", "--min-size", "2").stdout)
    assert sorted(r["emails"][0] for r in big) == ["ann@example.com", "dan@example.com"]
    ext = json.loads(run(loaded, "--json", "--kind", "external_id", "--sort", "size").stdout)
    assert [r["external_ids"] for r in ext] == [["C-1"], ["C-5"]]
    phones = json.loads(run(loaded, "--json", "--kind", "phone", "--min-size", "2").stdout)
    assert sorted(r["phones"][0] for r in phones) == ["+14155550101", "+14155550102"]


def test_json_is_the_whole_list_text_and_jsonl_one_per_line(loaded: str) -> None:
    text = run(loaded, "--json").stdout
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    lines = run(loaded, "--jsonl", "--sort", "size").stdout.splitlines()
    assert [json.loads(x) for x in lines] == json.loads(run(loaded, "--json", "--sort",
                                                            "size").stdout)
    plain = run(loaded, "--limit", "3").stdout.splitlines()
    assert len(plain) == 4 and plain[-1] == "3 profiles"


def test_bad_options_are_one_line_exit_2(loaded: str, tmp_path: Path) -> None:
    for args, words in ((["--kind", "fax"], "unknown identifier kind 'fax'"),
                        (["--sort", "name"], "unknown sort 'name'"),
                        (["--json", "--jsonl"], "choose one")):
        out = cli("profiles", *args, store=loaded)
        assert out.returncode == 2 and out.stdout == "", args
        assert out.stderr.count("\n") == 1 and words in out.stderr, out.stderr


def test_empty_store_lists_nothing(tmp_path: Path) -> None:
    store = str(tmp_path / "empty.db")
    open_store(store, create=True).close()
    assert run(store, "--json").stdout == "[]\n"
    assert run(store).stdout == "0 profiles\n"
