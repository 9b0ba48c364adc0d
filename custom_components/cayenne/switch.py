"""Switches: digital actuators, relays, valves and light switches; and the account's rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import (
    SwitchDeviceClass,
    SwitchEntity,
    SwitchEntityDescription,
)
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Channel, DataType, Rule, Thing
from .coordinator import CayenneConfigEntry, CayenneCoordinator
from .devices import account_info
from .entity import (
    CayenneChannelDescription,
    CayenneChannelEntity,
    CayenneEntity,
    async_add_channel_entities,
    describe,
    reported_on,
)
from .pushpoll import async_add_new_devices

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class CayenneSwitchDescription(CayenneChannelDescription[bool | None], SwitchEntityDescription):
    """A digital actuator channel."""


def _switch(data_type: DataType, **fields: Any) -> CayenneSwitchDescription:
    return CayenneSwitchDescription(
        key=data_type.value,
        translation_key=data_type.value,
        exists_fn=lambda channel: channel.data_type is data_type,
        value_fn=reported_on,
        **fields,
    )


SWITCHES: tuple[CayenneSwitchDescription, ...] = (
    _switch(DataType.RELAY, device_class=SwitchDeviceClass.SWITCH),
    _switch(DataType.SWITCH, device_class=SwitchDeviceClass.SWITCH),
    _switch(DataType.VALVE, device_class=SwitchDeviceClass.SWITCH),
    _switch(DataType.LIGHT_SWITCH, device_class=SwitchDeviceClass.SWITCH),
)
DIGITAL_OUTPUT = _switch(DataType.DIGITAL_ACTUATOR, device_class=SwitchDeviceClass.SWITCH)
RULE = SwitchEntityDescription(
    key="rule", translation_key="rule", entity_category=EntityCategory.CONFIG
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CayenneConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator

    def create(coordinator: CayenneCoordinator, thing: Thing, channel: Channel) -> SwitchEntity:
        description = describe(channel, SWITCHES, DIGITAL_OUTPUT)
        return CayenneSwitch(coordinator, thing, channel, description)

    async_add_channel_entities(coordinator, Platform.SWITCH, async_add_entities, create)
    async_add_new_devices(
        coordinator,
        lambda: coordinator.data.rules,
        lambda rule_ids: async_add_entities(
            CayenneRuleSwitch(coordinator, coordinator.data.rules[rule_id]) for rule_id in rule_ids
        ),
    )


class CayenneSwitch(CayenneChannelEntity[bool | None], SwitchEntity):
    entity_description: CayenneSwitchDescription

    @property
    def is_on(self) -> bool | None:
        return self.reported

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.async_command(1)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.async_command(0)


class CayenneRuleSwitch(CayenneEntity, SwitchEntity):
    """Enables and disables one of the account's rules (its triggers stay in Cayenne)."""

    entity_description = RULE

    def __init__(self, coordinator: CayenneCoordinator, rule: Rule) -> None:
        super().__init__(coordinator, coordinator.account_key)
        self.rule_id = rule.rule_id
        self._attr_unique_id = f"{coordinator.config_entry.unique_id}_rule_{rule.rule_id}"
        self._attr_device_info = account_info(coordinator.config_entry)
        if rule.title:
            self._attr_name = rule.title
        else:
            self._attr_translation_placeholders = {"rule": rule.rule_id}

    @property
    def available(self) -> bool:
        return super().available and self.rule_id in self.coordinator.data.rules

    @property
    def is_on(self) -> bool | None:
        rule = self.coordinator.data.rules.get(self.rule_id)
        return None if rule is None else rule.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.coordinator.async_set_rule_enabled(self.rule_id, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.coordinator.async_set_rule_enabled(self.rule_id, False)
