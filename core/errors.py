"""Errors the command line turns into one-line messages and exit codes (SPEC section 6)."""

INTERRUPTED = 130  # exit code after Ctrl-C (128 + SIGINT)
INTERRUPTED_TEXT = "identigraph: interrupted; the store keeps its last completed load"


class IdentigraphError(Exception):
    """Base error: its message is shown to the user as one line."""

    exit_code = 1


class UsageError(IdentigraphError):
    """Bad usage or input that cannot be used at all (missing file, unknown format)."""

    exit_code = 2


class StoreError(IdentigraphError):
    """The store is unreachable, unreadable or not a store."""

    exit_code = 3


class NotFoundError(UsageError):
    """The identifier, profile or event asked for is not in the store (HTTP 404)."""
