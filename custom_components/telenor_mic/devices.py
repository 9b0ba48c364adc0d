"""The device registry's view of a user: a device per thing, connected via a service device
per MIC domain, so that a thing's page shows which domain it belongs to."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo

from .api import Thing, ThingType
from .const import DOMAIN, MANUFACTURER
from .data import MicData


def thing_identifier(entry_unique_id: str, thing_name: str) -> str:
    # Per entry: two users of one App Board may both see a thing, each with its own entities.
    return f"{entry_unique_id}:thing:{thing_name}"


def domain_identifier(entry_unique_id: str, domain: str) -> str:
    return f"{entry_unique_id}:domain:{domain}"


def thing_info(entry_unique_id: str, thing: Thing, thing_type: ThingType | None) -> DeviceInfo:
    info = DeviceInfo(
        identifiers={(DOMAIN, thing_identifier(entry_unique_id, thing.name))},
        name=thing.label or thing.name,
        manufacturer=MANUFACTURER,
        model=(thing_type.label if thing_type else None) or thing.thing_type,
        model_id=thing.thing_type,
        serial_number=thing.name,
    )
    if thing.domain:
        info["via_device"] = (DOMAIN, domain_identifier(entry_unique_id, thing.domain))
    return info


def domain_info(entry_unique_id: str, domain: str) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, domain_identifier(entry_unique_id, domain))},
        name=domain,
        manufacturer=MANUFACTURER,
        model="Domain",
        entry_type=DeviceEntryType.SERVICE,
    )


class DeviceRegistrar:
    """Registers the devices of new or changed things and domains (and remembers what it
    registered, so a poll of 500 unchanged things touches the registry not at all); domains
    before things, so every `via_device` exists when a thing's entities are added."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        self._hass = hass
        self._entry = entry
        self._registered: dict[str, DeviceInfo] = {}

    @property
    def unique_id(self) -> str:
        return str(self._entry.unique_id)

    def identifiers(self, data: MicData) -> set[str]:
        """The identifiers of every device the user's things need now."""
        uid = self.unique_id
        return {thing_identifier(uid, name) for name in data.things} | {
            domain_identifier(uid, state.thing.domain)
            for state in data.things.values()
            if state.thing.domain
        }

    @callback
    def async_register(self, data: MicData) -> None:
        uid = self.unique_id
        wanted: dict[str, DeviceInfo] = {}
        for state in data.things.values():
            if state.thing.domain:
                wanted[domain_identifier(uid, state.thing.domain)] = domain_info(
                    uid, state.thing.domain
                )
        for name, state in data.things.items():
            wanted[thing_identifier(uid, name)] = thing_info(
                uid, state.thing, data.thing_type(name)
            )
        for gone in self._registered.keys() - wanted.keys():
            del self._registered[gone]  # its device goes as stale; if it comes back, it is new
        registry = dr.async_get(self._hass)
        for identifier, info in wanted.items():  # domains first: dicts keep insertion order
            if self._registered.get(identifier) != info:
                self._registered[identifier] = info
                registry.async_get_or_create(config_entry_id=self._entry.entry_id, **info)
