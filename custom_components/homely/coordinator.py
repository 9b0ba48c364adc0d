"""One coordinator per home: REST polling plus the Socket.IO feed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import logging
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    AlarmEvent,
    Device,
    DeviceEvent,
    Event,
    HomelyAccessError,
    HomelyAuthError,
    HomelyClient,
    HomelyConnectionError,
    HomelyPush,
    HomelyRateLimitError,
)
from .const import (
    CONF_LOCATION_ID,
    DOMAIN,
    FALLBACK_INTERVAL,
    WATCHDOG_INTERVAL,
)
from .data import HomelyData

_LOGGER = logging.getLogger(__name__)

type HomelyConfigEntry = ConfigEntry[HomelyRuntimeData]


@dataclass(slots=True)
class HomelyRuntimeData:
    client: HomelyClient
    coordinator: HomelyCoordinator


class HomelyCoordinator(DataUpdateCoordinator[HomelyData]):
    """Polls one home and applies its events; the newest `lastUpdated` wins."""

    config_entry: HomelyConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HomelyConfigEntry, client: HomelyClient) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=FALLBACK_INTERVAL,
            # Events for unknown devices ask for a poll; a burst of them must not become a burst
            # of requests.
            request_refresh_debouncer=Debouncer(hass, _LOGGER, cooldown=10.0, immediate=True),
        )
        self.client = client
        self.location_id: str = entry.data[CONF_LOCATION_ID]
        self.push: HomelyPush | None = None
        self._alarm_pushed_at = 0.0
        self._warned_unreadable: set[str] = set()
        self._new_device_callbacks: list[Callable[[list[Device]], None]] = []
        self._pending_new: list[Device] = []

    # --- polling ----------------------------------------------------------------------------------
    async def _async_update_data(self) -> HomelyData:
        started = time.monotonic()
        try:
            home = await self.client.async_get_home(self.location_id)
        except HomelyAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except HomelyAccessError as err:
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="no_access") from err
        except HomelyRateLimitError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"seconds": f"{err.retry_after:.0f}"},
                retry_after=err.retry_after,
            ) from err
        except HomelyConnectionError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        for reason in set(home.skipped) - self._warned_unreadable:
            self._warned_unreadable.add(reason)
            _LOGGER.warning("Skipping an unreadable Homely device: %s", reason)
        current: HomelyData | None = self.data
        if current is None:  # the first poll
            return HomelyData(home, home.alarm_state)
        data = current.merge_poll(
            home,
            alarm_pushed_meanwhile=self._alarm_pushed_at > started,
            push_connected=self.push_connected,
        )
        self._handle_device_changes(data)
        return data

    def _handle_device_changes(self, data: HomelyData) -> None:
        known = self.data.home.devices
        new = [device for key, device in data.home.devices.items() if key not in known]
        self._pending_new.extend(new)
        gone = set(known) - set(data.home.devices)
        if not gone:
            return
        registry = dr.async_get(self.hass)
        for entry in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
            if any(ident[0] == DOMAIN and ident[1] in gone for ident in entry.identifiers):
                _LOGGER.info("Removing %s: it is no longer in the Homely home", entry.name)
                registry.async_update_device(
                    entry.id, remove_config_entry_id=self.config_entry.entry_id
                )

    @callback
    def async_update_listeners(self) -> None:
        """Runs right after new data is stored: add entities for new devices first."""
        if self._pending_new:
            new, self._pending_new = self._pending_new, []
            for add in self._new_device_callbacks:
                add(new)
        super().async_update_listeners()

    @callback
    def async_add_device_listener(self, add: Callable[[list[Device]], None]) -> Callable[[], None]:
        """Call `add(devices)` when devices appear in the home."""
        self._new_device_callbacks.append(add)
        return lambda: self._new_device_callbacks.remove(add)

    # --- push -------------------------------------------------------------------------------------
    @callback
    def async_start_push(self, push: HomelyPush) -> None:
        self.push = push

    @property
    def push_connected(self) -> bool:
        return self.push is not None and self.push.connected

    @property
    def has_fresh_data(self) -> bool:
        """A failed watchdog poll (a 429, say) does not make data stale while events flow."""
        return self.last_update_success or self.push_connected

    @callback
    def async_push_connection(self, connected: bool) -> None:
        """Slow watchdog polling while the socket works; regular polling while it does not."""
        self.update_interval = WATCHDOG_INTERVAL if connected else FALLBACK_INTERVAL
        if connected:
            _LOGGER.info(
                "Homely socket connected; polling every %s as a watchdog", WATCHDOG_INTERVAL
            )
            # Resync what happened while the socket was away (not at the very first connect:
            # setup has just polled).
            if self.push is not None and self.push.connects > 1:
                self.config_entry.async_create_task(self.hass, self.async_request_refresh())
        else:
            _LOGGER.info("Homely socket disconnected; polling every %s", FALLBACK_INTERVAL)
            self._schedule_refresh()
        self.async_update_listeners()

    @callback
    def async_push_event(self, event: Event) -> None:
        if isinstance(event, AlarmEvent):
            if event.home_id != self.location_id:
                return
            received = time.monotonic()
            if self.data.apply_alarm_event(event, received=received):
                self._alarm_pushed_at = received
                self._async_update_context(self.location_id)
            return
        self._apply_device_event(event)

    def _apply_device_event(self, event: DeviceEvent) -> None:
        # Match on the home (rootLocationId); locationId is the device's room.
        if event.home_id is not None and event.home_id != self.location_id:
            return
        if event.device_id not in self.data.home.devices:
            _LOGGER.debug("Event for unknown Homely device %s; polling", event.device_id)
            self.config_entry.async_create_task(self.hass, self.async_request_refresh())
            return
        if self.data.apply_device_event(event):
            self._async_update_context(event.device_id)

    @callback
    def _async_update_context(self, context: str) -> None:
        """An event changed one device (or the alarm): only its entities write their state.

        Events change the coordinator's data in place. They do not go through
        `async_set_updated_data`, which would write every entity of the home for each event
        (a 200-device home has over 1000) and re-arm the watchdog poll until a busy HAN meter
        starves it.
        """
        for update_callback, listener_context in list(self._listeners.values()):
            if listener_context == context:
                update_callback()

    def push_status(self) -> dict[str, Any]:
        push = self.push
        return {
            "connected": self.push_connected,
            "connects": push.connects if push else 0,
            "events": push.events if push else 0,
            "malformed_events": push.malformed if push else 0,
            "last_exception": push.last_exception if push else None,
            "update_interval_s": self.update_interval.total_seconds()
            if self.update_interval
            else None,
        }
