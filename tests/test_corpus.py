"""The bad-input corpus (``tests/corpus/cases.yaml``): every case loaded through the command
line, in this process, and held to its exit code, its one-line error, the summary's counts,
the problems in ``--rejects``, what is stored and what queries print."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import cli

from identigraph.graph.open import open_store

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text("utf-8"))
COUNTS = ("rows_read", "loaded", "loaded_with_warnings", "rejected", "duplicates")


def _generated(name: str, folder: Path) -> Path:
    """The two cases too big to keep in the repository, written when they run."""
    good = json.dumps({"event_id": "e2", "timestamp": "2025-01-01T10:00:00Z",
                       "type": "form_submit", "email": "ok@example.com"})
    if name == "deep_json.jsonl":
        first = '{"a":' * 100_000 + "1" + "}" * 100_000
    else:  # huge_attribute.jsonl: one value of 2 MiB
        first = json.dumps({"event_id": "e1", "timestamp": "2025-01-01T10:00:00Z",
                            "type": "form_submit", "email": "big@example.com",
                            "attributes": {"blob": "y" * (2 << 20)}})
    path = folder / name
    path.write_text(f"{first}\n{good}\n", encoding="utf-8")
    return path


def run(args: list[str]) -> tuple[int, str, str]:
    """``identigraph ARGS`` as a user runs it: exit code, standard output, standard error."""
    out = cli(*args)
    return out.returncode, out.stdout, out.stderr


def _store(case: dict[str, Any], folder: Path) -> Path:
    """The store location of a case: a fresh file, or the broken thing it asks for."""
    kind = case.get("store")
    path = folder / "store.db"
    if kind == "folder":
        path.mkdir()
    elif kind == "text":
        path.write_text("not a database\n" * 50, encoding="utf-8")
    elif kind == "truncated":
        path.write_bytes(bytes(8) + b"DUCK" + bytes(88))  # a DuckDB file cut short
    return path


def _arg(value: str) -> str:
    """A rule set or source map of the corpus by its file name; anything else as given."""
    return str(CORPUS / value) if (CORPUS / value).is_file() else value


def _load(case: dict[str, Any], files: list[str], tmp: Path) -> tuple[int, str, str, Path, Path]:
    store = _store(case, tmp)
    rejects = tmp / case.get("rejects", "rejects.csv")
    paths = [str(_generated(f, tmp) if case.get("generated") else CORPUS / f) for f in files]
    args = [_arg(a) for a in case.get("args", [])]
    code, out, err = run(["--store", str(store), "load", *paths, *args, "--json",
                          "--rejects", str(rejects)])
    return code, out, err, store, rejects


def _problems(rejects: Path) -> list[dict[str, str]]:
    with rejects.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _identifier(store: Path, key: str) -> object:
    s = open_store(str(store), create=False)
    try:
        return s.identifier(key)
    finally:
        s.close()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_corpus_case(case: dict[str, Any], tmp_path: Path) -> None:
    """One bad input: the documented outcome, one readable line, every row accounted for."""
    code, out, err, store, rejects = _load(case, case["files"], tmp_path)
    assert code == case["exit"], err
    assert "Traceback" not in err
    if case["exit"] != 0:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and case["error"] in lines[0], err
        if case.get("nothing_stored"):
            assert not store.exists() or run(["--store", str(store), "stats", "--json"])[1].count('"events": 0') == 1
        return
    summary = json.loads(out)
    assert [summary[k] for k in COUNTS] == case["counts"], summary
    assert sum(summary[k] for k in COUNTS[1:]) == summary["rows_read"]
    found = _problems(rejects)
    for want in case.get("problems", []):
        line, column, severity, reason = want.split(":", 3)
        assert any(p["line"] == line and p["column"] == column and p["severity"] == severity
                   and reason in p["reason"] for p in found), (want, found)
    if case.get("rejects_safe"):
        cells = [v for p in found for v in p.values()]
        assert cells and not any(v.startswith(("=", "+", "-", "@")) for v in cells), cells
    for key in case.get("stored", []):
        assert _identifier(store, key) is not None, key
    for key in case.get("absent", []):
        assert _identifier(store, key) is None, key
    if "profiles" in case:
        shown = json.loads(run(["--store", str(store), "profiles", "--json"])[1])
        assert len(shown) == case["profiles"]
    if "query" in case:
        q_code, q_out, q_err = run(["--store", str(store), *case["query"]])
        assert q_code == 0, q_err
        assert case["out"] in q_out
        assert "not_out" not in case or case["not_out"] not in q_out
    if case.get("both_orders"):
        again = tmp_path / "reversed"
        again.mkdir()
        _, _, _, other, _ = _load(case, case["files"][::-1], again)
        first = run(["--store", str(store), "profiles", "--json"])[1]
        second = run(["--store", str(other), "profiles", "--json"])[1]
        assert first == second
