"""``identigraph serve``: checks, the listening socket, and uvicorn running the app.

The socket is bound here, before uvicorn starts, so a bad or busy port is one line and
exit 2 rather than a server log. Only loopback addresses may be served without a token.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any

from identigraph.errors import UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8750


def _addresses(host: str, port: int) -> list[tuple[socket.AddressFamily, Any]]:
    """(family, socket address) of each address a host name stands for."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"cannot listen on {host!r}: {exc.strerror}") from None
    return [(family, addr) for family, _, _, _, addr in infos]


def is_loopback(host: str) -> bool:
    """True when every address the host name stands for is a loopback address."""
    addrs = _addresses(host, 0)
    return bool(addrs) and all(ipaddress.ip_address(a[1][0]).is_loopback for a in addrs)


def check_listen(host: str, port: int, token: str | None) -> None:
    """Refuse a bad port, and a non-loopback address without a token (one line each)."""
    if not 1 <= port <= 65535:
        raise UsageError(f"port {port} is not a TCP port (1-65535)")
    if not token and not is_loopback(host):
        raise UsageError(f"refusing to serve {host} without a token: anyone who can reach it "
                         "could read every profile; pass --token (or IDENTIGRAPH_TOKEN), or "
                         "serve 127.0.0.1")


def bind(host: str, port: int) -> socket.socket:
    """The listening socket (one line, exit 2, when the port is taken or not ours)."""
    family, addr = _addresses(host, port)[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def serve(location: str, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          token: str | None = None, region: str = "US") -> None:
    """Serve the store until interrupted (Ctrl-C stops it cleanly)."""
    import uvicorn

    from identigraph.serve.access import StoreAccess
    from identigraph.serve.app import create_app

    check_listen(host, port, token)
    sock = bind(host, port)
    access = StoreAccess(location)
    try:
        access.start()  # the store must open now: a wrong path is an error, not 503s
        app = create_app(access, region=region, token=token)
        shown = f"[{host}]" if ":" in host else host
        print(f"identigraph: serving {location} on http://{shown}:{sock.getsockname()[1]}/"
              f"{' (bearer token required)' if token else ''}; Ctrl-C stops", file=sys.stderr,
              flush=True)
        config = uvicorn.Config(app, log_level="warning", access_log=False,
                                timeout_graceful_shutdown=5)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        access.close()
        sock.close()
