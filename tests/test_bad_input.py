"""Bad input: the documented outcome, a one-line message, nothing half-written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from support import cli, write_csv, write_jsonl

GOOD = {"event_id": "g1", "timestamp": "2025-01-01T10:00:00Z", "type": "form_submit",
        "email": "ann@example.com", "phone": "(415) 555-0101"}


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_bad_rows_are_reported_and_the_rest_loads(tmp_path: Path) -> None:
    """Unknown type, missing timestamp, invalid phone/email, malformed JSON: each accounted."""
    src = tmp_path / "mixed.jsonl"
    rows = [
        json.dumps(GOOD),
        json.dumps({**GOOD, "event_id": "b1", "type": "sms_blast"}),
        json.dumps({k: v for k, v in GOOD.items() if k != "timestamp"} | {"event_id": "b2"}),
        json.dumps({**GOOD, "event_id": "w1", "email": "bob@example.com", "phone": "12"}),
        json.dumps({**GOOD, "event_id": "b3", "email": "not an email", "phone": "555"}),
        '{"event_id": "b4", "timestamp": ',
        json.dumps({**GOOD, "event_id": "b5", "timestamp": "yesterday"}),
    ]
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    db, rejects = str(tmp_path / "s.db"), tmp_path / "rejects.csv"
    out = cli("load", str(src), "--rejects", str(rejects), "--json", store=db)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["rows_read"], summary["loaded"], summary["loaded_with_warnings"],
            summary["rejected"], summary["duplicates"]) == (7, 1, 1, 5, 0)
    reasons = {(r["line"], r["column"], r["severity"]): r["reason"] for r in _rejects(rejects)}
    assert "unknown event type" in reasons[("2", "type", "rejected")]
    assert reasons[("3", "timestamp", "rejected")] == "missing timestamp"
    assert "not a valid phone" in reasons[("4", "phone", "warning")]
    assert reasons[("5", "email", "warning")] == "not a valid email address"
    assert reasons[("5", "email/phone/external_id", "rejected")] == "no valid identifier"
    assert reasons[("6", "", "rejected")].startswith("malformed JSON")
    assert "ISO 8601" in reasons[("7", "timestamp", "rejected")]
    shown = json.loads(cli("profiles", "--json", store=db).stdout)
    assert sorted(e for p in shown for e in p["emails"]) == ["ann@example.com", "bob@example.com"]


def test_wrong_csv_column_refuses_the_file_and_writes_nothing(tmp_path: Path) -> None:
    """A wrong column in events CSV: exit 2, one line, the store as it was."""
    db = str(tmp_path / "s.db")
    assert cli("load", str(write_jsonl(tmp_path / "ok.jsonl", [GOOD])), store=db).returncode == 0
    before = cli("profiles", "--json", store=db).stdout
    bad = write_csv(tmp_path / "bad.csv", ["event_id", "timestamp", "type", "emial"],
                    [["x1", "2025-01-01T00:00:00Z", "form_submit", "zed@example.com"]])
    good2 = write_jsonl(tmp_path / "ok2.jsonl", [{**GOOD, "event_id": "g2",
                                                  "email": "new@example.com"}])
    out = cli("load", str(good2), str(bad), store=db)
    assert out.returncode == 2
    assert "unknown column 'emial'" in _one_line(out.stderr)
    assert cli("profiles", "--json", store=db).stdout == before  # ok2.jsonl not half-loaded


def test_missing_file_unknown_format_and_ruleset_exit_2(tmp_path: Path) -> None:
    """Input that cannot be used at all: exit 2 with one line."""
    db = str(tmp_path / "s.db")
    ok = write_jsonl(tmp_path / "ok.jsonl", [GOOD])
    for args, text in [
        (("load", str(tmp_path / "nope.csv")), "no such file"),
        (("load", str(ok), "--format", "excel"), "unknown format"),
        (("load", str(ok), "--ruleset", "klaviyo-email"), "unknown rule set"),
    ]:
        out = cli(*args, store=db)
        assert out.returncode == 2, (args, out.stderr)
        assert text in _one_line(out.stderr)
    header_only = tmp_path / "other.csv"
    header_only.write_text("foo,bar\n1,2\n", encoding="utf-8")
    out = cli("load", str(header_only), store=db)
    assert out.returncode == 2 and "matches no known format" in _one_line(out.stderr)


def test_a_file_that_is_not_a_store_exits_3(tmp_path: Path) -> None:
    """A store path holding something else: exit 3, one line, the file untouched."""
    notes = tmp_path / "notes.db"
    notes.write_text("just some text, not a database\n" * 100, encoding="utf-8")
    before = notes.read_bytes()
    out = cli("profiles", store=str(notes))
    assert out.returncode == 3
    assert "not an identigraph store" in _one_line(out.stderr)
    out = cli("load", str(write_jsonl(tmp_path / "ok.jsonl", [GOOD])), store=str(notes))
    assert out.returncode == 3
    assert notes.read_bytes() == before


def test_missing_store_for_a_query_exits_3(tmp_path: Path) -> None:
    """Asking an empty location: exit 3 and no file created."""
    db = tmp_path / "none.db"
    out = cli("profiles", store=str(db))
    assert out.returncode == 3 and "no store at" in _one_line(out.stderr)
    assert not db.exists()


def test_a_store_keeps_its_ruleset(tmp_path: Path) -> None:
    """Loading with another rule set than the store's is a clear error."""
    db = str(tmp_path / "s.db")
    ok = write_jsonl(tmp_path / "ok.jsonl", [GOOD])
    assert cli("load", str(ok), "--ruleset", "klaviyo-sms", store=db).returncode == 0
    out = cli("load", str(ok), "--ruleset", "klaviyo-identity-resolution", store=db)
    assert out.returncode == 2
    assert "resolved with rule set 'klaviyo-sms'" in _one_line(out.stderr)


def test_bad_user_ruleset_is_one_line(tmp_path: Path) -> None:
    """A user's rule set with a wrong link mode names the field."""
    rs = tmp_path / "mine.yaml"
    rs.write_text("extends: klaviyo-sms\nname: mine\nevent_types:\n  checkout: {link: glue}\n",
                  encoding="utf-8")
    out = cli("load", str(write_jsonl(tmp_path / "ok.jsonl", [GOOD])), "--ruleset", str(rs),
              store=str(tmp_path / "s.db"))
    assert out.returncode == 2
    assert "event_types.checkout.link" in _one_line(out.stderr)


def test_a_store_being_loaded_is_in_use_for_others(tmp_path: Path) -> None:
    """While one process writes the store, another gets exit 3 and one line; queries read
    side by side."""
    from identigraph.graph.embedded.store import EmbeddedStore

    db = tmp_path / "s.db"
    assert cli("load", str(write_jsonl(tmp_path / "ok.jsonl", [GOOD])), store=str(db)
               ).returncode == 0
    reader = EmbeddedStore(db, create=False)  # a query holding the store open
    try:
        assert cli("profiles", store=str(db), process=True).returncode == 0
    finally:
        reader.close()
    writer = EmbeddedStore(db)  # as a load holds it
    try:
        out = cli("profiles", store=str(db), process=True)
        assert out.returncode == 3
        assert "in use by another identigraph process" in _one_line(out.stderr)
    finally:
        writer.close()
    assert cli("profiles", store=str(db)).returncode == 0


def test_other_databases_are_not_stores(tmp_path: Path) -> None:
    """An SQLite file (an identigraph 0.1 store) or another DuckDB file: exit 3, one line,
    the file untouched; an empty DuckDB file holds no store yet."""
    import sqlite3

    import duckdb

    old = tmp_path / "old.db"
    with sqlite3.connect(old) as db:
        db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as db:
        db.execute("CREATE TABLE t (a INTEGER)")
    blank = tmp_path / "blank.duckdb"
    duckdb.connect(str(blank)).close()
    expected = {old: "identigraph 0.1 store (SQLite)", other: "DuckDB file but not an identigraph",
                blank: "no store at"}
    for path, text in expected.items():
        before = path.read_bytes()
        out = cli("profiles", store=str(path))
        assert out.returncode == 3 and text in _one_line(out.stderr), (path, out.stderr)
        assert path.read_bytes() == before
    out = cli("load", str(write_jsonl(tmp_path / "ok.jsonl", [GOOD])), store=str(old))
    assert out.returncode == 3 and "identigraph 0.1 store" in _one_line(out.stderr)
