"""One coordinator per App Board user: GraphQL polling plus the MQTT shadow feed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
import logging
import math
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util import dt as dt_util
from homeassistant.util.ssl import client_context

from .api import (
    EventType,
    LifecycleEvent,
    MicAuthError,
    MicClient,
    MicError,
    MicRateLimitError,
    MicWriteError,
    Resource,
    Shadow,
    Thing,
)
from .api.push import MicPush
from .const import (
    DOMAIN,
    FALLBACK_INTERVAL,
    THING_TYPES_REFRESH,
    WATCHDOG_INTERVAL,
    WRITE_CONFIRM_TIMEOUT,
    WRITE_READ_BACK_INTERVAL,
)
from .data import MicData, resource_key
from .devices import DeviceRegistrar
from .pushpoll import PushPollCoordinator

_LOGGER = logging.getLogger(__name__)

# Life-cycle events and updates of unknown things ask for a poll; a burst of them (a fleet
# being provisioned) must not become a burst of requests.
EVENT_POLL_COOLDOWN = 10.0
RELEVANT_EVENTS = frozenset(
    {EventType.THING_CREATE, EventType.THING_DELETE, EventType.THING_UPDATE}
)

type MicConfigEntry = ConfigEntry[MicRuntimeData]


@dataclass(slots=True)
class MicRuntimeData:
    client: MicClient
    coordinator: MicCoordinator


@dataclass(slots=True)
class _PendingWrite:
    resource: Resource
    value: object
    done: asyncio.Future[None]


class MicCoordinator(PushPollCoordinator[MicData]):
    """Polls the user's things; shadow updates go to `MicData`, applied in place."""

    config_entry: MicConfigEntry
    availability_rests_on_push = True

    def __init__(self, hass: HomeAssistant, entry: MicConfigEntry, client: MicClient) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            fallback_interval=FALLBACK_INTERVAL,
            watchdog_interval=WATCHDOG_INTERVAL,
            request_refresh_debouncer=Debouncer(
                hass, _LOGGER, cooldown=EVENT_POLL_COOLDOWN, immediate=True
            ),
        )
        self.client = client
        self.push = MicPush(
            client,
            on_shadow=self._async_push_shadow,
            on_event=self._async_push_event,
            on_connection=self.async_push_connection,
            on_resigned=self._async_push_resigned,
            ssl_context=client_context(),
        )
        self.devices = DeviceRegistrar(hass, entry)
        self._pending: dict[tuple[str, str], _PendingWrite] = {}
        self.resource_platforms: dict[tuple[str, str], Platform] = {}  # entity.assigned_platform
        self._types_read: float | None = None
        self.requests_per_poll = 0
        self.shadow_updates = 0
        self.events = 0

    # --- polling -----------------------------------------------------------------------------
    async def _async_update_data(self) -> MicData:
        started = time.monotonic()
        data = self.data or MicData()
        requests_before = self.client.requests
        try:
            things = await self.client.async_get_things()
            missing = data.missing_details(things)
            details = await self.client.async_get_thing_details(missing) if missing else {}
            await self._async_read_thing_types(data, things)
        except MicError as err:
            raise self._update_failed(err) from err
        self.requests_per_poll = self.client.requests - requests_before
        skipped = self.client.skipped_things > 0  # an unreadable row may be a known thing
        data.merge_poll(
            things, details, started=started, received=time.monotonic(), keep_missing=skipped
        )
        self.devices.async_register(data)
        if not skipped:
            self.async_remove_stale_devices(self.devices.identifiers(data))
        self.push.set_topics(data.domain_topics())
        self._confirm_pending(data)
        return data

    async def _async_read_thing_types(self, data: MicData, things: list[Thing]) -> None:
        """The types of the listed things: new ones at once, all of them now and then."""
        ids = {thing.thing_type for thing in things if thing.thing_type}
        due = self._types_read is None or (
            time.monotonic() - self._types_read > THING_TYPES_REFRESH.total_seconds()
        )
        wanted = ids if due else ids - data.thing_types.keys()
        if not wanted:
            return
        data.thing_types.update(await self.client.async_get_thing_types(wanted))
        if due:
            self._types_read = time.monotonic()

    def _update_failed(self, err: MicError) -> Exception:
        if isinstance(err, MicAuthError):
            return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed")
        if isinstance(err, MicRateLimitError):
            return UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"seconds": f"{err.retry_after or 60:.0f}"},
                retry_after=err.retry_after,
            )
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="update_failed",
            translation_placeholders={"error": str(err)},
        )

    # --- push --------------------------------------------------------------------------------
    @callback
    def _async_push_shadow(self, thing_name: str, domain_topic: str, shadow: Shadow) -> None:
        self.shadow_updates += 1
        applied = self.data.apply_shadow(
            thing_name, domain_topic, shadow, received=time.monotonic(), now=dt_util.utcnow()
        )
        if applied is None:
            _LOGGER.debug("Shadow update of %s, not known yet; polling", thing_name)
            self._async_poll_soon("new thing")
            return
        self._confirm_pending(self.data)
        keys = {resource_key(thing_name, name) for name in applied.resources}
        if applied.heard:
            keys.add(resource_key(thing_name, None))
        self.async_push_applied(keys)

    @callback
    def _async_push_event(self, event: LifecycleEvent) -> None:
        """Things created, removed or changed in App Board: a poll brings them."""
        self.events += 1
        if event.type in RELEVANT_EVENTS:
            _LOGGER.debug("Life-cycle event %s of %s; polling", event.raw_type, event.thing_name)
            self._async_poll_soon("life-cycle event")

    @callback
    def _async_poll_soon(self, why: str) -> None:
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), f"{self.name} {why}"
        )

    @callback
    def _async_push_resigned(self) -> None:
        """The feed reconnected with new credentials: what things reported in between comes
        with one poll (a few requests an hour)."""
        self._async_poll_soon("catch-up after re-signing")

    def push_status(self) -> dict[str, Any]:
        return {
            **self.push.diagnostics(),
            "shadow_updates_applied": self.shadow_updates,
            "life_cycle_events": self.events,
            "update_interval_s": self.update_interval.total_seconds()
            if self.update_interval
            else None,
        }

    # --- desired state -----------------------------------------------------------------------
    async def async_write(self, thing_name: str, resource: Resource, value: object) -> None:
        """Write a resource's desired state and wait until the thing reports it; a refusal,
        failure or silence is a translated error, and the entity keeps the reported state."""
        if (user := self.client.user) is not None and user.read_only:
            # AWS IoT answers a refused publish by closing the connection: say no here, and
            # keep the live feed.
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="write_refused",
                translation_placeholders={"error": f"the role {user.role_name} may only read"},
            )
        key = (thing_name, resource.name)
        pending = _PendingWrite(resource, value, self.hass.loop.create_future())
        previous = self._pending.get(key)
        if previous is not None and not previous.done.done():
            previous.done.set_result(None)  # the newer write decides what the thing shows
        self._pending[key] = pending
        try:
            domain_topic = await self._async_domain_topic(thing_name)
            await self._async_call(
                self.push.async_publish_desired(domain_topic, thing_name, {resource.name: value})
            )
            state = self.data.things.get(thing_name)
            if state is not None:
                state.desired[resource.name] = value
            await self._async_confirmation(key, pending)
        finally:
            if self._pending.get(key) is pending:
                del self._pending[key]

    async def _async_domain_topic(self, thing_name: str) -> str:
        state = self.data.things.get(thing_name)
        if state is not None and state.domain_topic is None:
            await self._async_read_back(thing_name)
            state = self.data.things.get(thing_name)
        if state is None or state.domain_topic is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="thing_unknown",
                translation_placeholders={"thing": thing_name},
            )
        return state.domain_topic

    async def _async_confirmation(self, key: tuple[str, str], pending: _PendingWrite) -> None:
        deadline = time.monotonic() + WRITE_CONFIRM_TIMEOUT
        while (remaining := deadline - time.monotonic()) > 0:
            # With MQTT the thing's report comes by itself; read back now and then all the
            # same, as a feed may deliver nothing (and without MQTT, often).
            every = WRITE_CONFIRM_TIMEOUT / 3 if self.push_connected else WRITE_READ_BACK_INTERVAL
            try:
                await asyncio.wait_for(asyncio.shield(pending.done), min(remaining, every))
            except TimeoutError:
                await self._async_read_back(key[0])
            else:
                return
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="write_not_confirmed",
            translation_placeholders={"seconds": f"{WRITE_CONFIRM_TIMEOUT:.0f}"},
        )

    async def _async_read_back(self, thing_name: str) -> None:
        """Read one thing's full shadow (its topic, its reported and pending values)."""
        started = time.monotonic()
        try:
            details = await self.client.async_get_thing_details([thing_name])
        except MicError as err:
            _LOGGER.debug("Reading back %s failed: %s", thing_name, err)
            return
        if (detail := details.get(thing_name)) is None or thing_name not in self.data.things:
            return
        self.data.apply_details(detail, started=started, received=time.monotonic())
        self._confirm_pending(self.data)
        self.async_push_applied(self.data.push_keys(thing_name))

    @callback
    def _confirm_pending(self, data: MicData) -> None:
        for (thing_name, name), pending in self._pending.items():
            known = data.value(thing_name, name)
            if (
                not pending.done.done()
                and known is not None
                and _same(pending.resource.read(known.value), pending.resource.read(pending.value))
            ):
                pending.done.set_result(None)

    async def _async_call(self, call: Awaitable[None]) -> None:
        """A write; its failures become translated errors."""
        try:
            await call
        except MicAuthError as err:
            self.config_entry.async_start_reauth(self.hass)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except MicWriteError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="write_refused",
                translation_placeholders={"error": str(err)},
            ) from err
        except MicError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="write_failed",
                translation_placeholders={"error": str(err)},
            ) from err


def _same(reported: object, wanted: object) -> bool:
    if isinstance(reported, float | int) and isinstance(wanted, float | int):
        return math.isclose(reported, wanted, rel_tol=1e-6, abs_tol=1e-6)
    return reported is not None and reported == wanted
