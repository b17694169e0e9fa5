"""What the tests share: the command line runner, file writers, free ports, the Neo4j test
server and the example data (``from support import cli, write_jsonl``)."""

from support.cli import CONSOLE_SCRIPT, CliResult, cli, cli_json, cli_load
from support.data import (
    EXAMPLES,
    ROOT,
    example_files,
    example_outcome,
    key_sets,
    load_events,
    profiles,
)
from support.examples import FULL_RUN_ENV, examples
from support.files import write_csv, write_jsonl
from support.phones import library_phone
from support.ports import free_port
from support.servers import (
    AUTH_PASSWORD,
    clear_neo4j,
    neo4j_admin,
    neo4j_server,
    start_neo4j,
)

__all__ = [
    "AUTH_PASSWORD",
    "CONSOLE_SCRIPT",
    "EXAMPLES",
    "FULL_RUN_ENV",
    "ROOT",
    "CliResult",
    "clear_neo4j",
    "cli",
    "cli_json",
    "cli_load",
    "example_files",
    "example_outcome",
    "examples",
    "free_port",
    "key_sets",
    "library_phone",
    "load_events",
    "neo4j_admin",
    "neo4j_server",
    "profiles",
    "start_neo4j",
    "write_csv",
    "write_jsonl",
]
