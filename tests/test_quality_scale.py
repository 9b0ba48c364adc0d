"""quality_scale.yaml stays honest: hassfest does not check it for custom integrations, so we do.

Every rule of Home Assistant's Integration Quality Scale is listed with done, todo or exempt
(todo and exempt with the reason), the manifest claims no tier above what is met, and the rules
that code can show are checked against the code.
"""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
import re

import pytest
import yaml

ROOT = Path(__file__).parents[1]
INTEGRATIONS = sorted(p.parent for p in (ROOT / "custom_components").glob("*/manifest.json"))

TIERS: dict[str, tuple[str, ...]] = {
    "bronze": (
        "action-setup", "appropriate-polling", "brands", "common-modules",
        "config-flow-test-coverage", "config-flow", "dependency-transparency", "docs-actions",
        "docs-high-level-description", "docs-installation-instructions",
        "docs-removal-instructions", "entity-event-setup", "entity-unique-id", "has-entity-name",
        "runtime-data", "test-before-configure", "test-before-setup", "unique-config-entry",
    ),
    "silver": (
        "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
        "docs-installation-parameters", "entity-unavailable", "integration-owner",
        "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    ),
    "gold": (
        "devices", "diagnostics", "discovery-update-info", "discovery", "docs-data-update",
        "docs-examples", "docs-known-limitations", "docs-supported-devices",
        "docs-supported-functions", "docs-troubleshooting", "docs-use-cases", "dynamic-devices",
        "entity-category", "entity-device-class", "entity-disabled-by-default",
        "entity-translations", "exception-translations", "icon-translations",
        "reconfiguration-flow", "repair-issues", "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}  # fmt: skip
PLATFORM_MODULES = (
    "alarm_control_panel", "binary_sensor", "climate", "device_tracker", "light", "number",
    "select", "sensor", "switch", "text",
)  # fmt: skip


def rules_of(integration: Path) -> dict[str, dict[str, str]]:
    raw = yaml.safe_load((integration / "quality_scale.yaml").read_text())["rules"]
    return {
        name: value if isinstance(value, dict) else {"status": value} for name, value in raw.items()
    }


def source(integration: Path, name: str) -> str:
    path = integration / name
    return path.read_text() if path.is_file() else ""


def platforms(integration: Path) -> list[Path]:
    return [integration / f"{name}.py" for name in PLATFORM_MODULES if (integration / f"{name}.py").is_file()]  # fmt: skip


# What the code must show for a rule marked done.
CODE_CHECKS: dict[str, Callable[[Path], bool]] = {
    "config-flow": lambda i: "ConfigFlow" in source(i, "config_flow.py"),
    "reauthentication-flow": lambda i: "async_step_reauth" in source(i, "config_flow.py"),
    "reconfiguration-flow": lambda i: "async_step_reconfigure" in source(i, "config_flow.py"),
    "diagnostics": lambda i: "async_get_config_entry_diagnostics" in source(i, "diagnostics.py"),
    "icon-translations": lambda i: (i / "icons.json").is_file(),
    "brands": lambda i: (i / "brand" / "icon.png").is_file(),
    "runtime-data": lambda i: "runtime_data" in source(i, "__init__.py")
    and "hass.data[DOMAIN]" not in source(i, "__init__.py"),
    "parallel-updates": lambda i: all(
        re.search(r"^PARALLEL_UPDATES = \d+$", p.read_text(), re.MULTILINE) for p in platforms(i)
    ),
    "has-entity-name": lambda i: "_attr_has_entity_name = True" in source(i, "entity.py"),
    "entity-unique-id": lambda i: "_attr_unique_id" in source(i, "entity.py"),
    "config-entry-unloading": lambda i: "async_unload_entry" in source(i, "__init__.py"),
    "strict-typing": lambda i: (i / "api").is_dir(),  # scripts/lint runs mypy --strict on it
    "inject-websession": lambda i: "async_get_clientsession"
    in source(i, "client_factory.py") + source(i, "coordinator.py"),
    "dynamic-devices": lambda i: "async_add_new_devices" in source(i, "entity.py"),
    "stale-devices": lambda i: "async_remove_stale_devices" in source(i, "coordinator.py"),
}


@pytest.mark.parametrize("integration", INTEGRATIONS, ids=lambda p: p.name)
def test_every_rule_has_an_honest_status(integration: Path) -> None:
    rules = rules_of(integration)
    assert set(rules) == {rule for tier in TIERS.values() for rule in tier}
    for name, rule in rules.items():
        assert rule["status"] in ("done", "todo", "exempt"), name
        if rule["status"] != "done":
            assert rule.get("comment", "").strip(), f"{name} is {rule['status']} without a reason"
        elif name in CODE_CHECKS:
            assert CODE_CHECKS[name](integration), f"{name} is done, but the code does not show it"


@pytest.mark.parametrize("integration", INTEGRATIONS, ids=lambda p: p.name)
def test_the_manifest_claims_no_tier_above_what_is_met(integration: Path) -> None:
    rules = rules_of(integration)
    met = None
    for tier, names in TIERS.items():
        if any(rules[name]["status"] == "todo" for name in names):
            break
        met = tier
    claimed = json.loads((integration / "manifest.json").read_text()).get("quality_scale")
    if claimed is not None:
        order = list(TIERS)
        assert met is not None
        assert order.index(claimed) <= order.index(met), f"claims {claimed}, meets {met}"
