"""Gzipped exports (``.csv.gz``): read exactly like the plain file; a bad one is refused."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from loaderkit import balanced, fixture
from support import cli, cli_load

ROOT = Path(__file__).resolve().parents[2]
CSV_FILES = [*sorted(p for p in fixture("").iterdir() if p.suffix == ".csv"),
             ROOT / "examples" / "imports.csv"]  # the canonical events CSV


def _gzip(src: Path, dst: Path) -> Path:
    with src.open("rb") as fin, gzip.open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    return dst


def _without(text: str, *paths: Path) -> Any:
    for p in paths:
        text = text.replace(str(p), "FILE")
    return json.loads(text)


@pytest.mark.parametrize("src", CSV_FILES, ids=lambda p: p.name)
def test_gzipped_csv_loads_like_the_plain_file(tmp_path: Path, src: Path) -> None:
    plain = tmp_path / src.name
    shutil.copy(src, plain)
    packed = _gzip(src, tmp_path / f"{src.name}.gz")
    a, b = str(tmp_path / "plain.db"), str(tmp_path / "packed.db")
    summary_a, summary_b = cli_load(str(plain), store=a), cli_load(str(packed), store=b)
    assert summary_a["rows_read"] > 0 and balanced(summary_b)
    assert (_without(json.dumps(summary_a), plain)
            == _without(json.dumps(summary_b), packed))
    profiles_a = json.loads(cli("profiles", "--json", store=a).stdout)
    assert profiles_a and profiles_a == json.loads(cli("profiles", "--json", store=b).stdout)


@pytest.mark.parametrize("src", [fixture("shopify_orders.csv"),
                                 fixture("segment_events.jsonl")], ids=lambda p: p.name)
@pytest.mark.parametrize("damage", ["not gzip", "cut short"])
def test_bad_gzip_is_one_line_and_loads_nothing(tmp_path: Path, src: Path,
                                                 damage: str) -> None:
    bad = tmp_path / f"{src.name}.gz"
    if damage == "not gzip":
        shutil.copy(src, bad)
    else:
        whole = gzip.compress(src.read_bytes() * 50)
        bad.write_bytes(whole[: len(whole) * 2 // 3])
    store = str(tmp_path / "s.db")
    out = cli("load", str(bad), store=store)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0], out.stderr
    assert "Traceback" not in out.stderr
    stats = cli("stats", "--json", store=store)
    assert stats.returncode != 0 or json.loads(stats.stdout)["events"] == 0
