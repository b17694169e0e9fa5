"""docs/api.md's examples run, in order, and print what the page shows (doctest)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
from support import EXAMPLES, ROOT

API_DOCS = ROOT / "docs" / "api.md"


def test_every_example_of_the_api_docs_prints_what_it_shows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", API_DOCS.read_text(encoding="utf-8"), re.S)
    assert blocks and all(b.startswith(">>> ") for b in blocks)  # no example goes unchecked
    (tmp_path / "examples").symlink_to(EXAMPLES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IDENTIGRAPH_STORE", raising=False)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    shared: dict[str, object] = {}  # later examples use what earlier ones made (``graph``)
    report: list[str] = []
    try:
        for i, block in enumerate(blocks):
            test = parser.get_doctest(block, shared, f"api.md example {i + 1}", str(API_DOCS), 0)
            runner.run(test, out=report.append, clear_globs=False)
            shared = test.globs  # a DocTest runs on a copy
    finally:
        for name in ("graph", "shop"):
            if name in shared:
                shared[name].close()  # type: ignore[attr-defined]
    assert runner.failures == 0, "".join(report)
    assert runner.tries == sum(b.count("\n>>> ") + 1 for b in blocks)
    assert (tmp_path / "rejects.csv").is_file() and (tmp_path / "sam.html").is_file()
