"""services.yaml (what the UI offers) and the action's schema (what it takes) agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import voluptuous as vol
import yaml

import custom_components.harvia as integration
from custom_components.harvia.const import SERVICE_START_SESSION
from custom_components.harvia.services import START_SESSION_SCHEMA


def _range(validator: Any) -> tuple[float, float] | None:
    for inner in getattr(validator, "validators", [validator]):
        if isinstance(inner, vol.Range):
            return (inner.min, inner.max)
    return None


def test_services_yaml_and_schema_agree() -> None:
    services = yaml.safe_load((Path(integration.__file__).parent / "services.yaml").read_text())
    fields = services[SERVICE_START_SESSION]["fields"]
    schema = {
        str(marker): (marker, validator) for marker, validator in START_SESSION_SCHEMA.items()
    }
    assert set(fields) == set(schema)
    for name, field in fields.items():
        marker, validator = schema[name]
        assert field.get("required", False) is isinstance(marker, vol.Required), name
        number = field["selector"].get("number")
        shown = (number["min"], number["max"]) if number else None
        assert shown == _range(validator), name
