"""The HTTP API and the explorer page: a Starlette app over one store, read-only.

Every answer is the command line's own (``identigraph.answers``), so ``GET
/api/identifiers/X`` is ``show X --json``. Errors are JSON ``{"error": "..."}``: 400 for
a malformed identifier or parameter, 404 for an unknown one, 401 without the token, 503
while a load writes the store (or it cannot be reached).
"""

from __future__ import annotations

import contextlib
import hmac
import itertools
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, cast

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from identigraph import answers
from identigraph.errors import IdentigraphError, NotFoundError, StoreError, UsageError
from identigraph.graph.query import ProfileQuery, Sort
from identigraph.graph.store import Store
from identigraph.identifiers import Target
from identigraph.serve.access import Busy, StoreAccess
from identigraph.serve.page import explorer_html

log = logging.getLogger("identigraph.serve")

#: ``/api/profiles`` without ``limit`` returns at most this many profiles.
DEFAULT_PROFILE_LIMIT = 100
#: A ``/api/profiles`` list of at most this many profiles is answered whole (or 503).
WHOLE_ROWS = 1_000
#: Headers on every answer: data is never sniffed as HTML, pages never framed or cached.
SAFE_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
PAGE_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'")


def answer_threads() -> int:
    """Answers worked on at once (others wait their turn): one per core, at least two.
    DuckDB and the Neo4j driver let go of the GIL while they wait, so a second thread keeps
    both cores busy; anyio's default of 40 halved the throughput of 50 clients on 2 cores
    (threads thrashing the GIL; docs/serve figures in the README)."""
    return max(2, os.cpu_count() or 1)


def json_bytes(content: Any) -> bytes:
    """JSON with ``<``, ``>`` and ``&`` escaped: nothing typed comes back as markup, even
    to a client that ignores the content type."""
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


class SafeJSON(JSONResponse):
    """A JSON response written by :func:`json_bytes`."""

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


def _error(status: int, message: str) -> JSONResponse:
    headers = dict(SAFE_HEADERS)
    if status == 503:
        headers["Retry-After"] = "2"
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return SafeJSON({"error": message}, status_code=status, headers=headers)


def _status(exc: IdentigraphError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, UsageError):
        return 400
    if isinstance(exc, Busy | StoreError):
        return 503
    return 500


def _int_param(request: Request, name: str, default: int | None, low: int,
               high: int) -> int | None:
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise UsageError(f"{name} must be between {low} and {high}")
    return value


class Api:
    """The endpoints, over one store access and the identifier region of the command line."""

    def __init__(self, access: StoreAccess, region: str) -> None:
        self.access = access
        self.region = region

    def target(self, store: Store, text: str) -> Target:
        """What typed text names, read with the store's namespaces (400 when malformed)."""
        if not text.strip():
            raise UsageError("an identifier, a profile id or event:ID is required")
        return answers.target(store, text, self.region)

    def answer(self, work: Callable[[Any], Any]) -> Any:
        """Run one answer against a store in a finished state."""
        with self.access.store() as store:
            return work(store)

    def show(self, request: Request) -> Any:
        text = request.path_params["identifier"]
        return self.answer(lambda s: answers.show(s, self.target(s, text)))

    def explain(self, request: Request) -> Any:
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        return self.answer(lambda s: answers.explain(
            s, self.target(s, a), self.target(s, b)).as_json())

    def how(self, request: Request) -> Any:
        text = request.path_params["identifier"]
        return self.answer(lambda s: answers.how(s, self.target(s, text)).as_json())

    def cluster(self, request: Request) -> Any:
        text = request.path_params["identifier"]
        other = request.query_params.get("other")
        depth = _int_param(request, "depth", 1, 0, 5)
        return self.answer(lambda s: answers.cluster(
            s, self.target(s, text), other=self.target(s, other) if other else None,
            depth=depth or 0))

    def stats(self, request: Request) -> Any:
        return self.answer(lambda s: self.access.memo("stats", lambda: answers.stats(s)))

    def search(self, request: Request) -> Any:
        text = request.query_params.get("q", "").strip()
        if not text:
            raise UsageError("type an identifier, a profile id or an event id")
        return self.answer(lambda s: answers.search(s, text, self.region))

    def profile(self, request: Request) -> Any:
        pid = request.path_params["profile_id"]
        return self.answer(lambda s: answers.profile_card(s, pid))

    def event(self, request: Request) -> Any:
        eid = request.path_params["event_id"]
        return self.answer(lambda s: answers.event(s, eid))

    def profile_query(self, request: Request) -> ProfileQuery:
        """``?limit=&min_size=&kind=&sort=`` (``limit`` is DEFAULT_PROFILE_LIMIT unless given)."""
        return ProfileQuery(
            limit=_int_param(request, "limit", DEFAULT_PROFILE_LIMIT, 0, 2**62),
            min_size=_int_param(request, "min_size", 0, 0, 2**31) or 0,
            kind=request.query_params.get("kind") or None,
            sort=cast("Sort", request.query_params.get("sort") or "id"))  # checked there

    def profiles(self, query: ProfileQuery) -> Iterator[bytes]:
        """``profiles --json``'s list. Up to WHOLE_ROWS profiles are read before the first
        byte, so such a list is whole or a 503 (a Neo4j load that ran meanwhile is seen when
        the answer ends); a longer one streams as the store gives it, and a load that begins
        meanwhile breaks it off (:class:`BrokenOff`: never a list that looks complete)."""
        with contextlib.ExitStack() as answering:
            store = answering.enter_context(self.access.store())
            rows = answers.profiles(store, query)
            head = [json_bytes(row) for row in itertools.islice(rows, WHOLE_ROWS + 1)]
            if len(head) <= WHOLE_ROWS:
                answering.close()  # Busy here is still a status
                yield b"[" + b",\n".join(head) + b"]\n"
                return
            try:
                yield b"[" + b",\n".join(head)
                for row in rows:
                    yield b",\n" + json_bytes(row)
                answering.close()
            except Busy as exc:
                log.warning("profiles broken off: %s", exc)
                raise BrokenOff(str(exc)) from exc
        yield b"]\n"


class BrokenOff(Exception):
    """A streamed answer the store changed under: the connection is closed before the
    response ends, so a client sees an incomplete transfer."""


class WholeOrBroken(StreamingResponse):
    """A streamed response that ends the HTTP response only when its body is whole."""

    async def stream_response(self, send: Any) -> None:
        with contextlib.suppress(BrokenOff):
            await super().stream_response(send)


def _route(api: Api, work: Callable[[Request], Any]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            data = await run_in_threadpool(work, request)
        except IdentigraphError as exc:
            return _error(_status(exc), str(exc))
        except Exception:
            log.exception("answer failed")
            return _error(500, "internal error (see the server's log)")
        return SafeJSON(data, headers=SAFE_HEADERS)

    return endpoint


def create_app(access: StoreAccess, *, region: str = "US", token: str | None = None) -> Starlette:
    """The app: ``/`` (the explorer) and ``/api/...`` (JSON), the token checked on the API."""
    api = Api(access, region)
    page = explorer_html()

    async def index(request: Request) -> Response:
        return HTMLResponse(page, headers={**SAFE_HEADERS, "Content-Security-Policy": PAGE_CSP})

    async def profiles(request: Request) -> Response:
        try:
            query = api.profile_query(request)
            stream = api.profiles(query)
            first = await run_in_threadpool(next, stream)
        except IdentigraphError as exc:
            return _error(_status(exc), str(exc))

        def rest() -> Iterator[bytes]:
            yield first
            yield from stream

        return WholeOrBroken(rest(), media_type="application/json", headers=SAFE_HEADERS)

    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(404, "no such page")

    routes = [
        Route("/", index),
        Route("/api/identifiers/{identifier:path}", _route(api, api.show)),
        Route("/api/how/{identifier:path}", _route(api, api.how)),
        Route("/api/cluster/{identifier:path}", _route(api, api.cluster)),
        Route("/api/explain", _route(api, api.explain)),
        Route("/api/profiles", profiles),
        Route("/api/profiles/{profile_id:path}", _route(api, api.profile)),
        Route("/api/events/{event_id:path}", _route(api, api.event)),
        Route("/api/search", _route(api, api.search)),
        Route("/api/stats", _route(api, api.stats)),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = answer_threads()
        yield

    app = Starlette(routes=routes, exception_handlers={404: not_found}, lifespan=lifespan)
    if token:
        app.add_middleware(_TokenCheck, token=token)
    return app


class _TokenCheck:
    """Every ``/api/`` request carries ``Authorization: Bearer TOKEN`` (the page itself holds
    no data; it asks for the token when the API says 401)."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            given = b""
            for name, value in scope.get("headers", []):
                if name == b"authorization":
                    given = value
            scheme, _, secret = given.partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(secret.strip(),
                                                                      self.token):
                await _error(401, "this server needs its bearer token "
                             "(Authorization: Bearer TOKEN)")(scope, receive, send)
                return
        await self.app(scope, receive, send)
