"""The rule-set model: event types and their link modes, strength, limits, blocked values.

A rule set is data (YAML validated here), so users can write their own.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from identigraph.model import CONTACT_KINDS, KIND_NAME, KINDS
from identigraph.normalise import PLACEHOLDERS


class LinkMode(StrEnum):
    """How an event's identifiers may join the profile it lands on."""

    MERGE = "merge"  # new identifiers attach; another profile is brought along whole
    ATTACH = "attach"  # new identifiers attach; never joins two existing profiles
    NONE = "none"  # nothing joins; unknown identifiers get their own profile


class PastLimit(StrEnum):
    """What happens when a link would take a profile past its limit for a kind."""

    REPLACE = "replace"  # the event's value wins; the old one is detached
    REFUSE = "refuse"  # the link is not made (a ``limit`` conflict)


class _Strict(BaseModel, defer_build=True):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(pattern: str) -> None:
    """A rule set's regex must compile (Python's syntax: it is matched with ``re``)."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from exc


class Normaliser(StrEnum):
    """How the values of an identifier kind are normalised before they are compared."""

    EMAIL = "email"  # built in: trimmed, lower-cased, syntax-checked (SPEC section 2)
    PHONE = "phone"  # built in: phonenumbers, E.164 of a valid number (SPEC section 2)
    EXACT = "exact"  # trimmed text, as given
    LOWER = "lower"  # trimmed, lower-cased
    DIGITS = "digits"  # only the digits kept
    REGEX = "regex"  # trimmed, every match of ``strip`` removed


MAX_KINDS = 30  # the replay keeps a bit per kind in an int32 (absorb masks)


class IdentifierKind(_Strict):
    """One kind of identifier a rule set declares: ``email``, ``phone`` or an id namespace."""

    name: Annotated[str, Field(pattern=f"^{KIND_NAME.pattern}$", max_length=64)]
    normaliser: Normaliser = Normaliser.EXACT
    strip: str | None = Field(default=None, description="with `regex`: what to remove")
    description: str = ""

    @model_validator(mode="after")
    def _fits(self) -> IdentifierKind:
        builtin: dict[str, Normaliser] = {kind: Normaliser(kind) for kind in CONTACT_KINDS}
        if self.name in builtin and self.normaliser != builtin[self.name]:
            raise ValueError(f"{self.name} uses the built-in normaliser {self.name!r}")
        if self.name not in builtin and self.normaliser in builtin.values():
            raise ValueError(f"normaliser {self.normaliser.value!r} is for {self.normaliser.value}"
                             " only (use exact, lower, digits or regex)")
        if (self.normaliser == Normaliser.REGEX) != (self.strip is not None):
            raise ValueError("`strip` (a regex) goes with normaliser `regex`, and only there")
        if self.strip is not None:
            _check_regex(self.strip)
        return self

    def normalise(self, value: str) -> str:
        """A value of this kind as stored (email and phone: trimmed, email lower-cased;
        their full checks are identigraph.normalise's and identigraph.phones')."""
        v = value.strip()
        if self.normaliser in (Normaliser.EMAIL, Normaliser.LOWER):
            return v.lower()
        if self.normaliser == Normaliser.DIGITS:
            return "".join(ch for ch in v if ch.isdigit())
        if self.normaliser == Normaliser.REGEX and self.strip is not None:
            return re.sub(self.strip, "", v)
        return v


#: Today's three kinds (identigraph.model.KINDS, in their strength order): what a rule set
#: that declares none has (SPEC section 2).
DEFAULT_IDENTIFIERS: tuple[IdentifierKind, ...] = tuple(
    IdentifierKind(name=kind, normaliser=Normaliser(kind)) if kind in CONTACT_KINDS
    else IdentifierKind(name=kind, description="a shop's or CRM's customer id")
    for kind in KINDS)


class EventType(_Strict):
    """One event type: its default channel and link mode."""

    channel: str = "any"
    link: LinkMode
    absorb_profiles_known_only_by: tuple[str, ...] = Field(
        default=(),
        description="with `attach`: another profile known ONLY by one identifier of these "
        "kinds carried by the event is merged in (Klaviyo's identity-resolution FAQ)",
    )
    description: str = ""


class Limit(_Strict):
    """At most ``max`` identifiers of a kind per profile; ``past_limit`` says what then."""

    max: Annotated[int, Field(ge=1)] | None = 1
    past_limit: PastLimit = PastLimit.REFUSE


class Blocked(_Strict):
    """A value that never links anything: exact (after normalisation) or a regex."""

    kind: str
    value: str | None = None
    regex: str | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _one_of(self) -> Blocked:
        if (self.value is None) == (self.regex is None):
            raise ValueError("a blocked entry needs exactly one of `value` or `regex`")
        if self.regex is not None:
            _check_regex(self.regex)
        return self


class RuleSet(_Strict):
    """A complete rule set, as loaded from YAML."""

    name: str
    description: str = ""
    identifiers: tuple[IdentifierKind, ...] = DEFAULT_IDENTIFIERS
    strength: tuple[str, ...] = tuple(str(k) for k in KINDS)
    limits: dict[str, Limit] = Field(default_factory=dict)
    event_types: dict[str, EventType]
    blocked: tuple[Blocked, ...] = ()
    missing_values: tuple[str, ...] = Field(
        default=PLACEHOLDERS,
        description="identifier values that only say 'no value' (trimmed, any case): "
        "treated as missing, with a warning, instead of becoming identifiers",
    )
    vanity_phones: bool = Field(
        default=False,
        description="read letters in phone numbers as keypad digits (1-800-FLOWERS); off: "
        "a phone with letters is dropped with a warning (masked numbers like 415-555-XXXX)",
    )
    version: Literal[1] = 1

    @field_validator("identifiers")
    @classmethod
    def _declared(cls, v: tuple[IdentifierKind, ...]) -> tuple[IdentifierKind, ...]:
        names = [k.name for k in v]
        if len(set(names)) < len(names):
            raise ValueError("each identifier kind is declared once")
        if any(kind not in names for kind in CONTACT_KINDS):
            raise ValueError("email and phone are always declared (consent belongs to them)")
        if len(names) > MAX_KINDS:
            raise ValueError(f"at most {MAX_KINDS} identifier kinds")
        return v

    @model_validator(mode="after")
    def _known_kinds(self) -> RuleSet:
        names = self.kind_names()
        if sorted(self.strength) != sorted(names):
            raise ValueError(f"strength must list each declared identifier kind once: "
                             f"{', '.join(names)}")
        used = [("limits", k) for k in self.limits] + [("blocked", b.kind) for b in self.blocked]
        used += [(f"event_types.{t}.absorb_profiles_known_only_by", k)
                 for t, et in self.event_types.items() for k in et.absorb_profiles_known_only_by]
        for where, kind in used:
            if kind not in names:
                raise ValueError(f"{where}: {kind!r} is not a declared identifier kind "
                                 f"({', '.join(names)})")
        return self

    def kind_names(self) -> tuple[str, ...]:
        """The declared identifier kinds, in declaration order (the kind codes)."""
        return tuple(k.name for k in self.identifiers)

    @field_validator("missing_values", mode="before")
    @classmethod
    def _as_text(cls, v: object) -> object:
        """YAML reads an unquoted ``NULL`` as null and ``0`` as a number: both mean the text."""
        if isinstance(v, list | tuple):
            return tuple("NULL" if x is None else str(x) if isinstance(x, int | float) else x
                         for x in v)
        return v

    @field_validator("event_types")
    @classmethod
    def _some_types(cls, v: dict[str, EventType]) -> dict[str, EventType]:
        if not v:
            raise ValueError("a rule set needs at least one event type")
        return v

    def limit_for(self, kind: str) -> Limit | None:
        """The limit for a kind, or None when unlimited."""
        lim = self.limits.get(kind)
        return lim if lim is not None and lim.max is not None else None
