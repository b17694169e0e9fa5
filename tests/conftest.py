"""Shared fixtures (the real Neo4j test server, one ``store_location`` over both backends)
and the markers that decide what a run selects.

Markers: ``neo4j`` (a real Neo4j server: everything under tests/neo4j and every test using
its fixtures), ``browser`` (headless Chromium), ``spark`` (a Spark JVM: tests/spark),
``slow`` (long end-to-end runs). A plain ``pytest`` (and ``make check``) runs what needs
neither Java nor a browser and is not slow; tests so marked run when ``-m`` selects them,
when their file or folder is named (``pytest tests/neo4j``), or with ``--all`` (``make
test``). They are deselected, never skipped, so the summary counts them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import FULL_RUN_ENV, clear_neo4j, neo4j_server

TESTS = Path(__file__).resolve().parent
# marker -> folders under tests/ whose every test carries it
FOLDER_MARKERS = {"neo4j": ("neo4j",), "spark": ("spark",)}
# marker -> fixtures whose users carry it
FIXTURE_MARKERS = {"neo4j": ("neo4j_uri", "neo4j_store", "auth_neo4j_uri"),
                   "browser": ("browser",)}
OPT_IN = ("neo4j", "browser", "spark", "slow")  # not in a plain run


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--all", action="store_true", dest="run_all",
                     help="run every test: also neo4j, browser, spark and slow ones")


def pytest_configure(config: pytest.Config) -> None:
    """A whole run (``--all``) tries every example of the property tests (support.examples)."""
    if config.getoption("run_all"):
        os.environ[FULL_RUN_ENV] = "1"


def _apply_markers(item: pytest.Item) -> None:
    rel = Path(str(item.path)).resolve().relative_to(TESTS).parts
    for marker, folders in FOLDER_MARKERS.items():
        if rel and rel[0] in folders:
            item.add_marker(marker)
    names = set(getattr(item, "fixturenames", ()))
    for marker, fixtures in FIXTURE_MARKERS.items():
        if names & set(fixtures):
            item.add_marker(marker)


def _named_on_command_line(config: pytest.Config, item: pytest.Item) -> bool:
    """True when the command line named this test's file or a folder below tests/ holding it."""
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return False
    path = Path(str(item.path)).resolve()
    for arg in config.args:
        named = Path(arg.split("::", 1)[0]).resolve()
        if named != TESTS and named != TESTS.parent and (named == path or named in path.parents):
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        _apply_markers(item)
    if config.getoption("run_all") or config.option.markexpr:
        return
    keep, drop = [], []
    for item in items:
        opted_in = any(item.get_closest_marker(m) for m in OPT_IN)
        (drop if opted_in and not _named_on_command_line(config, item) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    """Bolt URI of the real test server: ``$IDENTIGRAPH_TEST_NEO4J`` (started by .ci/run)
    or one started here for the session and stopped at its end."""
    given = os.environ.get("IDENTIGRAPH_TEST_NEO4J")
    if given:
        yield given
        return
    with neo4j_server() as uri:
        yield uri


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store location on each backend: a file path or a Bolt URI."""
    if request.param == "embedded":
        return str(tmp_path / "test.db")
    uri = str(request.getfixturevalue("neo4j_uri"))
    clear_neo4j(uri)
    return uri
