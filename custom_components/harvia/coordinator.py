"""One coordinator per MyHarvia account: REST polling plus the AppSync push feed."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
import logging
from time import monotonic
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api import (
    Device,
    HarviaAuthError,
    HarviaClient,
    HarviaConnectionError,
    HarviaPush,
    HarviaRateLimitError,
    HarviaResponseError,
    MeasurementUpdate,
    StateUpdate,
)
from .const import (
    CONF_REFRESH_TOKEN,
    DOMAIN,
    FALLBACK_INTERVAL,
    PARALLEL_REQUESTS,
    WATCHDOG_INTERVAL,
)
from .data import CabinData, CabinReading, HarviaData, cabin_ids
from .devices import register_controllers
from .pushpoll import PushPollCoordinator

_LOGGER = logging.getLogger(__name__)

type HarviaConfigEntry = ConfigEntry[HarviaRuntimeData]


@dataclass(slots=True)
class HarviaRuntimeData:
    client: HarviaClient
    coordinator: HarviaCoordinator


class HarviaCoordinator(PushPollCoordinator[HarviaData]):
    """Polls the account; push notices go to `HarviaData`, which applies them in place."""

    config_entry: HarviaConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HarviaConfigEntry, client: HarviaClient) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            fallback_interval=FALLBACK_INTERVAL,
            watchdog_interval=WATCHDOG_INTERVAL,
        )
        self.client = client
        self.push: HarviaPush | None = None
        self._warned_unreadable: set[str] = set()
        self.data = HarviaData()

    # --- polling ----------------------------------------------------------------------------------
    async def _async_update_data(self) -> HarviaData:
        started = monotonic()
        try:
            devices = await self.client.async_get_devices()
            readings = await self._read_cabins(devices)
        except HarviaAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except HarviaRateLimitError as err:
            # The next poll comes when the cloud asked, not on the usual interval.
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
                retry_after=err.retry_after,
            ) from err
        except HarviaConnectionError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        self._save_refresh_token()
        # Pushes that arrived while the poll ran have changed self.data in place: merge now.
        data = self.data.merge_poll(readings, started, monotonic())
        register_controllers(
            self.hass,
            self.config_entry.entry_id,
            (
                device
                for device_id, device in data.devices.items()
                if device_id not in self.data.devices
            ),
        )
        self.async_remove_stale_devices(data.identifiers())
        if self.push is not None:
            self.push.set_devices(data.devices)
        self._log_availability(data.cabins.values())
        return data

    async def _read_cabins(self, devices: list[Device]) -> list[CabinReading]:
        limit = asyncio.Semaphore(PARALLEL_REQUESTS)

        async def read(device: Device, cabin_id: str) -> CabinReading:
            reading = CabinReading(device, cabin_id)
            api_cabin = None if device.is_sensor else cabin_id
            async with limit:
                try:
                    state = await self.client.async_get_state(device.device_id, api_cabin)
                    telemetry = (
                        None
                        if device.is_sensor
                        else await self.client.async_get_latest(device.device_id, api_cabin)
                    )
                except HarviaResponseError as err:
                    # One unreadable sauna must not take the others down with it.
                    if device.device_id not in self._warned_unreadable:
                        self._warned_unreadable.add(device.device_id)
                        _LOGGER.warning(
                            "Skipping unreadable data of sauna %s: %s", device.device_id, err
                        )
                    return reading
            return CabinReading(device, cabin_id, state, telemetry)

        return await asyncio.gather(
            *(read(device, cabin_id) for device in devices for cabin_id in cabin_ids(device))
        )

    def _save_refresh_token(self) -> None:
        token = self.client.refresh_token
        if token and token != self.config_entry.data.get(CONF_REFRESH_TOKEN):
            self.hass.config_entries.async_update_entry(
                self.config_entry, data={**self.config_entry.data, CONF_REFRESH_TOKEN: token}
            )

    @callback
    def _log_availability(self, cabins: Iterable[CabinData]) -> None:
        for cabin in cabins:
            self.async_log_availability(cabin.key, cabin.name, not cabin.stale)

    # --- push -----------------------------------------------------------------------------------
    @callback
    def async_start_push(self, push: HarviaPush) -> None:
        self.push = push
        push.set_devices(self.data.devices)

    @callback
    def async_push_state(self, update: StateUpdate) -> None:
        self._push_applied(self.data.apply_state(update, monotonic()))

    @callback
    def async_push_measurement(self, update: MeasurementUpdate) -> None:
        self._push_applied(self.data.apply_measurement(update, monotonic()))

    @callback
    def _push_applied(self, keys: set[Hashable]) -> None:
        if not keys:
            return
        self._log_availability(cabin for key, cabin in self.data.cabins.items() if key in keys)
        self.async_push_applied(keys)

    # --- for diagnostics ----------------------------------------------------------------------
    def push_status(self) -> dict[str, Any]:
        return {
            "connected": self.push_connected,
            "connects": self.push.connects if self.push else 0,
            "malformed_notices_skipped": self.push.malformed_notices if self.push else 0,
            "update_interval_s": self.update_interval.total_seconds()
            if self.update_interval
            else None,
        }
