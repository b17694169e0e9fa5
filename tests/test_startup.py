"""Start-up: ``--version``, and query commands that import only what they need."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from support import CONSOLE_SCRIPT, cli, load_events, write_jsonl

from identigraph.errors import INTERRUPTED, INTERRUPTED_TEXT

HEAVY = ("identigraph.loaders", "identigraph.api", "identigraph.engine.resolver",
         "identigraph.engine.state", "numba", "pandas", "pyarrow", "rich", "phonenumbers")

_PROBE = """
import json, sys
from identigraph.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    heavy = [m for m in {heavy!r} if m in sys.modules]
    print("MODULES " + json.dumps(heavy), file=sys.stderr)
"""


def test_version_prints_the_installed_version() -> None:
    out = cli("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"identigraph {version('identigraph')}"


def _loaded_modules(*args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    code = _PROBE.format(heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         timeout=120, check=False)
    line = next(x for x in out.stderr.splitlines() if x.startswith("MODULES "))
    return out, json.loads(line.removeprefix("MODULES "))


def test_queries_import_no_loader_replay_or_pandas(tmp_path: Path) -> None:
    """Nor phonenumbers, but for a query that names a phone."""
    store = str(tmp_path / "s.db")
    load_events(store, write_jsonl(tmp_path / "e.jsonl", [
        {"event_id": "e1", "timestamp": "2025-01-01T00:00:00Z", "type": "form_submit",
         "email": "ann@example.com", "phone": "+14155550101"}]))
    for args in (["show", "ann@example.com"], ["explain", "ann@example.com", "+14155550101"],
                 ["how", "ann@example.com", "--json"], ["stats"], ["profiles"]):
        out, heavy = _loaded_modules("--store", store, *args)
        assert out.returncode == 0, out.stderr
        phone = ["phonenumbers"] if "+14155550101" in args else []
        assert heavy == phone, f"{args[0]} imported {heavy}"
    out, heavy = _loaded_modules("--version")
    assert "identigraph 0.1" in out.stdout and heavy == []


def test_query_column_list_matches_the_event_fields() -> None:
    """The embedded store reads events by its own column list (to avoid importing pyarrow);
    it must name exactly the stored fields, in order."""
    from identigraph.events import FIELDS
    from identigraph.graph.embedded import store

    assert store._EVENT_FIELDS == FIELDS


#: The console script, run with a Ctrl-C arriving while the command line imports typer
_CTRL_C_WHILE_IMPORTING = """
import runpy, sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "typer":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, CtrlC())
sys.argv = [sys.argv[1], "--version"]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_ctrl_c_while_importing_is_one_line_and_exit_130() -> None:
    """Ctrl-C before the command line has finished importing: no traceback, exit 130."""
    out = subprocess.run([sys.executable, "-c", _CTRL_C_WHILE_IMPORTING, str(CONSOLE_SCRIPT)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == INTERRUPTED, out.stderr
    assert out.stderr == INTERRUPTED_TEXT + "\n" and out.stdout == ""


_CTRL_C_AFTER_THE_COMMAND = """
import atexit, os, signal, sys, time

def ctrl_c_while_shutting_down():
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.5)

atexit.register(ctrl_c_while_shutting_down)
sys.argv = ["identigraph", "--version"]
from identigraph.entry import main
main()
"""


def test_ctrl_c_after_the_command_has_ended_changes_nothing() -> None:
    """A Ctrl-C that lands once the command is done (the interpreter shutting down): the
    command's own exit code and output, no "Exception ignored" traceback."""
    out = subprocess.run([sys.executable, "-c", _CTRL_C_AFTER_THE_COMMAND],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("identigraph ") and out.stderr == ""


def test_ctrl_c_escaping_the_command_line_is_exit_130() -> None:
    """A Ctrl-C that fires as the command is ending (DuckDB caught one and left Python's
    pending too): exit 130, never a death by SIGINT."""
    code = ("from identigraph import cli\n"
            "def ending():\n    raise KeyboardInterrupt\n"
            "cli.main = ending\ncli.run_process()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.returncode == INTERRUPTED, out.stderr
