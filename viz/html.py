"""Write a cluster as one self-contained, offline, interactive HTML page (vis-network)."""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .common import (
    CHANNEL_COLORS,
    HIGHLIGHT_COLOR,
    KIND_STYLES,
    LABEL_MAX,
    MEMBER_COLOR,
    OTHER_CHANNEL_COLOR,
    OTHER_KIND,
    Cluster,
    kind_style,
)

_TEMPLATES = Path(__file__).with_name("templates")
_VIS_JS = ("templates", "lib", "vis-9.1.2", "vis-network.min.js")
_PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")


@functools.cache
def vis_network_js() -> str:
    """Read vis-network from the installed pyvis package (found without importing it)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("HTML output needs the 'pyvis' package (it ships vis-network)")
    bundle = Path(next(iter(spec.submodule_search_locations))).joinpath(*_VIS_JS)
    return script_safe(bundle.read_text(encoding="utf-8"))


def script_safe(js: str) -> str:
    """Make JS safe to inline in <script>: nothing in it may close or comment the tag."""
    return re.sub(r"<(/script|!--)", r"<\\\1", js, flags=re.IGNORECASE)


def json_island(payload: Any) -> str:
    """Serialise data for a <script type=application/json> with <, > and & escaped."""
    text = json.dumps(payload, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def palette(cluster: Cluster) -> dict[str, Any]:
    """Return the shared palette (with the cluster's vendor namespaces) so the page draws
    like the static renderer."""
    kinds = {str(n.get("kind")) for n in cluster.get("nodes") or []}
    return {
        "kinds": {**KIND_STYLES, **{k: kind_style(k) for k in sorted(kinds - set(KIND_STYLES))}},
        "other_kind": OTHER_KIND,
        "channels": CHANNEL_COLORS,
        "other_channel": OTHER_CHANNEL_COLOR,
        "member": MEMBER_COLOR,
        "highlight": HIGHLIGHT_COLOR,
        "label_max": LABEL_MAX,
    }


def fill(template: str, parts: Mapping[str, str]) -> str:
    """A page template with each ``{{ name }}`` replaced by ``parts[name]``."""
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], template)


def page_css(own: str) -> str:
    """The style shared by the viz page and the serve explorer (templates/base.css), then
    a page's own."""
    return (_TEMPLATES / "base.css").read_text(encoding="utf-8") + own


def build_html(cluster: Cluster) -> str:
    """Return the full page: our template, inlined vis-network, data island, our JS/CSS."""
    parts = {
        "css": page_css((_TEMPLATES / "cluster.css").read_text(encoding="utf-8")),
        "vis_js": vis_network_js(),
        "data": json_island({"cluster": cluster, "style": palette(cluster)}),
        "app_js": script_safe((_TEMPLATES / "cluster.js").read_text(encoding="utf-8")),
    }
    return fill((_TEMPLATES / "cluster.html").read_text(encoding="utf-8"), parts)


def write_html(cluster: Cluster, path: Path) -> None:
    """Write the self-contained HTML page for a cluster."""
    path.write_text(build_html(cluster), encoding="utf-8")
