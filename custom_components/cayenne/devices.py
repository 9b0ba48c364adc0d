"""The device registry's view of an account: a device per thing (child things via their
parent) and one for the account itself, which carries the rules."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo

from .api import Thing
from .const import DOMAIN, MANUFACTURER


def account_key(entry: ConfigEntry) -> str:
    """The identifier of the account's own device."""
    return f"account_{entry.unique_id}"


def thing_info(thing: Thing) -> DeviceInfo:
    info = DeviceInfo(
        identifiers={(DOMAIN, thing.thing_id)},
        name=thing.name or thing.thing_id,
        manufacturer=MANUFACTURER,
        model=thing.device_type_id,
        serial_number=thing.hardware_id,
    )
    if thing.parent_id:
        info["via_device"] = (DOMAIN, thing.parent_id)
    return info


def account_info(entry: ConfigEntry) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, account_key(entry))},
        name="Cayenne rules",
        manufacturer=MANUFACTURER,
        model="Cayenne account",
        model_id=entry.title,
        entry_type=DeviceEntryType.SERVICE,
    )


@callback
def async_register_devices(
    hass: HomeAssistant,
    entry: ConfigEntry,
    things: Iterable[Thing],
    registered: dict[str, DeviceInfo],
) -> None:
    """Register the things whose device is new or changed (`registered` remembers what was
    registered), parents before their children, so that every `via_device` exists when its
    child's entities are added (platforms add entities in no particular order)."""
    registry = dr.async_get(hass)
    if not registered:
        registry.async_get_or_create(config_entry_id=entry.entry_id, **account_info(entry))
    things = list(things)
    for gone in registered.keys() - {thing.thing_id for thing in things}:
        del registered[gone]  # its device goes as stale; if it comes back, it is new again
    pending = {
        thing.thing_id: (thing, info)
        for thing in things
        if registered.get(thing.thing_id) != (info := thing_info(thing))
    }
    while pending:
        ready = [
            (thing, info)
            for thing, info in pending.values()
            if thing.parent_id is None or thing.parent_id not in pending
        ] or list(pending.values())  # a parent cycle (garbled parent ids): all at once
        for thing, info in ready:
            registered[thing.thing_id] = info
            device = DeviceInfo(**info)
            if thing.parent_id and registry.async_get_device({(DOMAIN, thing.parent_id)}) is None:
                device.pop("via_device")  # a parent outside the account's list, or in a cycle
            registry.async_get_or_create(config_entry_id=entry.entry_id, **device)
            del pending[thing.thing_id]
