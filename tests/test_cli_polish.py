"""Command-line polish: help with an example per command, the format names in --format's
help, problem rows in ``load --json``, shell completion, colour only on a terminal."""

from __future__ import annotations

import json
import os
from pathlib import Path

from support import cli, example_files, write_jsonl
from support.terminal import on_a_terminal

from identigraph.cli import FORMAT_NAMES, app

COMMANDS = ("load", "profiles", "show", "explain", "how", "suspects", "stats", "viz", "serve")


def test_every_command_has_an_example_in_its_help() -> None:
    """``identigraph CMD --help`` shows a line starting ``Example: identigraph``."""
    registered = {c.name or (c.callback.__name__ if c.callback else "")
                  for c in app.registered_commands}
    assert set(COMMANDS) <= registered | {"explain"}
    for command in COMMANDS:
        out = cli(command, "--help")
        assert out.returncode == 0, out.stderr
        assert "Example: identigraph" in out.stdout, command


def test_format_help_lists_every_format() -> None:
    """The names in ``load --format``'s help are the registry's, all of them."""
    from identigraph.loaders.formats import FORMATS

    assert sorted(FORMAT_NAMES) == sorted(FORMATS)
    text = " ".join(cli("load", "--help").stdout.replace("│", " ").split())
    for name in FORMATS:
        assert name in text, name


def test_load_json_lists_the_problem_rows(tmp_path: Path) -> None:
    """``load --json``: each problem row (file, line, column, value, reason) and the count."""
    out = cli("load", *map(str, example_files()), "--json", store=str(tmp_path / "s.db"))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["problems_total"] == 1
    [problem] = data["problems"]
    assert problem["file"].endswith("imports.csv") and problem["line"] == 4
    assert (problem["column"], problem["value"], problem["severity"]) == (
        "email", "gone@example", "warning")


def test_shell_completion_script() -> None:
    """``--show-completion bash`` prints a completion function for the shell."""
    out = cli("--show-completion", "bash", process=True,
              env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert out.returncode == 0, out.stderr
    assert "_identigraph_completion" in out.stdout


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    code, text = on_a_terminal(args, env)
    assert code == 0, text
    return text


def test_colour_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    """A terminal gets colour; NO_COLOR, or output to a pipe, gets plain text."""
    db = str(tmp_path / "s.db")
    assert cli("load", *map(str, example_files()), store=db).returncode == 0
    args = ["--store", db, "explain", "sam.okafor@example.com", "+12125550147"]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert "\x1b[" in _on_a_terminal(args, env)
    assert "\x1b[" not in _on_a_terminal(args, {**env, "NO_COLOR": "1"})
    assert "\x1b[" not in cli(*args[2:], store=db).stdout


def test_escape_sequences_in_identifiers_are_escaped_on_a_terminal(tmp_path: Path) -> None:
    """An identifier holding colour and title sequences drives no terminal: they show as
    ``\\x1b`` text inside identigraph's own (bold) summary, and in a plain listing."""
    db = str(tmp_path / "s.db")
    evil = "evil\x1b[31mRED\x1b]0;title\x07"
    events = [{"event_id": "e1", "timestamp": "2025-01-01T00:00:00Z", "type": "form_submit",
               "email": "a@example.com", "external_id": evil}]
    assert cli("load", str(write_jsonl(tmp_path / "e.jsonl", events)), store=db).returncode == 0
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    shown = _on_a_terminal(["--store", db, "show", "a@example.com"], env)
    listed = _on_a_terminal(["--store", db, "profiles"], env)
    assert shown.startswith("\x1b[1m")  # identigraph's own bold stays
    for text in (shown, listed):
        assert "evil\\x1b[31mRED\\x1b]0;title\\x07" in text, text
        assert "\x1b[31m" not in text and "\x07" not in text
