"""One way to run the ``identigraph`` command line in tests.

``cli`` runs it in this process by default (the same ``main`` the console script calls:
exit codes, one-line errors), which spares each call a Python start-up and a load of the
compiled kernels; ``process=True`` runs the installed console script as a subprocess, for
what only a real process shows (a terminal, a kill, a missing module).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# the caller's environment must not choose the store, serve's token or Neo4j credentials
SCRUBBED = ("IDENTIGRAPH_STORE", "IDENTIGRAPH_TOKEN", "NEO4J_USER", "NEO4J_PASSWORD")
CONSOLE_SCRIPT = Path(sys.executable).with_name("identigraph")


@dataclass(frozen=True)
class CliResult:
    """What one command line run gave: its exit code and its two output streams."""

    returncode: int
    stdout: str
    stderr: str


def environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment less :data:`SCRUBBED`, plus ``env``: what a run gets."""
    base = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    return {**base, **(env or {})}


@contextlib.contextmanager
def _inside(env: dict[str, str], cwd: Path | None) -> Iterator[None]:
    """This process's environment, folder and argv set for one run, then put back."""
    saved_env, saved_cwd, saved_argv = dict(os.environ), os.getcwd(), sys.argv
    os.environ.clear()
    os.environ.update(env)
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        sys.argv = saved_argv


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


def cli(*args: str, store: str | None = None, cwd: Path | None = None,
        env: Mapping[str, str] | None = None, process: bool = False,
        timeout: float = 300) -> CliResult:
    """Run ``identigraph [--store STORE] ARGS``; ``env`` adds to a scrubbed environment."""
    argv = [*(["--store", store] if store is not None else []), *args]
    full_env = environment(env)
    if process:
        out = subprocess.run([str(CONSOLE_SCRIPT), *argv], capture_output=True, text=True,
                             cwd=cwd, env=full_env, timeout=timeout, check=False)
        return CliResult(out.returncode, out.stdout, out.stderr)
    from identigraph.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    with _inside(full_env, cwd), contextlib.redirect_stdout(stdout), \
            contextlib.redirect_stderr(stderr):
        sys.argv = ["identigraph", *argv]
        try:
            main()
        except SystemExit as exc:
            code = _exit_code(exc)
    return CliResult(code, stdout.getvalue(), stderr.getvalue())


def cli_json(*args: str, store: str) -> Any:
    """``identigraph --store STORE ARGS --json``, parsed; fails the test on a non-zero exit."""
    out = cli(*args, "--json", store=store)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def cli_load(*args: str, store: str) -> dict[str, Any]:
    """``load --json ARGS``: the summary; fails the test on a non-zero exit."""
    data: dict[str, Any] = cli_json("load", *args, store=store)
    return data
