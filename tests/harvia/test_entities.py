"""Every platform's entities and states, per kind of device (syrupy snapshots)."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.harvia import PLATFORMS

from .conftest import SetUp


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "scenario",
    ["xenio_steamer.yaml", "fenix_two_cabins.yaml", "sauna_sensor.yaml", "live_shapes.yaml"],
)
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_entities(
    hass: HomeAssistant,
    setup_integration: SetUp,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    with patch("custom_components.harvia.PLATFORMS", [platform]):
        entry = await setup_integration()
    if not er.async_entries_for_config_entry(entity_registry, entry.entry_id):
        assert (platform, entry.title) in {
            (p, "sensor@harvia.example")
            for p in PLATFORMS
            if p not in (Platform.SENSOR, Platform.BINARY_SENSOR)
        }
        return
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


@pytest.mark.parametrize("scenario", ["fenix_two_cabins.yaml"])
async def test_devices_of_a_two_cabin_controller(
    hass: HomeAssistant,
    setup_integration: SetUp,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    entry = await setup_integration()
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    controller = next(d for d in devices if d.via_device_id is None)
    cabins = sorted(
        (d for d in devices if d.via_device_id == controller.id), key=lambda d: d.name or ""
    )
    assert [d.name for d in cabins] == ["Sauna", "Steam room"]
    assert (controller.name, controller.model, controller.serial_number, controller.sw_version) == (
        "Villa sauna",
        "Fenix",
        "2513005304",
        "4.18.2",
    )
    assert devices == snapshot
