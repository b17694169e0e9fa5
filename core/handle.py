"""The Python API: ``identigraph.open(location)`` gives an :class:`IdentityGraph`, the one
way in for scripts, notebooks and the command line.

Identifiers are plain strings in any form the command line accepts (``+1 (415) 555-0134``,
``Maria@Example.com``, ``email:…``, ``phone:…``, ``external_id:…``, ``klaviyo_id:…`` for any
namespace the store's rule set declares), and so are profile ids (``p_…``) and events
(``event:ID``). One that is not in the store is an answer (``known=False``, reason
``unknown_identifier``); text that cannot be one at all raises :class:`InvalidIdentifier`.

Imports stay light (no loaders, no replay) until ``load`` is called: a query's start-up
time is what a support desk waits for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from identigraph import answers
from identigraph.answers import Shown
from identigraph.errors import NotFoundError, UsageError
from identigraph.graph.explain import Explanation
from identigraph.graph.open import default_location, open_store
from identigraph.graph.query import ProfileQuery, Sort
from identigraph.graph.records import Profile
from identigraph.graph.store import Store
from identigraph.graph.timeline import Timeline
from identigraph.identifiers import Target
from identigraph.model import UNDATED_TIME

if TYPE_CHECKING:
    from identigraph.api import Progress, Replay
    from identigraph.graph.cluster import ClusterView
    from identigraph.graph.suspects import Suspects
    from identigraph.loaders.batch import ReadOptions
    from identigraph.loaders.report import LoadReport
    from identigraph.rules.model import IdentifierKind


class InvalidIdentifier(UsageError, ValueError):
    """Text that cannot be an identifier (``'not-an-email@'``): the command line's exit 2."""


class Drawing(BaseModel, defer_build=True):
    """What :meth:`IdentityGraph.render` wrote: the file and the size of the cluster."""

    model_config = ConfigDict(frozen=True)

    path: Path
    nodes: int
    edges: int


class Stats(BaseModel, defer_build=True):
    """The answer to ``stats``: counts of events, identifiers by kind, profiles, edges by
    rule (a store may add keys: they are kept)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    store: str
    backend: str
    ruleset: str | None
    events: int
    identifiers: dict[str, int]
    profiles: int
    merged_profiles: int
    edges: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        """``stats --json``'s shape."""
        return self.model_dump()


class IdentityGraph:
    """The identity graph in one store (an embedded file or a Neo4j URI).

    Queries open the store read-only when first needed and keep it open until
    :meth:`close`; :meth:`load` writes it (and holds an embedded file alone meanwhile).
    """

    def __init__(self, location: str | Path | None = None, *,
                 default_region: str = "US") -> None:
        self.location = str(location) if location is not None else default_location()
        self.default_region = default_region.upper()
        self._store: Store | None = None

    # -- opening and closing -------------------------------------------------------------

    def _reader(self) -> Store:
        if self._store is None:
            self._store = open_store(self.location, create=False)
        return self._store

    def close(self) -> None:
        """Close the store (a later query opens it again)."""
        if self._store is not None:
            store, self._store = self._store, None
            store.close()

    def __enter__(self) -> IdentityGraph:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"IdentityGraph({self.location!r})"

    # -- identifiers ---------------------------------------------------------------------

    def key(self, identifier: str) -> str:
        """``kind:value`` of an identifier typed in any accepted form, normalised like input
        (a namespace the store's rule set declares, too); :class:`InvalidIdentifier` when it
        cannot be one."""
        from identigraph.identifiers import parse_identifier

        try:
            return parse_identifier(identifier, self.default_region, self._declared)
        except UsageError as exc:
            raise InvalidIdentifier(str(exc)) from exc

    def target(self, text: str) -> Target:
        """What a query names: an identifier (as :meth:`key`), a profile id (``p_…`` or
        ``profile:ID``) or an event (``event:ID``); :class:`InvalidIdentifier` when it is
        none of them."""
        from identigraph.identifiers import parse_target

        try:
            return parse_target(text, self.default_region, self._declared)
        except UsageError as exc:
            raise InvalidIdentifier(str(exc)) from exc

    def _declared(self, name: str) -> IdentifierKind | None:
        """The store's declared identifier kind of a name (a prefix that is no built-in one:
        the store is opened to read its rule set)."""
        return answers.namespaces(self._reader())(name)

    # -- loading -------------------------------------------------------------------------

    def load(
        self,
        paths: Sequence[Path | str] | Path | str,
        *,
        format: str = "auto",
        ruleset: str | None = None,
        default_region: str | None = None,
        undated_time: str = UNDATED_TIME,
        source_map: Mapping[str, str] | Path | str | None = None,
        checkout_events: Sequence[str] | None = None,
        progress: Progress | None = None,
        replay: Replay | None = None,
        fast: bool = False,
    ) -> LoadReport:
        """Load export or event files (creating the store if need be) and re-resolve; the
        report accounts for every row. ``source_map`` maps unknown SMS opt-in sources to
        event types (a mapping, or a YAML file of ``source: type``); ``replay`` is the
        engine (the embedded one unless given, e.g. ``SparkEngine(master).replay``);
        ``fast`` trades memory for time (a 1M first load ~6% faster at ~1.5x the peak
        memory; the same store either way)."""
        from identigraph.api import load as load_files
        from identigraph.heap import roomy

        files = [paths] if isinstance(paths, (str, Path)) else list(paths)
        options = self._options(default_region, undated_time, source_map, checkout_events)
        self.close()  # an embedded file is written by one connection alone
        with roomy() if fast else nullcontext():  # a new store's tables too
            store = open_store(self.location, create=True)
            try:
                return load_files(store, files, fmt=format, ruleset=ruleset,
                                  options=options, progress=progress, replay=replay,
                                  fast=fast)
            finally:
                store.close()

    def check_load(self, *, default_region: str | None = None,
                   undated_time: str = UNDATED_TIME) -> None:
        """Refuse load options no row could be read with (:class:`UsageError`) before
        anything is read or written: what :meth:`load` checks first, for a caller with more
        to set up before it (the command line's Spark session)."""
        from identigraph.api import check_options

        check_options(self._options(default_region, undated_time))

    def _options(self, default_region: str | None, undated_time: str,
                 source_map: Mapping[str, str] | Path | str | None = None,
                 checkout_events: Sequence[str] | None = None) -> ReadOptions:
        """The readers' options of a load."""
        from identigraph.loaders.batch import ReadOptions
        from identigraph.loaders.sms import read_source_map

        mapping = (read_source_map(Path(source_map)) if isinstance(source_map, (str, Path))
                   else dict(source_map or {}))
        options = ReadOptions(default_region=(default_region or self.default_region).upper(),
                              undated_time=undated_time, source_map=mapping)
        if checkout_events:
            options = replace(options, checkout_events=tuple(checkout_events))
        return options

    # -- questions -----------------------------------------------------------------------

    def unfinished(self) -> bool:
        """True when the store's last load did not finish (its answers may be partial)."""
        return self._reader().unfinished()

    def iter_profiles(self, *, limit: int | None = None, min_size: int = 0,
                      kind: str | None = None, sort: Sort = "id") -> Iterator[Profile]:
        """Profiles one at a time as the store streams them (any store size)."""
        query = ProfileQuery(limit=limit, min_size=min_size, kind=kind, sort=sort)
        return answers.profile_stream(self._reader(), query)

    def named_profiles(self, *, limit: int | None = None, min_size: int = 0,
                       kind: str | None = None, sort: Sort = "id",
                       ) -> Iterator[tuple[Profile, str | None]]:
        """:meth:`iter_profiles` with each person's name (from the events' attributes),
        still streamed: names are looked up a batch of profiles at a time."""
        from identigraph.graph.names import with_names

        return with_names(self._reader(), self.iter_profiles(
            limit=limit, min_size=min_size, kind=kind, sort=sort))

    def profiles(self, *, limit: int | None = None, min_size: int = 0,
                 kind: str | None = None, sort: Sort = "id") -> list[Profile]:
        """Profiles with their identifiers and consent: all, or those the options pick
        (``min_size`` identifiers at least, holding a ``kind``, ``sort="size"`` biggest
        first, at most ``limit``)."""
        return list(self.iter_profiles(limit=limit, min_size=min_size, kind=kind, sort=sort))

    def show(self, identifier: str) -> Shown:
        """The profile holding an identifier; a profile id: that profile (``merged_into``
        says which one a merged-away id became); ``event:ID``: the event and the decision of
        each of its edges (``known=False`` when it is not in the store)."""
        return answers.shown(self._reader(), self.target(identifier))

    def explain(self, a: str, b: str) -> Explanation:
        """Why A and B are (or are not) on one profile: the merging path, or the reason
        (``unknown_identifier``, ``no_evidence``, ``blocked``) and the edges that stopped it.
        A profile id or an event stands for its identifier (:func:`answers.anchor`)."""
        return answers.explain(self._reader(), self.target(a), self.target(b))

    def how(self, identifier: str) -> Timeline:
        """The timeline of the profile holding an identifier (or of a profile by id):
        created by, merged with, identifiers replaced, consent changes; ``event:ID``: a step
        per edge the event made (``known=False`` when not in the store)."""
        t = self.target(identifier)
        try:
            return answers.how(self._reader(), t)
        except NotFoundError as exc:
            return Timeline(identifier=t.label, profile_id=None, profile=None, blocked=False,
                            steps=[], known=False, summary=str(exc))

    def cluster(self, identifier: str, *, depth: int = 1,
                other: str | None = None) -> ClusterView:
        """The identity cluster around an identifier (a profile's, an event's), its profile
        and ``depth`` hops of evidence, the explain path to ``other`` (an event's own edges)
        highlighted; :class:`NotFoundError` when it is not in the store (nothing to draw)."""
        from identigraph.graph.cluster import ClusterView

        other_t = self.target(other) if other is not None else None
        return ClusterView.model_validate(answers.cluster(
            self._reader(), self.target(identifier), other=other_t, depth=depth))

    def render(self, identifier: str, path: Path | str, *, depth: int = 1,
               other: str | None = None, redact: bool = False) -> Drawing:
        """Draw the cluster to ``path``; its extension picks the format (.html .svg .png
        .graphml .gexf .json). ``redact`` masks emails, phones and ids of every kind."""
        from identigraph.viz import render

        drawn = self.cluster(identifier, depth=depth, other=other)
        try:
            out = render(drawn.as_json(), path, redact=redact)
        except ValueError as exc:  # an extension no renderer writes
            raise UsageError(str(exc)) from exc
        return Drawing(path=out, nodes=len(drawn.nodes), edges=len(drawn.edges))

    def suspects(self, *, limit: int = 20) -> Suspects:
        """Pairs of profiles that events tie together but the rules kept apart, strongest
        first, and hub identifiers tied to many profiles."""
        from identigraph.graph.suspects import suspects

        return suspects(self._reader(), limit=limit)

    def export_state(self, folder: Path | str) -> dict[str, int]:
        """Write the state (identifiers, edges, profiles, log) as ``folder/<table>.parquet``;
        the rows written, by table."""
        from identigraph.graph.state_export import export_state

        return export_state(self._reader(), Path(folder))

    def export_neo4j_import(self, folder: Path | str) -> list[str]:
        """Write ``folder/neo4j-import/``, the files ``neo4j-admin database import full``
        builds a new Neo4j database of this store from; the command's arguments."""
        from identigraph.graph.state_export import export_neo4j_import

        return export_neo4j_import(self._reader(), Path(folder))

    def stats(self) -> Stats:
        """Counts of events, identifiers by kind, profiles and edges by rule."""
        return Stats.model_validate(answers.stats(self._reader()))
