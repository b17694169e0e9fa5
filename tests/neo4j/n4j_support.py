"""Helpers of the Neo4j store tests: the command line, in and out of process, and queries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from identigraph.cli import app

IDENTIGRAPH = str(Path(sys.executable).parent / "identigraph")  # the installed console script
_RUNNER = CliRunner()


def run_cli(*args: str, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The ``identigraph`` console script as a subprocess."""
    full = {k: v for k, v in os.environ.items() if k not in ("NEO4J_USER", "NEO4J_PASSWORD")}
    return subprocess.run([IDENTIGRAPH, *args], capture_output=True, text=True,
                          env={**full, **(env or {})}, timeout=timeout, check=False)


def cli_json(store: str, *args: str) -> Any:
    """One command with ``--json``, run in process; its parsed output."""
    result = _RUNNER.invoke(app, ["--store", store, *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def query(uri: str, cypher_text: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of one Cypher statement against a test server (no auth)."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver:
        records, _, _ = driver.execute_query(cypher_text, params)  # type: ignore[arg-type]
        return [r.data() for r in records]


def clear(uri: str) -> None:
    """Empty the test database (as tests/conftest.py's clear_neo4j; constraints stay)."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver, \
            driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
                    ).consume()


TYPES = ["form_submit", "checkout", "import", "sms_keyword", "profile_update", "click_to_text",
         "campaign_sms_link", "consent_change"]


def synthetic_events(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``n`` canonical events over about n/2 people: merges, non-merges, shared values."""
    import random

    rng = random.Random(seed)
    people = max(1, n // 2)
    out: list[dict[str, Any]] = []
    for i in range(n):
        p = rng.randrange(people)
        ev: dict[str, Any] = {
            "event_id": f"s{i:06d}", "type": rng.choice(TYPES),
            "timestamp": f"2025-{1 + i % 12:02d}-{1 + rng.randrange(28):02d}T"
                         f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
        }
        if rng.random() < 0.75:
            ev["email"] = f"person{p}@example.com"
        if rng.random() < 0.55 or "email" not in ev:
            line = (p * 7919 + (1 if rng.random() < 0.05 else 0)) % 10000
            ev["phone"] = "+12125550100" if rng.random() < 0.01 else f"+1415{2000000 + line:07d}"
        if rng.random() < 0.1:
            ev["external_id"] = f"cust-{p}"
        if rng.random() < 0.3:
            ev["sms_consent" if "phone" in ev else "email_consent"] = rng.choice(
                ["subscribed", "unsubscribed", "never_subscribed"])
        out.append(ev)
    return out


def write_jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    """Canonical events as JSON Lines."""
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path
