"""``export-state``: a store's state as Parquet files in one fixed row order, so two stores
that hold the same state write the same bytes however their events were split into loads."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from support import cli, example_files

from identigraph.engine.state import SCHEMAS


def _export(store: str, folder: Path) -> dict[str, bytes]:
    out = cli("export-state", str(folder), store=store)
    assert out.returncode == 0, out.stderr
    return {name: (folder / f"{name}.parquet").read_bytes() for name in SCHEMAS}


def test_a_store_loaded_in_one_go_and_one_loaded_in_parts_export_the_same_files(
        tmp_path: Path) -> None:
    files = example_files()
    assert len(files) > 2
    whole, parts = str(tmp_path / "whole.db"), str(tmp_path / "parts.db")
    assert cli("load", *map(str, files), store=whole).returncode == 0
    # the last file first: its events come before some already loaded (late events)
    for path in [files[-1], *files[:-1]]:
        assert cli("load", str(path), store=parts).returncode == 0
    one, split = _export(whole, tmp_path / "one"), _export(parts, tmp_path / "split")
    for name in SCHEMAS:
        assert pq.read_table(tmp_path / "one" / f"{name}.parquet").num_rows > 0, name
        assert split[name] == one[name], name
