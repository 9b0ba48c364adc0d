"""The push-fed polling coordinator that every integration here follows (docs/integrations.md).

One source for every integration (common/ in the repository; scripts/sync_common.py copies it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator


class PushPollCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """Polls every `fallback_interval` while push is down and every `watchdog_interval` (a slow
    watchdog and resync) while it works.

    The integration's data module applies a push to `self.data` in place; the coordinator then
    announces it with `async_push_applied(keys)`, so that only the entities of those keys write
    their state and the poll timer keeps its schedule (`async_set_updated_data` would write every
    entity and re-arm the timer, which a busy push feed would then keep from ever firing).
    """

    config_entry: ConfigEntry
    # Poll once more when push first comes up: a feed that sends only changes would miss what
    # changed between the setup poll and the subscription. Off where requests are scarce.
    resync_on_first_connect = True
    # Entities stay available on push alone while polls fail: they must hear when it changes.
    availability_rests_on_push = False

    def __init__(
        self,
        hass: HomeAssistant,
        logger: logging.Logger,
        *,
        config_entry: ConfigEntry,
        name: str,
        fallback_interval: timedelta,
        watchdog_interval: timedelta,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            hass,
            logger,
            config_entry=config_entry,
            name=name,
            update_interval=fallback_interval,
            **kwargs,
        )
        self.fallback_interval = fallback_interval
        self.watchdog_interval = watchdog_interval
        self.push_connected = False
        self.push_connects = 0
        self._logged_unavailable: set[Hashable] = set()

    # --- push --------------------------------------------------------------------------------
    @callback
    def async_push_connection(self, connected: bool) -> None:
        """Push came up or went down: switch the poll interval and resync."""
        if connected == self.push_connected:
            return
        self.push_connected = connected
        if connected:
            self.push_connects += 1
            self.update_interval = self.watchdog_interval
            self.logger.info(
                "%s: live updates connected; polling every %s as a watchdog",
                self.name,
                self.watchdog_interval,
            )
        else:
            self.update_interval = self.fallback_interval
            self.logger.info(
                "%s: live updates lost; polling every %s", self.name, self.fallback_interval
            )
        if self.availability_rests_on_push and not self.last_update_success:
            self.async_update_listeners()
        if not connected and (
            self.hass.is_stopping or self.config_entry.state is ConfigEntryState.UNLOAD_IN_PROGRESS
        ):
            return  # going away: no resync (its session may already be closed)
        if connected and self.push_connects == 1 and not self.resync_on_first_connect:
            # Setup has just polled: show the new push status, and re-arm the poll timer, which
            # still runs on the fallback interval it was set with.
            self.async_set_updated_data(self.data)
            return
        # Whatever happened while push was away (or since the last poll, for a feed that sends
        # only changes) comes with a poll now; it re-arms the timer on the new interval.
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), f"{self.name} resync"
        )

    def push_signal(self, key: Hashable) -> str:
        """The dispatcher signal by which a push reaches the entities of `key`."""
        return f"{self.config_entry.domain}_{self.config_entry.entry_id}_push_{key}"

    @callback
    def async_push_applied(self, keys: Iterable[Hashable]) -> None:
        """A push changed the data of `keys` in place: their entities write their state."""
        for key in set(keys):
            async_dispatcher_send(self.hass, self.push_signal(key))

    # --- devices -------------------------------------------------------------------------------
    @callback
    def async_log_availability(self, key: Hashable, name: str, available: bool) -> None:
        """Log once when a device's data is lost and once when it is back."""
        if not available and key not in self._logged_unavailable:
            self._logged_unavailable.add(key)
            self.logger.info("%s is unavailable: its data could not be read", name)
        elif available and key in self._logged_unavailable:
            self._logged_unavailable.discard(key)
            self.logger.info("%s is back online", name)

    @callback
    def async_remove_stale_devices(self, current: set[str]) -> None:
        """Remove this entry's devices none of whose identifiers is still in the account, also
        those removed while Home Assistant was stopped."""
        registry = dr.async_get(self.hass)
        domain = self.config_entry.domain
        for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
            ours = {identifier for owner, identifier in device.identifiers if owner == domain}
            if ours and not ours & current:
                self.logger.info("Removing %s: it is no longer in the account", device.name)
                registry.async_update_device(
                    device.id, remove_config_entry_id=self.config_entry.entry_id
                )


class PushPollEntity[CoordinatorT: PushPollCoordinator[Any]](CoordinatorEntity[CoordinatorT]):
    """Writes its state after every poll and after every push that concerns its `push_key`."""

    push_key: Hashable

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                self.coordinator.push_signal(self.push_key),
                self._handle_coordinator_update,
            )
        )


@callback
def async_add_new_devices[KeyT: Hashable](
    coordinator: DataUpdateCoordinator[Any],
    current: Callable[[], Iterable[KeyT]],
    add: Callable[[list[KeyT]], None],
) -> None:
    """Call `add(keys)` for the devices there are now, and after every poll for those the
    platform has not added yet (Home Assistant's dynamic-devices pattern: a platform-side
    listener that compares against what it already added). A device that left and came back is
    added again."""
    added: set[KeyT] = set()

    @callback
    def add_new() -> None:
        keys = list(current())
        added.intersection_update(keys)
        new = [key for key in keys if key not in added]
        if new:
            added.update(new)
            add(new)

    add_new()
    assert coordinator.config_entry is not None
    coordinator.config_entry.async_on_unload(coordinator.async_add_listener(add_new))
