"""The command line on the shipped example data: JSON shapes, normalised lookups, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support import ROOT, cli, example_files, example_outcome

EXAMPLES = [str(p) for p in example_files("csv", "jsonl")]
EDGE_KEYS = {"from", "to", "event_id", "event_type", "channel", "timestamp", "rule", "merges"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store loaded with the example data through the command line."""
    db = str(tmp_path_factory.mktemp("demo") / "demo.db")
    out = cli("load", *EXAMPLES, store=db)
    assert out.returncode == 0, out.stderr
    return db


def _json(db: str, *args: str) -> object:
    out = cli(*args, "--json", store=db)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_profiles_json_shape(demo: str) -> None:
    """``profiles --json``: a list of profiles with the SPEC's keys."""
    data = _json(demo, "profiles")
    assert isinstance(data, list) and len(data) > 50
    keys = {"profile_id", "emails", "phones", "external_ids", "email_consent", "sms_consent"}
    assert all(keys <= set(p) for p in data)
    maria = next(p for p in data if "maria.lopez@example.com" in p["emails"])
    assert maria["phones"] == ["+14155550134"] and maria["external_ids"] == ["CRM-0001"]
    assert maria["sms_consent"] == "subscribed"
    for p in data:  # every identifier, each kind's values as its own list has them
        held = {(i["kind"], i["value"]) for i in p["identifiers"]}
        assert len(held) == len(p["identifiers"])
        assert held == {(kind, v) for kind, field in (("email", "emails"), ("phone", "phones"),
                                                      ("external_id", "external_ids"))
                        for v in p[field]}


def test_explain_merge_and_non_merge(demo: str) -> None:
    """``explain --json``: the SPEC's shape; a path for a merge, a blocking edge otherwise."""
    merged = _json(demo, "explain", "maria.lopez@example.com", "+1 (415) 555-0134")
    assert isinstance(merged, dict)
    assert {"a", "b", "same_profile", "reason", "path", "blocked"} <= set(merged)
    assert merged["same_profile"] is True and merged["b"] == "phone:+14155550134"
    assert all(set(e) >= EDGE_KEYS for e in merged["path"]) and merged["path"]
    assert all((e["from_kind"], e["to_kind"]) == (e["from"].split(":")[0], e["to"].split(":")[0])
               for e in merged["path"])
    apart = _json(demo, "explain", "sam.okafor@example.com", "212.555.0147")
    assert isinstance(apart, dict)
    assert (apart["same_profile"], apart["reason"]) == (False, "blocked")
    assert [(e["event_id"], e["rule"], e["merges"]) for e in apart["blocked"]] == [
        ("c-sam-1", "attach_only", False)]


def test_every_rule_happens_in_the_examples(demo: str) -> None:
    """The example data shows each rule of SPEC section 1 at least once."""
    def why(a: str, b: str) -> dict[str, object]:
        data = _json(demo, "explain", a, b)
        assert isinstance(data, dict)
        return data

    assert why("dev.patel@example.com", "+14155550178")["same_profile"]  # rule 3
    assert why("+16465550101", "+16465550102")["reason"] == "no_evidence"  # rule 4
    assert why("sam.okafor@example.com", "+12125550147")["reason"] == "blocked"  # rules 5, 6
    for a, b, rule in [("kim.nguyen@example.com", "+15125550163", "never_merges"),  # 9
                       ("raj.mehta@example.com", "+15125550190", "never_merges"),  # 9
                       ("zoe.martin@example.com", "+13125550155", "never_merges"),  # 10
                       ("lee.chen@example.com", "+17185550111", "superseded"),  # 7
                       ("m.lopez.work@example.com", "+14155550134", "limit")]:
        blocked = why(a, b)["blocked"]
        assert isinstance(blocked, list) and rule in {e["rule"] for e in blocked}, (a, b)
    ana = _json(demo, "show", "ana.silva@example.com")
    assert isinstance(ana, dict)
    assert ana["profile"]["phones"] == ["+13055550188"]  # rule 8: replaced ...
    assert ana["profile"]["sms_consent"] == "never_subscribed"  # ... and consent wiped


def test_show_normalises_like_input(demo: str) -> None:
    """``+1 (415) 555-0134`` finds ``+14155550134``; an ``@`` means email."""
    out = cli("show", "+1 (415) 555-0134", store=demo)
    assert out.returncode == 0 and "phone:+14155550134 is on profile" in out.stdout
    assert "maria.lopez@example.com" in out.stdout
    out = cli("show", "MARIA.LOPEZ@example.com", store=demo)
    assert "email:maria.lopez@example.com" in out.stdout
    out = cli("show", "nobody@example.com", store=demo)
    assert out.returncode == 2 and "not in the store" in out.stderr


def test_how_tells_the_story(demo: str) -> None:
    """``how``: created, linked, replaced and consent steps, each with its event."""
    data = _json(demo, "how", "lee.chen@example.com")
    assert isinstance(data, dict)
    steps = data["steps"]
    actions = [(s["action"], s["event_id"]) for s in steps]
    assert ("created", "f-lee-1") in actions
    assert ("replaced", "c-lee-1") in actions
    assert ("merged", "i-crm-2") in actions
    assert any(a == "consent" for a, _ in actions)
    times = [s["timestamp"] for s in steps]
    assert times == sorted(times)


def test_stats_counts(demo: str) -> None:
    """``stats --json``: events, identifiers by kind, profiles, edges by rule."""
    data = _json(demo, "stats")
    assert isinstance(data, dict)
    assert data["events"] == example_outcome().events and data["ruleset"] == "klaviyo-sms"
    assert data["edges"]["never_merges"] >= 3 and data["edges"]["attach_only"] >= 1


def test_explain_unknown_identifier_exits_0(demo: str) -> None:
    """Two contacts apart, or unknown, is an answer, not an error."""
    out = cli("explain", "nobody@example.com", "maria.lopez@example.com", "--json", store=demo)
    assert out.returncode == 0
    assert json.loads(out.stdout)["reason"] == "unknown_identifier"


def test_viz_graphml_from_the_store(demo: str, tmp_path: Path) -> None:
    """``viz`` writes the cluster; GraphML carries the nodes and the blocking edge."""
    out_file = tmp_path / "sam.graphml"
    out = cli("viz", "sam.okafor@example.com", "-o", str(out_file), "--path", "+12125550147",
              store=demo)
    assert out.returncode == 0, out.stderr
    text = out_file.read_text(encoding="utf-8")
    ET.fromstring(text)
    assert "phone:+12125550147" in text and "attach_only" in text
    bad = cli("viz", "sam.okafor@example.com", "-o", str(tmp_path / "x.bmp"), store=demo)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_bad_usage_exit_2(demo: str) -> None:
    """Unknown commands and options: exit 2."""
    assert cli("frobnicate", store=demo).returncode == 2
    assert cli("profiles", "--nope", store=demo).returncode == 2


def test_store_from_the_environment(tmp_path: Path) -> None:
    """Without --store, ``$IDENTIGRAPH_STORE`` names the store; else identigraph.db here."""
    env_db = tmp_path / "env.db"
    forms = str(ROOT / "examples" / "forms.jsonl")
    out = cli("load", forms, cwd=tmp_path, env={"IDENTIGRAPH_STORE": str(env_db)})
    assert out.returncode == 0 and env_db.exists()
    assert not (tmp_path / "identigraph.db").exists()
    here = tmp_path / "here"
    here.mkdir()
    out = cli("load", forms, cwd=here)  # the runner's environment has no IDENTIGRAPH_STORE
    assert out.returncode == 0 and (here / "identigraph.db").exists()
