"""The kernels built ahead of time (engine/aot.py) and numba's: the same decisions, a load
with the build that never imports numba, and no stale build answering edited source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from types import ModuleType

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from support import cli, example_files
from test_resolver_equivalence import event_tables, rulesets

from identigraph.engine import aot, kernels
from identigraph.engine.resolver import Resolution, resolve
from identigraph.events import EventTable
from identigraph.rules.model import RuleSet


@pytest.fixture(scope="module")
def built() -> ModuleType:
    """This source's build: the one ``make install`` made, or made now (~20 s) when
    there is none, as ``make install`` would."""
    module = kernels.current_build()
    if module is None:
        aot.build()
        module = kernels.current_build()
    assert module is not None, "the kernels built ahead of time do not import"
    return module


Use = Callable[[ModuleType], None]


@pytest.fixture()
def use(monkeypatch: pytest.MonkeyPatch) -> Use:
    """Replays in this test use the kernels module handed to ``use``."""
    def chosen(module: ModuleType) -> None:
        monkeypatch.setattr(kernels, "_kernels", lambda: module)
    return chosen


def _resolved(events: EventTable, ruleset: RuleSet, module: ModuleType, use: Use) -> Resolution:
    use(module)
    return resolve(events, ruleset)


def _assert_equal(a: Resolution, b: Resolution) -> None:
    for f in fields(Resolution):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y), f.name
        elif isinstance(x, pa.Array | pa.ChunkedArray):
            assert x.equals(y), f.name
        else:
            assert x == y, f.name


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ruleset=rulesets(), events=event_tables(max_size=40))
def test_the_build_and_numba_decide_the_same(built: ModuleType, use: Use,
                                             ruleset: RuleSet, events: EventTable) -> None:
    """Every array of the replay, ids included, on any rule set (limits that replace and
    grow the profile arrays, blocked values, every link mode)."""
    _assert_equal(_resolved(events, ruleset, built, use),
                  _resolved(events, ruleset, kernels._numba(), use))


_LOAD = """
import json, sys
from identigraph.api import load
from identigraph.engine import kernels
from identigraph.graph.open import open_store
store = open_store(sys.argv[1])
report = load(store, sys.argv[2:])
profiles = sorted(sorted(p.emails + p.phones + p.external_ids) for p in store.profiles())
store.close()
print(json.dumps({"kernels": kernels.which(), "numba": "numba" in sys.modules,
                  "events": report.events_added, "profiles": profiles}))
"""


def _load_in_a_process(tmp_path: Path, name: str, env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _LOAD, str(tmp_path / f"{name}.db"),
         *map(str, example_files())],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **env})
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout.splitlines()[-1])
    return result


def test_a_load_with_the_build_never_imports_numba(built: ModuleType, tmp_path: Path) -> None:
    """~100 MB and ~0.6 s less per load; numba's kernels give the same profiles."""
    with_build = _load_in_a_process(tmp_path, "built", {"IDENTIGRAPH_KERNELS": "auto"})
    with_numba = _load_in_a_process(tmp_path, "numba", {"IDENTIGRAPH_KERNELS": "numba"})
    assert (with_build["kernels"], with_build["numba"]) == ("built", False)
    assert (with_numba["kernels"], with_numba["numba"]) == ("numba", True)
    assert with_build["events"] == with_numba["events"] and with_build["events"]
    assert with_build["profiles"] == with_numba["profiles"] and with_build["profiles"]


def test_an_edited_kernel_is_not_answered_by_a_stale_build(
        built: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edited = []
    for source in kernels.SOURCES:
        copy = tmp_path / source.name
        copy.write_bytes(source.read_bytes())
        edited.append(copy)
    monkeypatch.setattr(kernels, "SOURCES", tuple(edited))
    assert kernels.current_build() is not None  # the same source: the same build
    original = edited[0].read_bytes()
    edited[0].write_bytes(original + b"\n# an edit\n")
    assert kernels.current_build() is None
    edited[0].write_bytes(original)
    assert kernels.current_build() is not None
    edited[1].unlink()  # source that cannot be read cannot vouch for a build either
    assert kernels.current_build() is None


def test_a_kernels_setting_that_is_neither_auto_nor_numba_stops_a_load_before_it_writes(
        tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    out = cli("load", *map(str, example_files()), store=str(store),
              env={"IDENTIGRAPH_KERNELS": "fast"})
    assert out.returncode == 2
    assert "IDENTIGRAPH_KERNELS='fast' is neither auto nor numba" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert not store.exists()


def test_without_a_compiler_the_build_says_so_in_one_line_and_numba_stays(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(aot, "current_build", lambda: None)  # as with edited source
    monkeypatch.setattr(aot.shutil, "which", lambda _name: None)
    assert aot.main() == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no C compiler" in err[0] and "numba" in err[0]


def test_a_failed_build_says_why_in_one_line(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> Path:
        raise OSError("Permission denied: 'engine'\nmore detail")
    monkeypatch.setattr(aot, "current_build", lambda: None)  # as with edited source
    monkeypatch.setattr(aot, "build", broken)
    assert aot.main() == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["identigraph: the kernels were not built ahead of time (Permission denied: "
                   "'engine'); they stay numba's"]


def test_the_build_and_numba_find_the_same_component_roots(built: ModuleType) -> None:
    """The Spark engine's per-partition union-find (kernels.component_roots)."""
    rng = np.random.default_rng(5)
    src, dst = rng.integers(0, 300, 400), rng.integers(0, 300, 400)
    got = built.component_roots(src, dst, 300)
    assert np.array_equal(got, kernels._numba().component_roots(src, dst, 300))
    assert all(got[got[x]] == got[x] <= x for x in range(300))  # a star on its smallest
    for a, b in zip(src, dst, strict=True):
        assert got[a] == got[b]


def test_a_current_build_is_not_built_again(built: ModuleType, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """``make install`` runs the build every time; with this source's build there, it only
    says so."""
    def never() -> Path:
        raise AssertionError("built again")
    monkeypatch.setattr(aot, "build", never)
    assert aot.main() == 0
    assert "is up to date" in capsys.readouterr().out
