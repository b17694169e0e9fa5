"""What a query names, typed on the command line, in the API or the explorer's search box:
an identifier ``kind:value`` (normalised exactly like input, SPEC section 6), a profile id,
or an event (``event:ID``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from identigraph.errors import UsageError
from identigraph.model import KIND_NAME, KINDS
from identigraph.normalise import (
    Invalid,
    clean_raw,
    normalise_email,
    normalise_external_id,
)

if TYPE_CHECKING:
    from identigraph.rules.model import IdentifierKind

#: ``event:ID`` names a stored event; ``profile:ID`` a profile (the prefix is optional for an
#: id of the form profiles have)
EVENT_PREFIX, PROFILE_PREFIX = "event:", "profile:"
#: A profile id as the engine makes them (engine/ids.py: "p_" and 16 hex digits)
PROFILE_ID = re.compile(r"^p_[0-9a-f]{16}$")
#: The declared identifier kind of a name, or None (the store's rule set answers it)
Namespaces = Callable[[str], "IdentifierKind | None"]


class Target(BaseModel, defer_build=True):
    """What a query asks about: ``what`` is an identifier (``key`` is ``kind:value``), a
    profile (``key`` its id) or an event (``key`` its id)."""

    model_config = ConfigDict(frozen=True)

    what: Literal["identifier", "profile", "event"]
    key: str

    @property
    def label(self) -> str:
        """How answers name it: ``email:…``, ``p_…`` or ``event:…``."""
        return f"{EVENT_PREFIX}{self.key}" if self.what == "event" else self.key


def _no_namespaces(name: str) -> IdentifierKind | None:
    return None


def _phone(value: str, region: str) -> str | Invalid:
    """A phone as a load stores it; imported here, so that only a query that may be a phone
    imports phonenumbers (an email's or a profile's starts faster)."""
    from identigraph.phones import normalise_phone

    return normalise_phone(value, None, region)


def _builtin(kind: str, value: str, region: str) -> str | Invalid:
    if kind == "email":
        return normalise_email(value)
    if kind == "phone":
        return _phone(value, region)
    return normalise_external_id(value)


def parse_identifier(text: str, default_region: str = "US",
                     namespaces: Namespaces = _no_namespaces) -> str:
    """``kind:value`` for a typed identifier: an explicit prefix (``email:``, ``phone:``,
    ``external_id:`` or any namespace ``namespaces`` declares), ``@`` for email, a valid
    phone number, else an external id. The value is cleaned as a file's cell is (trimmed,
    one leading apostrophe dropped) and normalised as its kind's input is, so a query finds
    what a load stored. A prefix that is no declared kind is part of an external id
    (``gid://shop/1``)."""
    raw = clean_raw(text) or ""
    head, colon, rest = raw.partition(":")
    name = head.strip().lower()
    declared = namespaces(name) if colon and name not in KINDS else None
    if colon and name in KINDS:
        kind, value = name, clean_raw(rest) or ""
    elif declared is not None:  # checked as an external id, then its own normaliser (a load's)
        base = normalise_external_id(clean_raw(rest) or "")
        if isinstance(base, Invalid):
            raise UsageError(f"{text!r} is not a valid {name}: {base.reason}")
        if not base:
            raise UsageError(f"{text!r} is not a valid {name}: no value after {name}:")
        stored = declared.normalise(base)
        if not stored:
            raise UsageError(f"{text!r} is not a valid {name}: nothing left after its "
                             f"{declared.normaliser.value} normaliser")
        return f"{name}:{stored}"
    elif "@" in raw:
        kind, value = "email", raw
    else:
        phone = _phone(raw, default_region)
        if not isinstance(phone, Invalid):
            return f"phone:{phone}"
        kind, value = "external_id", raw
    norm = _builtin(kind, value, default_region)
    if isinstance(norm, Invalid):
        raise UsageError(f"{text!r} is not a valid {kind}: {norm.reason}")
    return f"{kind}:{norm}"


#: A prefix shaped like an identifier kind's name, before a colon (not a URL's ``gid://``)
_KIND_PREFIX = re.compile(rf"^({KIND_NAME.pattern}):(?!//)")


def undeclared_prefix(key: str, namespaces: Namespaces = _no_namespaces) -> str | None:
    """The prefix of an external id key's value that is shaped like a kind's name but no
    declared kind (``external_id:klaviyo_idd:x`` -> ``klaviyo_idd``): a query with such a
    prefix was read as an external id, which a not-found answer says. None otherwise (a URL
    such as ``gid://shop/1`` included)."""
    kind, _, value = key.partition(":")
    found = _KIND_PREFIX.match(value.lower()) if kind == "external_id" else None
    if found is None or found.group(1) in KINDS or namespaces(found.group(1)) is not None:
        return None
    return found.group(1)


def parse_target(text: str, default_region: str = "US",
                 namespaces: Namespaces = _no_namespaces) -> Target:
    """What a query names: ``event:ID``, ``profile:ID`` or a bare profile id, else an
    identifier (:func:`parse_identifier`); :class:`UsageError` for text that is none."""
    raw = clean_raw(text) or ""
    lowered = raw.lower()
    for prefix, what in ((EVENT_PREFIX, "event"), (PROFILE_PREFIX, "profile")):
        if lowered.startswith(prefix):
            ident = raw[len(prefix):].strip()
            if not ident:
                raise UsageError(f"{text!r}: {prefix} needs an id after it")
            return Target(what=what, key=ident)  # type: ignore[arg-type]
    if PROFILE_ID.match(raw):
        return Target(what="profile", key=raw)
    if not raw:
        raise UsageError("an identifier, a profile id or event:ID is required")
    return Target(what="identifier", key=parse_identifier(raw, default_region, namespaces))
