"""Finding rule sets: the shipped ones by name, a user's by YAML path (with ``extends``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from identigraph.errors import UsageError
from identigraph.rules.model import RuleSet

DEFAULT_RULESET = "klaviyo-sms"


def shipped_names() -> list[str]:
    """Names of the rule sets shipped with identigraph."""
    folder = resources.files("identigraph.rules") / "shipped"
    names = (p.name for p in folder.iterdir())
    return sorted(n.removesuffix(".yaml") for n in names if n.endswith(".yaml"))


def _shipped_data(name: str) -> dict[str, Any]:
    path = resources.files("identigraph.rules") / "shipped" / f"{name}.yaml"
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_data(data: dict[str, Any], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if parent in seen:
        raise UsageError(f"rule set `extends` loops through {parent!r}")
    if parent not in shipped_names():
        raise UsageError(f"rule set extends unknown rule set {parent!r}")
    merged = _deep_merge(_resolve_data(_shipped_data(parent), (*seen, parent)), data)
    if isinstance(data.get("identifiers"), list):
        # a rule set listing its own identifiers replaces the list: the inherited limits of
        # the kinds it leaves out go with them (its own limits are checked as written)
        kept = {k.get("name") for k in data["identifiers"] if isinstance(k, dict)}
        own = data.get("limits") or {}
        merged["limits"] = {k: v for k, v in (merged.get("limits") or {}).items()
                            if k in kept or k in own}
    return merged


def parse_ruleset(data: dict[str, Any], origin: str) -> RuleSet:
    """Validate rule-set data; a problem becomes a one-line UsageError naming the field."""
    try:
        return RuleSet.model_validate(_resolve_data(dict(data)))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise UsageError(f"rule set {origin}: {where}: {first['msg']}") from exc


def load_ruleset(name_or_path: str | None) -> RuleSet:
    """A shipped rule set by name, or a user's YAML file by path."""
    name = name_or_path or DEFAULT_RULESET
    if name in shipped_names():
        return parse_ruleset(_shipped_data(name), name)
    path = Path(name)
    if not path.is_file():
        known = ", ".join(shipped_names())
        raise UsageError(f"unknown rule set {name!r} (shipped: {known}; or give a YAML file path)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise UsageError(f"cannot read rule set {path}: {why}") from exc
    if not isinstance(data, dict):
        raise UsageError(f"rule set {path}: expected a mapping at the top")
    return parse_ruleset(data, str(path))
