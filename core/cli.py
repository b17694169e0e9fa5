"""The ``identigraph`` command line (SPEC section 6): stable commands, JSON, exit codes.

Start-up time matters (a support desk runs dozens of queries an hour): this module imports
only what every command needs; each command imports its own heavy parts (a query never
imports the loaders, pyarrow's compute or the replay).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar, cast

import typer

from identigraph import __version__
from identigraph.errors import INTERRUPTED, INTERRUPTED_TEXT, IdentigraphError, UsageError
from identigraph.model import UNDATED_TIME
from identigraph.safetext import EscapingWriter, own_style, printable

if TYPE_CHECKING:
    from identigraph.api import Replay
    from identigraph.graph.explain import Explanation
    from identigraph.graph.query import Sort
    from identigraph.graph.timeline import Timeline
    from identigraph.handle import IdentityGraph
    from identigraph.loaders.report import LoadReport

app = typer.Typer(
    add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False,
    help="Graph-based identity resolution for marketing contacts (email, SMS, external ids).",
)
T = TypeVar("T")


class _State:
    store: str = ""
    debug: bool = False
    region: str = "US"


STATE = _State()


#: The --format names (the registry in identigraph.loaders.formats, not imported here to keep
#: start-up light; tests/test_cli_polish.py checks the two agree).
FORMAT_NAMES = ("events", "klaviyo-profiles", "segment", "shopify-customers", "shopify-orders",
                "sms-subscribers")
FORMAT_HELP = f"auto (detected from the header, the default) or one of: {', '.join(FORMAT_NAMES)}"
#: load --json lists at most this many problem rows (and says how many there were).
PROBLEMS_SHOWN = 1000


def _colour(text: str, **style: Any) -> str:
    """Text styled for a terminal: only when stdout is one and NO_COLOR is not set."""
    import os

    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text
    start, _, end = typer.style("\0", **style).partition("\0")
    return own_style(text, start, end)


def _thousands(value: object) -> str:
    """``12,345`` for a count; anything else as it is."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"identigraph {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    store: Annotated[str | None, typer.Option(
        help="Store: a file path (default identigraph.db or $IDENTIGRAPH_STORE) or bolt:// URI")
    ] = None,
    default_region: Annotated[str, typer.Option(
        "--default-region", help="Region for phone numbers without a country code")] = "US",
    debug: Annotated[bool, typer.Option(help="Show tracebacks")] = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit")] = False,
) -> None:
    from identigraph.graph.open import default_location

    STATE.store = store or default_location()
    STATE.debug = debug
    STATE.region = _region(default_region)


def _region(value: str) -> str:
    """A ``--default-region`` phonenumbers knows, upper-cased; else a usage error."""
    if value.upper() != "US":  # the default needs no check (nor phonenumbers at start-up)
        from identigraph.phones import is_supported_region

        if not is_supported_region(value):
            raise UsageError(f"--default-region {value!r} is not a region phonenumbers "
                             "knows (a two-letter ISO 3166 code such as US, GB, FR)")
    return value.upper()


def _check_writable(path: Path) -> None:
    """Refuse, before anything is loaded, a --rejects path that cannot be written."""
    if path.is_dir():
        raise UsageError(f"--rejects {path} is a folder, not a file")
    existed = path.exists()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot write --rejects {path}: {exc.strerror or exc}") from exc
    if not existed:
        path.unlink()


def _with_graph(fn: Callable[[IdentityGraph], T], *, query: bool = True) -> T:
    """Run ``fn`` on the store named by ``--store`` through the Python API; a query first
    says when the store's last load did not finish."""
    import identigraph

    with identigraph.open(STATE.store, default_region=STATE.region) as graph:
        if query and graph.unfinished():
            typer.echo(f"warning: the last load into {graph.location} did not finish, so "
                       "this may be partial; load again (any file, even one already "
                       "loaded) to finish it", err=True)
        return fn(graph)


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _progress_for(total_hint: bool) -> tuple[Any, Callable[[str, int], None] | None]:
    """A rich progress bar with rows/s on a terminal; nothing otherwise."""
    if not total_hint or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                   TextColumn("{task.completed:,} rows"),
                   TextColumn("{task.fields[rate]}"),
                   TimeElapsedColumn(), console=Console(stderr=True), transient=False)
    tasks: dict[str, tuple[Any, float]] = {}

    def advance(file: str, rows: int) -> None:
        if file not in tasks:
            tasks[file] = (bar.add_task(Path(file).name, total=None, rate=""), time.monotonic())
        task, started = tasks[file]
        bar.update(task, advance=rows)
        rate = bar.tasks[task].completed / max(time.monotonic() - started, 1e-3)
        bar.update(task, rate=f"{rate:,.0f} rows/s")

    return bar, advance


def _print_load(report: LoadReport) -> None:
    for f in report.files:
        typer.echo(
            f"{f.file} [{f.format}]: {f.rows_read:,} rows read, {f.loaded:,} loaded, "
            f"{f.loaded_with_warnings:,} loaded with warnings, {f.rejected:,} rejected, "
            f"{f.duplicates:,} duplicates"
        )
    t = report.as_dict()
    typer.echo(
        f"total: {t['rows_read']:,} rows read = {t['loaded']:,} loaded + "
        f"{t['loaded_with_warnings']:,} with warnings + {t['rejected']:,} rejected + "
        f"{t['duplicates']:,} duplicates; {report.events_added:,} new events"
        + _conflicts_note(report.total("conflicts"))
    )
    if report.replayed:
        scope = ("only the groups the new events touch" if report.incremental
                 else "the whole history")
        typer.echo(f"replayed {report.replayed_events:,} events in {report.replayed_groups:,} "
                   f"connected groups ({scope})")
    shown = report.problems[:10]
    for p in shown:
        typer.echo(printable(f"  {p.severity}: {p.file}:{p.line} {p.column}={p.value!r}: "
                             f"{p.reason}"), err=True)
    if len(report.problems) > len(shown):
        typer.echo(f"  ... and {len(report.problems) - len(shown):,} more (see --rejects)",
                   err=True)


def _conflicts_note(n: int) -> str:
    """The summary's word on rejected rows whose event id another event holds."""
    if not n:
        return ""
    return f"; {n} conflicting event id{'s' if n > 1 else ''} (rejected: see --rejects)"


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="Export or event files to load")],
    format: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
    ruleset: Annotated[str | None, typer.Option(
        help="Rule set name (klaviyo-sms, klaviyo-identity-resolution) or YAML path")] = None,
    default_region: Annotated[str | None, typer.Option(
        "--default-region", help="Region for national phone numbers (default US)")] = None,
    rejects: Annotated[Path | None, typer.Option(
        help="Write every rejected row and dropped value to this CSV")] = None,
    undated_time: Annotated[str, typer.Option(
        help="Time given to rows of files without timestamps (Shopify customers)")
    ] = UNDATED_TIME,
    source_map: Annotated[Path | None, typer.Option(
        help="YAML mapping of unknown SMS opt-in sources to event types")] = None,
    checkout_event: Annotated[list[str] | None, typer.Option(
        "--checkout-event", help="Segment track event name that is a checkout (repeatable; "
        "default: Order Completed, Checkout Started)")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
    fast: Annotated[bool, typer.Option(
        "--fast", help="Trade memory for time: a 1M-event first load ~6% faster at ~1.5x "
        "the peak memory (the same store either way)")] = False,
    engine: Annotated[str, typer.Option(
        help="embedded (one process) or spark (Apache Spark, partitioned by connected group)")
    ] = "embedded",
    spark_master: Annotated[str, typer.Option(
        "--spark-master", help="Spark master URL for --engine spark (local[*], spark://..., "
        "yarn)")] = "local[*]",
    spark_conf: Annotated[list[str] | None, typer.Option(
        "--spark-conf", help="KEY=VALUE Spark setting for --engine spark (repeatable)")] = None,
) -> None:
    """Load files; every row is loaded, loaded with warnings, rejected or a duplicate.

    Example: identigraph --store shop.db load orders.csv customers.csv --rejects rejects.csv
    """
    if rejects is not None:
        _check_writable(rejects)
    bar, advance = _progress_for(True)

    def run(graph: IdentityGraph) -> LoadReport:
        # bad options end the command before a Spark session starts or the store is touched
        graph.check_load(default_region=default_region, undated_time=undated_time)
        with _engine(engine, spark_master, spark_conf or []) as replay:
            def go() -> LoadReport:
                return graph.load(files, format=format, ruleset=ruleset,
                                  default_region=default_region, undated_time=undated_time,
                                  source_map=source_map, checkout_events=checkout_event,
                                  progress=advance, replay=replay, fast=fast)
            if bar is None:
                return go()
            with bar:
                return go()

    report = _with_graph(run, query=False)
    if rejects is not None:
        report.write_rejects(rejects)
    if json_out:
        import dataclasses

        shown = report.problems[:PROBLEMS_SHOWN]
        _emit({**report.as_dict(), "problems": [dataclasses.asdict(p) for p in shown],
               "problems_total": len(report.problems)})
    else:
        _print_load(report)


@contextmanager
def _engine(name: str, master: str, conf: list[str]) -> Iterator[Replay | None]:
    """The replay of ``--engine``: None for the embedded one, or the Spark engine's (pyspark
    is imported only for it; a missing pyspark or Java is a one-line usage error)."""
    if name == "embedded":
        yield None
        return
    if name != "spark":
        raise UsageError(f"unknown engine {name!r}: use embedded or spark")
    settings = dict(item.partition("=")[::2] for item in conf)
    if any(not k or not v for k, v in settings.items()):
        raise UsageError("--spark-conf wants KEY=VALUE")
    from identigraph.spark.engine import SparkEngine

    with SparkEngine(master, conf=settings) as spark:
        yield spark.replay


def _profile_line(p: dict[str, Any]) -> str:
    from identigraph.model import KINDS

    ids = [i["value"] if i["kind"] in KINDS else f"{i['kind']}:{i['value']}"
           for i in p["identifiers"]]
    merged = f"  (merged {len(p['merged_ids'])})" if p["merged_ids"] else ""
    name = f"  {p['name']}" if p.get("name") else ""
    return (f"{p['profile_id']}{name}  {', '.join(ids)}  email:{p['email_consent'] or '-'} "
            f"sms:{p['sms_consent'] or '-'}{merged}")


def write_json_list(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Rows as one indented JSON list, written as they come (the same text as
    ``json.dumps(list(rows), indent=2)``); the number of rows."""
    n = 0
    for row in rows:
        out.write("[\n  " if n == 0 else ",\n  ")
        out.write(json.dumps(row, indent=2, ensure_ascii=False).replace("\n", "\n  "))
        n += 1
    out.write("\n]\n" if n else "[]\n")
    return n


@app.command()
def profiles(
    json_out: Annotated[bool, typer.Option("--json", help="One JSON list")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per line")] = False,
    limit: Annotated[int | None, typer.Option(min=0, help="At most N profiles")] = None,
    min_size: Annotated[int, typer.Option(
        "--min-size", min=0, help="Only profiles holding at least K identifiers")] = 0,
    kind: Annotated[str | None, typer.Option(
        help="Only profiles holding an identifier of this kind (email, phone, external_id)")
    ] = None,
    sort: Annotated[str, typer.Option(
        help="id (default), or size: the most identifiers first")] = "id",
    names: Annotated[bool, typer.Option(
        help="Text output: each person's name from the events' attributes (a lookup per "
        "1,000 profiles; --no-names skips it on a very big store)")] = True,
) -> None:
    """List profiles with their identifiers, consent and names, streamed (any store size).

    Example: identigraph profiles --min-size 3 --sort size --limit 20
    """
    if json_out and jsonl:
        raise UsageError("--json and --jsonl: choose one")
    out = sys.stdout

    def run(graph: IdentityGraph) -> None:
        order = cast("Sort", sort)  # the query refuses other sorts
        if names and not (json_out or jsonl):
            rows: Iterator[dict[str, Any]] = (
                {**p.as_json(), "name": name} for p, name in graph.named_profiles(
                    limit=limit, min_size=min_size, kind=kind, sort=order))
        else:
            rows = (p.as_json() for p in graph.iter_profiles(
                limit=limit, min_size=min_size, kind=kind, sort=order))
        if json_out:
            write_json_list(rows, out)
            return
        n = 0
        for p in rows:
            out.write((json.dumps(p, ensure_ascii=False) if jsonl else _profile_line(p)) + "\n")
            n += 1
        if not jsonl:
            out.write(f"{n:,} profiles\n")

    _with_graph(run)


@app.command()
def show(identifier: str, json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show the profile holding an identifier (or a profile by id, or event:ID), with a
    summary in words.

    Example: identigraph show "+1 (415) 555-0134"
    """
    from identigraph.errors import NotFoundError

    shown = _with_graph(lambda g: g.show(identifier))
    key = shown.identifier
    if not shown.known:
        raise NotFoundError(shown.summary)
    data = shown.as_json()
    if json_out:
        _emit(data)
        return
    typer.echo(_colour(data["summary"], bold=True))
    if shown.event is not None:
        ev = shown.event.event
        typer.echo(f"event {ev.event_id}: {ev.type} {ev.channel or '-'} "
                   f"{_when(ev.ts, ev.timestamp)}, carried {', '.join(shown.event.identifiers)}")
        for d in shown.event.edges:
            typer.echo(_edge_line(d.edge))
            typer.echo(f"      {d.sentence}")
        return
    p = shown.profile
    if p is None:
        return
    if shown.target == "identifier":
        typer.echo(f"{key} is on profile {p.profile_id}")
    else:
        typer.echo(f"profile {key}" + (f", now profile {p.profile_id}" if shown.merged_into
                                       else ""))
    if data["name"]:
        typer.echo(f"  name: {data['name']}")
    for field in ("external_ids", "emails", "phones"):
        typer.echo(f"  {field}: {', '.join(getattr(p, field)) or '-'}")
    if p.other_ids:
        typer.echo(f"  other ids: {', '.join(p.other_ids)}")
    typer.echo(f"  email_consent: {p.email_consent or '-'}")
    typer.echo(f"  sms_consent: {p.sms_consent or '-'}")
    typer.echo(f"  created by event: {p.created_by or '-'}")
    if p.merged_ids:
        typer.echo(f"  merged profiles: {', '.join(p.merged_ids)}")
    if data["attributes"]:
        typer.echo("  attributes: " + ", ".join(f"{k}={v}" for k, v in data["attributes"].items()))


def _when(ts: int, timestamp: str) -> str:
    """The time column of text output: ``undated`` for events without a real time."""
    from identigraph.graph.sentences import UNDATED_TS

    return "undated" if ts == UNDATED_TS else timestamp


def _edge_line(e: Any) -> str:
    verb = _colour("merges", fg="green") if e.merges else _colour("does not merge", fg="red")
    return (f"  {e.from_} -> {e.to}  [{e.event_type} {e.event_id} {e.channel or '-'} "
            f"{_when(e.ts, e.timestamp)}]  {e.rule}: {verb}")


def print_explanation(x: Explanation) -> None:
    """Human form of ``explain``: the summary, then each edge of the path with its sentence."""
    typer.echo(_colour(x.summary, bold=True))
    if not x.path:
        return
    typer.echo("  because:" if x.same_profile else "  evidence path:")
    for e, sentence in zip(x.path, x.sentences, strict=True):
        typer.echo(_edge_line(e))
        typer.echo(f"      {sentence}")


@app.command(name="explain")
def explain_cmd(a: str, b: str,
                json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Why A and B are (or are not) on the same profile, in words and edge by edge.

    Example: identigraph explain sam.okafor@example.com "+1 212 555 0147"
    """
    x = _with_graph(lambda g: g.explain(a, b))
    if json_out:
        _emit(x.as_json())
    else:
        print_explanation(x)


def print_timeline(t: Timeline) -> None:
    """Human form of ``how``: the summary, then each step (with its sentence when a link was
    refused or later superseded)."""
    from identigraph.identifiers import EVENT_PREFIX

    typer.echo(_colour(t.summary, bold=True))
    if t.profile is not None:
        whose = ("its identifiers are" if t.identifier.startswith(EVENT_PREFIX)
                 else f"{t.identifier} is")
        typer.echo(f"{whose} on profile {t.profile_id}" + (f" ({t.name})" if t.name else ""))
    for s in t.steps:
        typer.echo(f"  {_when(s.ts, s.timestamp):<20}  {s.event_type or '-':<18} {s.event_id}  "
                   f"{s.action}: {s.detail}")
        if s.action == "not_linked" or s.rule == "superseded":
            typer.echo(f"      {s.sentence}")


@app.command()
def how(identifier: str, json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The timeline of the profile holding an identifier: created, merged, replaced, consent.

    Example: identigraph how lee.chen@example.com
    """
    from identigraph.errors import NotFoundError

    t = _with_graph(lambda g: g.how(identifier))
    if not t.known:
        raise NotFoundError(t.summary)
    if json_out:
        _emit(t.as_json())
    else:
        print_timeline(t)


@app.command(name="export-state")
def export_state_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder for the Parquet files")],
    store: Annotated[str | None, typer.Option(
        help="Store to export (default: the global --store)")] = None,
    neo4j_import: Annotated[bool, typer.Option(
        "--neo4j-import", help="Also write FOLDER/neo4j-import/: CSV files that "
        "'neo4j-admin database import full' builds a NEW Neo4j database of this store from")
    ] = False,
) -> None:
    """Write the store's state (identifiers, edges, profiles, log) as Parquet files."""
    if store is not None:
        STATE.store = store
    written = _with_graph(lambda graph: graph.export_state(folder))
    for name, rows in written.items():
        typer.echo(f"{folder / (name + '.parquet')}: {rows} rows")
    if neo4j_import:
        args = _with_graph(lambda graph: graph.export_neo4j_import(folder))
        typer.echo(f"import into a new database (Neo4j stopped), from {folder / 'neo4j-import'}:"
                   f"\n  neo4j-admin database import full DATABASE {' '.join(args)}")


@app.command()
def suspects(
    limit: Annotated[int, typer.Option(help="Pairs to show, strongest first")] = 20,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Profiles that look like one person but did not merge, and identifiers tied to many.

    Example: identigraph suspects --limit 10
    """
    found = _with_graph(lambda g: g.suspects(limit=limit))
    if json_out:
        _emit(found.as_json())
        return
    if not found.pairs:
        typer.echo("no pairs of profiles that events tie together but the rules kept apart")
    else:
        typer.echo(f"{found.pairs_total:,} pairs of profiles that events tie together but the "
                   f"rules kept apart; the {len(found.pairs):,} strongest:")
    for i, p in enumerate(found.pairs, 1):
        sides = [f"{pid}{' ' + name if name else ''} ({', '.join(keys)})"
                 for pid, name, keys in zip(p.profiles, p.names, p.identifiers, strict=True)]
        events = f"{p.events:,} event{'s' if p.events != 1 else ''}"
        typer.echo(f"{i:>3}. {sides[0]} ~ {sides[1]}: {events}, {', '.join(p.rules)}")
        typer.echo(f"     {p.summary}")
    if found.hubs:
        typer.echo(f"{found.hubs_total:,} hub identifiers (tied to many profiles; block them "
                   "in the rule set if they are shared):")
    for h in found.hubs:
        typer.echo(f"  {h.identifier}  {h.profiles:,} profiles, {h.events:,} events")
        typer.echo(f"     {h.summary}")
        typer.echo("     " + h.suggestion.replace("\n", "\n     "))


@app.command()
def stats(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts of events, identifiers, profiles and edges by rule.

    Example: identigraph stats --json
    """
    data = _with_graph(lambda g: g.stats().as_json())
    if json_out:
        _emit(data)
        return
    for k, v in data.items():
        if isinstance(v, dict):
            typer.echo(f"{k}: " + ", ".join(f"{kk}={_thousands(vv)}" for kk, vv in v.items()))
        else:
            typer.echo(f"{k}: {_thousands(v)}")


@app.command()
def viz(
    identifier: str,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help=".html .svg .png .graphml .gexf .json")],
    path: Annotated[str | None, typer.Option("--path", help="Highlight the explain path to OTHER")
                    ] = None,
    depth: Annotated[int, typer.Option(help="Hops of non-merging evidence around the cluster")
                     ] = 1,
    redact: Annotated[bool, typer.Option(help="Mask emails, phones and ids of every kind")] = False,
) -> None:
    """Draw the identity cluster around an identifier, with its summary as the caption.

    Example: identigraph viz sam.okafor@example.com --path +12125550147 -o sam.html
    """
    drawn = _with_graph(lambda g: g.render(identifier, output, depth=depth, other=path,
                                           redact=redact))
    typer.echo(f"wrote {drawn.path} ({drawn.nodes} nodes, {drawn.edges} edges)")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default)")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8750,
    token: Annotated[str | None, typer.Option(
        envvar="IDENTIGRAPH_TOKEN", show_envvar=True,
        help="Bearer token every API request must carry (required off loopback)")] = None,
) -> None:
    """Serve the store read-only: a JSON API (the --json answers) and a web explorer at /.

    Example: identigraph --store shop.db serve --port 8080
    """
    from identigraph.serve.run import serve as run_server

    run_server(STATE.store, host=host, port=port, token=token or None, region=STATE.region)


def _error_line(exc: BaseException) -> str:
    """An unexpected error as one line, without Python's class names."""
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot read or write{where}: {exc.strerror or exc}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else "unexpected error (run with --debug to see it)"


def main() -> None:
    """Entry point: one readable line and an exit code on error, never a traceback.

    Standard output escapes terminal control characters: identifiers and values come from
    input files, and an escape sequence in one must not drive the user's terminal.
    """
    real_stdout = sys.stdout
    sys.stdout = cast(TextIO, EscapingWriter(real_stdout))
    try:
        rv = app(standalone_mode=False)
        if rv == INTERRUPTED:  # typer's answer to a KeyboardInterrupt in a command
            raise KeyboardInterrupt
        sys.exit(rv if isinstance(rv, int) else 0)
    except IdentigraphError as exc:
        if STATE.debug:
            import traceback

            traceback.print_exc()
        typer.echo(printable(f"identigraph: error: {exc}"), err=True)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo(INTERRUPTED_TEXT, err=True)
        sys.exit(INTERRUPTED)
    except Exception as exc:  # click usage errors carry their own exit code
        duckdb = sys.modules.get("duckdb")
        if duckdb is not None:
            from identigraph.graph.embedded.store import interrupted

            if interrupted(exc):  # DuckDB's catch of a Ctrl-C, wherever a query ran
                typer.echo(INTERRUPTED_TEXT, err=True)
                sys.exit(INTERRUPTED)
        if duckdb is not None and isinstance(exc, duckdb.OutOfMemoryException):
            from identigraph.graph.embedded.memory import out_of_memory

            line = out_of_memory(STATE.store, _error_line(exc))
            typer.echo(printable(f"identigraph: error: {line}"), err=True)
            sys.exit(3)
        if duckdb is not None and isinstance(exc, duckdb.Error):  # one a store did not word
            typer.echo(printable(f"identigraph: error: store {STATE.store} is damaged or "
                                 f"unreadable: {_error_line(exc)}"), err=True)
            sys.exit(3)
        code = getattr(exc, "exit_code", None)
        if isinstance(code, int) and hasattr(exc, "show"):
            exc.show()
            sys.exit(code)
        if STATE.debug:
            import traceback

            traceback.print_exc()
        typer.echo(printable(f"identigraph: error: {_error_line(exc)}"), err=True)
        sys.exit(2 if isinstance(exc, OSError) else 1)
    finally:
        sys.stdout = real_stdout


def run_process() -> None:
    """:func:`main` as the whole process: once it has ended (answer printed, store closed) a
    Ctrl-C is ignored, so the exit code is the command's, never a traceback from the
    interpreter's shut-down or a death by SIGINT."""
    import signal

    try:
        main()
    except KeyboardInterrupt:  # one DuckDB left pending, firing as main ended: a Ctrl-C
        sys.exit(INTERRUPTED)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    run_process()
