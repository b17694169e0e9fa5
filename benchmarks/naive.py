"""The naive pipeline identigraph is compared with: pandas + phonenumbers per row + networkx.

    python benchmarks/naive.py FILE.csv [--json]

It does LESS work than the rules need: every event type merges (no ``never_merges``,
``attach`` or limits), no event order, no consent, no store; it only counts the connected
components of "these identifiers appeared on the same event". Steps:

1. ``pandas.read_csv(dtype=str)`` (C engine);
2. per row: ``phonenumbers.parse(value, "US")`` + ``is_valid_number`` + E.164 format
   (invalid or unparsable phones are dropped); emails ``strip().lower()``; external ids
   ``strip()``;
3. a ``networkx.Graph`` with an edge between each pair of the event's identifiers (an
   event with one identifier adds that node), then ``nx.connected_components``.

Prints the time of each step, the total and the component count (``--json``: one JSON
object, used by ``bench_core.py``, which runs this file in a fresh process).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time


def run(path: str) -> dict[str, float | int]:
    """The naive pipeline on one canonical-events CSV; timings in seconds."""
    t0 = time.perf_counter()
    import networkx as nx
    import pandas as pd
    import phonenumbers

    t_import = time.perf_counter()
    cpu0 = time.process_time()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    t_read = time.perf_counter()

    e164 = phonenumbers.PhoneNumberFormat.E164
    phones: list[str] = []
    for raw in df["phone"].tolist():
        if not raw:
            phones.append("")
            continue
        try:
            num = phonenumbers.parse(raw, "US")
        except phonenumbers.NumberParseException:
            phones.append("")
            continue
        phones.append(
            phonenumbers.format_number(num, e164) if phonenumbers.is_valid_number(num) else ""
        )
    emails = df["email"].str.strip().str.lower().tolist()
    externals = df["external_id"].str.strip().tolist()
    t_norm = time.perf_counter()

    g = nx.Graph()
    for email, phone, ext in zip(emails, phones, externals, strict=True):
        ids = []
        if email:
            ids.append("email:" + email)
        if phone:
            ids.append("phone:" + phone)
        if ext:
            ids.append("external_id:" + ext)
        if len(ids) == 1:
            g.add_node(ids[0])
        elif len(ids) == 2:
            g.add_edge(ids[0], ids[1])
        elif len(ids) == 3:
            g.add_edge(ids[0], ids[1])
            g.add_edge(ids[0], ids[2])
            g.add_edge(ids[1], ids[2])
    t_graph = time.perf_counter()
    components = sum(1 for _ in nx.connected_components(g))
    t_cc = time.perf_counter()
    return {
        "events": len(df),
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "components": components,
        "import_s": t_import - t0,
        "read_s": t_read - t_import,
        "normalise_s": t_norm - t_read,
        "graph_s": t_graph - t_norm,
        "components_s": t_cc - t_graph,
        "wall_s": t_cc - t_import,  # the work, imports excluded (as for identigraph)
        "cpu_s": time.process_time() - cpu0,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    out = run(args.file)
    if args.json:
        json.dump(out, sys.stdout)
        print()
        return
    print(f"naive pipeline on {args.file}: {out['events']:,} events")
    for step in ("import", "read", "normalise", "graph", "components"):
        print(f"  {step:<11} {out[step + '_s']:7.2f} s")
    print(
        f"  total       {out['wall_s']:7.2f} s (imports excluded; CPU {out['cpu_s']:.2f} s), "
        f"{out['events'] / out['wall_s']:,.0f} events/s, peak RSS {out['maxrss_mb']:,.0f} MB"
    )
    print(
        f"  graph: {out['nodes']:,} nodes, {out['edges']:,} edges, "
        f"{out['components']:,} connected components"
    )


if __name__ == "__main__":
    main()
