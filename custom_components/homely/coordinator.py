"""One coordinator per home: REST polling plus the Socket.IO feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import logging
import math
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api import (
    Event,
    Home,
    HomelyAccessError,
    HomelyAuthError,
    HomelyClient,
    HomelyConnectionError,
    HomelyPush,
    HomelyRateLimitError,
)
from .const import CONF_LOCATION_ID, DOMAIN, FALLBACK_INTERVAL, WATCHDOG_INTERVAL
from .data import HomelyData
from .pushpoll import PushPollCoordinator

_LOGGER = logging.getLogger(__name__)

# Events of devices the last poll did not list ask for a poll; a burst of them must not become
# a burst of requests.
NEW_DEVICE_POLL_COOLDOWN = 10.0

type HomelyConfigEntry = ConfigEntry[HomelyRuntimeData]


@dataclass(slots=True)
class HomelyRuntimeData:
    client: HomelyClient
    coordinator: HomelyCoordinator


class HomelyCoordinator(PushPollCoordinator[HomelyData]):
    """Polls one home; its socket's events go to `HomelyData`, which applies them in place."""

    config_entry: HomelyConfigEntry
    # The socket connects right after the setup poll, and Homely rate-limits bursts at start.
    resync_on_first_connect = False

    def __init__(self, hass: HomeAssistant, entry: HomelyConfigEntry, client: HomelyClient) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            fallback_interval=FALLBACK_INTERVAL,
            watchdog_interval=WATCHDOG_INTERVAL,
            request_refresh_debouncer=Debouncer(
                hass, _LOGGER, cooldown=NEW_DEVICE_POLL_COOLDOWN, immediate=True
            ),
        )
        self.client = client
        self.location_id: str = entry.data[CONF_LOCATION_ID]
        self.push = HomelyPush(
            client,
            async_get_clientsession(hass),
            self.location_id,
            self._async_push_event,
            self._async_push_connection,
        )
        self._warned_unreadable: set[str] = set()
        self._freshness_recheck: CALLBACK_TYPE | None = None
        entry.async_on_unload(self._async_cancel_freshness_recheck)

    # --- polling ----------------------------------------------------------------------------------
    async def _async_update_data(self) -> HomelyData:
        started = time.monotonic()
        home = await self._async_get_home()
        for reason in set(home.skipped) - self._warned_unreadable:
            self._warned_unreadable.add(reason)
            _LOGGER.warning("Skipping an unreadable Homely device: %s", reason)
        if not home.skipped:  # an unreadable device is still in the home
            self.async_remove_stale_devices({self.location_id, *home.devices})
        current: HomelyData | None = self.data
        if current is None:  # the first poll
            return HomelyData(home, home.alarm_state, polled_at=started)
        return current.merge_poll(home, started=started, push_connected=self.push_connected)

    async def _async_get_home(self) -> Home:
        try:
            return await self.client.async_get_home(self.location_id)
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

    @callback
    def async_data_is_fresh(self) -> bool:
        """Whether entities may show the data; logs once when it is lost and once when back."""
        fresh_for = self.data.fresh_for(
            now=time.monotonic(),
            last_poll_ok=self.last_update_success,
            push_connected=self.push_connected,
        )
        fresh = fresh_for >= 0
        if fresh and fresh_for < math.inf and self._freshness_recheck is None:
            # Only the socket keeps the data fresh, for a while; failed polls after the first
            # write no entity, so a timer has them all show it when that runs out.
            self._freshness_recheck = async_call_later(
                self.hass, fresh_for, self._async_recheck_freshness
            )
        self.async_log_availability(self.location_id, self.config_entry.title, fresh)
        return fresh

    @callback
    def _async_recheck_freshness(self, _now: datetime) -> None:
        self._freshness_recheck = None
        self.async_update_listeners()

    @callback
    def _async_cancel_freshness_recheck(self) -> None:
        if self._freshness_recheck is not None:
            self._freshness_recheck()
            self._freshness_recheck = None

    # --- push -------------------------------------------------------------------------------------
    @callback
    def _async_push_event(self, event: Event) -> None:
        if self.data.is_new_device(event):
            _LOGGER.debug("Event from a new Homely device; polling")
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), f"{self.name} new device"
            )
            return
        self.async_push_applied(self.data.apply_event(event, received=time.monotonic()))

    @callback
    def _async_push_connection(self, connected: bool) -> None:
        self.async_push_connection(connected)
        # Every entity shows the change now, not after the resync poll: Live updates, and
        # availability, which rests on the socket while polls fail.
        self.async_update_listeners()

    def push_status(self) -> dict[str, Any]:
        push = self.push
        return {
            "connected": self.push_connected,
            "connects": push.connects,
            "events": push.events,
            "malformed_events": push.malformed,
            "last_exception": push.last_exception,
            "update_interval_s": self.update_interval.total_seconds()
            if self.update_interval
            else None,
        }
