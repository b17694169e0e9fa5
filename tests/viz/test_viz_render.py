"""render(): extension dispatch, errors, and that the caller's cluster is left untouched."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from vizdata import Cluster

from identigraph.viz import SUPPORTED_EXTENSIONS, render


@pytest.mark.parametrize("ext", SUPPORTED_EXTENSIONS)
def test_every_extension_writes_a_file(cluster: Cluster, tmp_path: Path, ext: str) -> None:
    """Each advertised format produces a non-empty file at the requested path."""
    out = render(cluster, tmp_path / f"cluster{ext}")
    assert out == tmp_path / f"cluster{ext}"
    assert out.stat().st_size > 200


def test_extension_is_case_insensitive_and_str_paths_work(cluster: Cluster, tmp_path: Path) -> None:
    """`-o OUT.JSON` given as a string still works."""
    out = render(cluster, str(tmp_path / "OUT.JSON"))
    assert out.read_text(encoding="utf-8").lstrip().startswith("{")


@pytest.mark.parametrize("name", ["cluster.pdf", "cluster", "cluster.html.bak"])
def test_unknown_extension_raises_with_supported_list(
    cluster: Cluster, tmp_path: Path, name: str
) -> None:
    """An unsupported output names every supported extension in one line and writes nothing."""
    with pytest.raises(ValueError) as err:
        render(cluster, tmp_path / name)
    message = str(err.value)
    assert "\n" not in message
    assert all(ext in message for ext in SUPPORTED_EXTENSIONS)
    assert not (tmp_path / name).exists()


def test_render_does_not_mutate_the_cluster(cluster: Cluster, tmp_path: Path) -> None:
    """Redacting for output never changes the caller's data."""
    before = copy.deepcopy(cluster)
    for ext in SUPPORTED_EXTENSIONS:
        render(cluster, tmp_path / f"c{ext}", redact=True)
    assert cluster == before


@pytest.mark.parametrize("ext", SUPPORTED_EXTENSIONS)
def test_tiny_clusters_render(tmp_path: Path, ext: str) -> None:
    """An empty cluster or a lone identifier (no edges, no highlight) still renders."""
    lone = {"id": "email:a@b.co", "kind": "email", "value": "a@b.co", "label": "a@b.co"}
    tiny: list[Cluster] = [{"nodes": [], "edges": []}, {"center": lone["id"], "nodes": [lone]}]
    for i, cluster in enumerate(tiny):
        assert render(cluster, tmp_path / f"t{i}{ext}", redact=True).stat().st_size > 0
