"""Scenario files: accounts, credentials and devices with their initial states."""

from __future__ import annotations

from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any

import voluptuous as vol
import yaml


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Scenario:
    vendor: str
    name: str
    data: dict[str, Any]  # validated by the vendor's schema
    source: Path | None = None


def _describe(error: vol.Invalid) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path).lstrip(".")
    return f"{where or '(top level)'}: {error.msg}"


def parse_scenario(
    raw: Any, schema: vol.Schema, vendor: str, source: Path | None = None
) -> Scenario:
    """Validate already-parsed scenario data against the vendor's schema."""
    label = str(source) if source else "scenario"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{label}: the top level must be a mapping")
    declared = raw.get("vendor", vendor)
    if declared != vendor:
        raise ScenarioError(f"{label}: written for vendor {declared!r}, not {vendor!r}")
    body = {k: v for k, v in raw.items() if k != "vendor"}
    try:
        data = schema(body)
    except vol.MultipleInvalid as err:
        problems = "\n  ".join(sorted(_describe(e) for e in err.errors))
        raise ScenarioError(f"{label} is not a valid {vendor} scenario:\n  {problems}") from err
    except vol.Invalid as err:
        raise ScenarioError(f"{label} is not a valid {vendor} scenario: {_describe(err)}") from err
    name = str(data.get("name") or (source.stem if source else vendor))
    return Scenario(vendor=vendor, name=name, data=data, source=source)


def load_scenario(path: Path, schema: vol.Schema, vendor: str) -> Scenario:
    """Read a YAML or JSON scenario file and validate it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read scenario ({err.strerror})") from err
    try:
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        raise ScenarioError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {err}") from err
    return parse_scenario(raw, schema, vendor, path)
