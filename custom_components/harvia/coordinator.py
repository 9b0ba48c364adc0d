"""One coordinator per MyHarvia account: REST polling plus the AppSync push feed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
import logging
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    CabinState,
    Device,
    HarviaAuthError,
    HarviaClient,
    HarviaConnectionError,
    HarviaPush,
    HarviaResponseError,
    MeasurementUpdate,
    StateUpdate,
    Telemetry,
)
from .const import (
    CONF_REFRESH_TOKEN,
    DOMAIN,
    FALLBACK_INTERVAL,
    PARALLEL_REQUESTS,
    SENSOR_CABIN,
    WATCHDOG_CHECK,
    WATCHDOG_INTERVAL,
)
from .data import CabinData, HarviaData
from .devices import register_controllers

_LOGGER = logging.getLogger(__name__)

type HarviaConfigEntry = ConfigEntry[HarviaRuntimeData]


@dataclass(slots=True)
class HarviaRuntimeData:
    client: HarviaClient
    coordinator: HarviaCoordinator


class HarviaCoordinator(DataUpdateCoordinator[HarviaData]):
    """Polls the account and applies push notices; push wins over an older poll."""

    config_entry: HarviaConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HarviaConfigEntry, client: HarviaClient) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=FALLBACK_INTERVAL,
        )
        self.client = client
        self.push: HarviaPush | None = None
        self._last_poll = dt_util.utc_from_timestamp(0)
        self._new_device_callbacks: list[Callable[[list[CabinData]], None]] = []
        self._pending_new: list[CabinData] = []  # added once the data holding them is in place
        self._warned_unreadable: set[str] = set()
        self.data = HarviaData()

    # --- polling ----------------------------------------------------------------------------------
    async def _async_update_data(self) -> HarviaData:
        started = time.monotonic()
        try:
            devices = await self.client.async_get_devices()
            polled = await self._poll_cabins(devices)
        except HarviaAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except HarviaConnectionError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        self._last_poll = dt_util.utcnow()
        self._save_refresh_token()
        return self._merge(devices, polled, started)

    async def _poll_cabins(self, devices: list[Device]) -> list[CabinData]:
        limit = asyncio.Semaphore(PARALLEL_REQUESTS)

        async def fetch(device: Device, cabin_id: str) -> CabinData | None:
            cabin = CabinData(device, cabin_id)
            async with limit:
                try:
                    cabin.state = await self.client.async_get_state(
                        device.device_id, cabin.api_cabin
                    )
                    if not device.is_sensor:
                        cabin.telemetry = await self.client.async_get_latest(
                            device.device_id, cabin.api_cabin
                        )
                except HarviaResponseError as err:
                    # One unreadable sauna must not take the others down with it.
                    if device.device_id not in self._warned_unreadable:
                        self._warned_unreadable.add(device.device_id)
                        _LOGGER.warning(
                            "Skipping unreadable data of sauna %s: %s", device.device_id, err
                        )
                    return None
            return cabin

        jobs = [
            fetch(device, cabin_id)
            for device in devices
            for cabin_id in (
                [SENSOR_CABIN] if device.is_sensor else device.cabin_ids_from_stats() or ["C1"]
            )
        ]
        return [cabin for cabin in await asyncio.gather(*jobs) if cabin is not None]

    def _merge(self, devices: list[Device], polled: list[CabinData], started: float) -> HarviaData:
        previous = self.data.cabins
        cabins: dict[tuple[str, str], CabinData] = {}
        for cabin in polled:
            old = previous.get(cabin.key)
            if old is not None and old.pushed_at > started:
                # A push arrived while this poll was running: it is fresher than the poll.
                cabins[cabin.key] = replace(old, device=cabin.device)
            else:
                cabins[cabin.key] = cabin
        for key, old in previous.items():  # keep last known data of a sauna that was unreadable
            if key not in cabins and any(d.device_id == key[0] for d in devices):
                cabins[key] = old
        data = HarviaData({d.device_id: d for d in devices}, cabins)
        self._handle_device_changes(data)
        return data

    def _handle_device_changes(self, data: HarviaData) -> None:
        known = set(self.data.cabins)
        new = [cabin for key, cabin in data.cabins.items() if key not in known]
        register_controllers(
            self.hass,
            self.config_entry.entry_id,
            {c.device.device_id: c.device for c in new}.values(),
        )
        if new and self.data.devices:  # not on the first refresh: platforms add those themselves
            self._pending_new.extend(new)
        gone = set(self.data.devices) - set(data.devices)
        if gone:
            registry = dr.async_get(self.hass)
            for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
                if any(
                    ident[0] == DOMAIN and ident[1].split("/")[0] in gone
                    for ident in device.identifiers
                ):
                    registry.async_update_device(
                        device.id, remove_config_entry_id=self.config_entry.entry_id
                    )
        if self.push is not None:
            self.push.set_devices(data.devices)

    def _save_refresh_token(self) -> None:
        token = self.client.refresh_token
        if token and token != self.config_entry.data.get(CONF_REFRESH_TOKEN):
            self.hass.config_entries.async_update_entry(
                self.config_entry, data={**self.config_entry.data, CONF_REFRESH_TOKEN: token}
            )

    @callback
    def async_update_listeners(self) -> None:
        """Runs right after new data is stored: add entities for new saunas first."""
        if self._pending_new:
            new, self._pending_new = self._pending_new, []
            for add in self._new_device_callbacks:
                add(new)
        super().async_update_listeners()

    @callback
    def async_add_device_listener(
        self, add: Callable[[list[CabinData]], None]
    ) -> Callable[[], None]:
        """Call `add(cabins)` when saunas appear in the account."""
        self._new_device_callbacks.append(add)
        return lambda: self._new_device_callbacks.remove(add)

    # --- push -----------------------------------------------------------------------------------
    @callback
    def async_start_push(self, push: HarviaPush) -> None:
        self.push = push
        push.set_devices(self.data.devices)
        self.config_entry.async_on_unload(
            async_track_time_interval(self.hass, self._async_watchdog, WATCHDOG_CHECK)
        )

    async def _async_watchdog(self, _now: datetime) -> None:
        """Pushes re-arm the poll timer; make sure a full resync still happens regularly."""
        if dt_util.utcnow() - self._last_poll > WATCHDOG_INTERVAL:
            await self.async_request_refresh()

    @callback
    def async_push_connection(self, connected: bool) -> None:
        """Slow watchdog polling while push works; regular polling while it does not."""
        self.update_interval = WATCHDOG_INTERVAL if connected else FALLBACK_INTERVAL
        if connected:
            _LOGGER.info("Harvia push connected; polling every %s as a watchdog", WATCHDOG_INTERVAL)
        else:
            _LOGGER.info("Harvia push unavailable; polling every %s", FALLBACK_INTERVAL)
        # Resync at once: whatever happened while push was down, or since the last poll.
        self.hass.async_create_task(self.async_request_refresh())

    @callback
    def async_push_state(self, update: StateUpdate) -> None:
        cabin = self._cabin_for(update.device_id, update.cabin.cabin_id)
        if cabin is None:
            return
        new_state: CabinState = update.cabin
        old = cabin.state
        if (
            old is not None
            and old.version is not None
            and new_state.version is not None
            and new_state.version < old.version
        ):
            return  # an older notice overtaken by a newer one
        if not new_state.raw and old is not None:
            new_state = replace(old, connected=new_state.connected)  # offline with nothing to show
        cabin.state = new_state
        cabin.pushed_at = time.monotonic()
        self.async_set_updated_data(self.data)

    @callback
    def async_push_measurement(self, update: MeasurementUpdate) -> None:
        cabin = self._cabin_for(update.device_id, update.telemetry.cabin_id)
        if cabin is None:
            return
        current: Telemetry | None = cabin.telemetry
        stamp, old_stamp = update.telemetry.timestamp, current.timestamp if current else None
        if stamp is not None and old_stamp is not None and stamp < old_stamp:
            return
        cabin.telemetry = update.telemetry
        cabin.pushed_at = time.monotonic()
        self.async_set_updated_data(self.data)

    def _cabin_for(self, device_id: str, cabin_id: str | None) -> CabinData | None:
        """The cabin a notice is about; a notice that names none fits only a one-cabin device
        (guessing among several would show one cabin's values on another)."""
        device = self.data.devices.get(device_id)
        if device is None:
            return None
        if device.is_sensor:
            return self.data.cabins.get((device_id, SENSOR_CABIN))
        if cabin_id is None:
            cabins = self.data.cabins_of(device_id)
            return cabins[0] if len(cabins) == 1 else None
        return self.data.cabins.get((device_id, cabin_id))

    # --- for diagnostics ----------------------------------------------------------------------
    def push_status(self) -> dict[str, Any]:
        push = self.push
        return {
            "connected": bool(push and push.connected),
            "connects": push.connects if push else 0,
            "update_interval_s": self.update_interval.total_seconds()
            if self.update_interval
            else None,
        }
