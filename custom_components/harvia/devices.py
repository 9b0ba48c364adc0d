"""Devices in Home Assistant: a controller per sauna, a device per cabin where there are several."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

from .api import Device
from .const import DOMAIN
from .data import CabinData, HarviaData

MANUFACTURER = "Harvia"
# Home Assistant's default dashboard groups devices by area: without one, saunas would show
# only under their entity domains.
SUGGESTED_AREA = "Sauna"


def controller_info(device: Device) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, device.device_id)},
        name=device.name or device.device_id,
        manufacturer=MANUFACTURER,
        model=device.model,
        model_id=device.declared_type,
        serial_number=device.serial_number,
        sw_version=device.firmware,
        hw_version=device.hardware_version,
        suggested_area=SUGGESTED_AREA,
    )


def cabin_info(data: HarviaData, cabin: CabinData) -> DeviceInfo:
    """Cabins of a multi-cabin controller are devices of their own, via the controller."""
    if not data.multi_cabin(cabin.device.device_id):
        return controller_info(cabin.device)
    device, model = cabin.device, cabin.device.model
    return DeviceInfo(
        identifiers={(DOMAIN, f"{device.device_id}/{cabin.cabin_id}")},
        name=cabin.name,
        manufacturer=MANUFACTURER,
        model=f"{model} cabin {cabin.cabin_id}" if model else f"Cabin {cabin.cabin_id}",
        via_device=(DOMAIN, device.device_id),
        suggested_area=cabin.name,  # each cabin its own room: "Sauna", "Steam room"
    )


def register_controllers(hass: HomeAssistant, entry_id: str, devices: Iterable[Device]) -> None:
    """Create controller devices first so cabin devices can refer to them."""
    registry = dr.async_get(hass)
    for device in devices:
        registry.async_get_or_create(config_entry_id=entry_id, **controller_info(device))
