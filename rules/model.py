"""The rule-set model: event types and their link modes, strength, limits, blocked values.

A rule set is data (YAML validated here), so users can write their own.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from identigraph.model import KINDS, Kind


class LinkMode(StrEnum):
    """How an event's identifiers may join the profile it lands on."""

    MERGE = "merge"  # new identifiers attach; another profile is brought along whole
    ATTACH = "attach"  # new identifiers attach; never joins two existing profiles
    NONE = "none"  # nothing joins; unknown identifiers get their own profile


class PastLimit(StrEnum):
    """What happens when a link would take a profile past its limit for a kind."""

    REPLACE = "replace"  # the event's value wins; the old one is detached
    REFUSE = "refuse"  # the link is not made (a ``limit`` conflict)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventType(_Strict):
    """One event type: its default channel and link mode."""

    channel: str = "any"
    link: LinkMode
    absorb_profiles_known_only_by: tuple[Kind, ...] = Field(
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

    kind: Kind
    value: str | None = None
    regex: str | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _one_of(self) -> Blocked:
        if (self.value is None) == (self.regex is None):
            raise ValueError("a blocked entry needs exactly one of `value` or `regex`")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as exc:
                raise ValueError(f"bad regex {self.regex!r}: {exc}") from exc
        return self


class RuleSet(_Strict):
    """A complete rule set, as loaded from YAML."""

    name: str
    description: str = ""
    strength: tuple[Kind, ...] = KINDS
    limits: dict[Kind, Limit] = Field(default_factory=dict)
    event_types: dict[str, EventType]
    blocked: tuple[Blocked, ...] = ()
    version: Literal[1] = 1

    @field_validator("strength")
    @classmethod
    def _all_kinds(cls, v: tuple[Kind, ...]) -> tuple[Kind, ...]:
        if sorted(v) != sorted(KINDS):
            raise ValueError("strength must list external_id, email and phone once each")
        return v

    @field_validator("event_types")
    @classmethod
    def _some_types(cls, v: dict[str, EventType]) -> dict[str, EventType]:
        if not v:
            raise ValueError("a rule set needs at least one event type")
        return v

    def limit_for(self, kind: Kind) -> Limit | None:
        """The limit for a kind, or None when unlimited."""
        lim = self.limits.get(kind)
        return lim if lim is not None and lim.max is not None else None
