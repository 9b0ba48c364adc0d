"""One coordinator per Cayenne account: REST polling plus the MQTT feed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
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
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util import dt as dt_util
from homeassistant.util.ssl import client_context

from .api import (
    DEFAULT_MQTT_HOST,
    DEFAULT_MQTT_PORT,
    CayenneAuthError,
    CayenneClient,
    CayenneCommandError,
    CayenneError,
    CayenneRateLimitError,
    DataMessage,
    Reading,
    Response,
    Rule,
    Thing,
)
from .api.push import CayennePush
from .const import (
    COMMAND_CONFIRM_TIMEOUT,
    CONF_MQTT_HOST,
    CONF_MQTT_PORT,
    CONF_MQTT_TLS,
    DOMAIN,
    FALLBACK_INTERVAL,
    FULL_RESYNC,
    MAX_PARALLEL_REQUESTS,
    WATCHDOG_INTERVAL,
)
from .data import CayenneData, ChannelKey, flatten
from .devices import account_key, async_register_devices
from .pushpoll import PushPollCoordinator

_LOGGER = logging.getLogger(__name__)

# Messages of things or channels the last poll did not list ask for a poll; a burst of them
# must not become a burst of requests.
NEW_THING_POLL_COOLDOWN = 10.0
# Without MQTT a command's result is read back this often until confirmed.
CONFIRM_POLL_INTERVAL = 2.0

type CayenneConfigEntry = ConfigEntry[CayenneRuntimeData]


@dataclass(slots=True)
class CayenneRuntimeData:
    client: CayenneClient
    coordinator: CayenneCoordinator


@dataclass(slots=True)
class _PendingCommand:
    value: float
    done: asyncio.Future[str | None]  # None when confirmed, else the thing's refusal


class CayenneCoordinator(PushPollCoordinator[CayenneData]):
    """Polls the account's things; MQTT data goes to `CayenneData`, applied in place."""

    config_entry: CayenneConfigEntry
    availability_rests_on_push = True

    def __init__(
        self, hass: HomeAssistant, entry: CayenneConfigEntry, client: CayenneClient
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            fallback_interval=FALLBACK_INTERVAL,
            watchdog_interval=WATCHDOG_INTERVAL,
            request_refresh_debouncer=Debouncer(
                hass, _LOGGER, cooldown=NEW_THING_POLL_COOLDOWN, immediate=True
            ),
        )
        self.client = client
        tls = entry.data.get(CONF_MQTT_TLS, False)
        self.push = CayennePush(
            client,
            host=entry.data.get(CONF_MQTT_HOST) or DEFAULT_MQTT_HOST,
            port=entry.data.get(CONF_MQTT_PORT) or DEFAULT_MQTT_PORT,
            tls_context=client_context() if tls else None,
            on_data=self._async_push_data,
            on_response=self._async_push_response,
            on_connection=self.async_push_connection,
        )
        self._pending: dict[ChannelKey, _PendingCommand] = {}
        self.channel_platforms: dict[ChannelKey, Platform] = {}
        self._registered_devices: dict[
            str, DeviceInfo
        ] = {}  # see devices.py  # see entity.assigned_platform
        self._limit = asyncio.Semaphore(MAX_PARALLEL_REQUESTS)
        self._warned: set[str] = set()
        self.requests_per_poll = 0

    # --- polling -----------------------------------------------------------------------------
    async def _async_update_data(self) -> CayenneData:
        started = time.monotonic()
        now = dt_util.utcnow()
        current = self.data or CayenneData()
        try:
            things = flatten(await self.client.async_get_things())
            rules = await self._async_rules()
            plan = current.plan_poll(things, now, FULL_RESYNC)
            readings, unreadable = await self._async_read_channels(things, plan.channels)
        except CayenneError as err:
            raise self._update_failed(err) from err
        self.requests_per_poll = 2 + len(plan.channels)
        skipped = self.client.skipped_things > 0  # an unreadable thing is still in the account
        data = current.merge_poll(
            things,
            plan,
            readings,
            unreadable,
            rules,
            started=started,
            now=now,
            keep_missing=skipped,
        )
        async_register_devices(
            self.hass,
            self.config_entry,
            (state.thing for state in data.things.values()),
            self._registered_devices,
        )
        if not skipped:
            self.async_remove_stale_devices({self.account_key, *data.things})
        self._confirm_pending(data)
        return data

    def _update_failed(self, err: CayenneError) -> Exception:
        if isinstance(err, CayenneAuthError):
            return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed")
        if isinstance(err, CayenneRateLimitError):
            return UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"seconds": f"{err.retry_after:.0f}"},
                retry_after=err.retry_after,
            )
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="update_failed",
            translation_placeholders={"error": str(err)},
        )

    async def _async_rules(self) -> list[Rule] | None:
        """The rules; None (keep the last ones) when they cannot be read, which must not cost
        the things their update."""
        try:
            return await self.client.async_get_rules()
        except (CayenneAuthError, CayenneRateLimitError):
            raise
        except CayenneError as err:
            self._warn_once("rules", "Could not read the Cayenne rules: %s", err)
            return None

    async def _async_read_channels(
        self, things: Mapping[str, Thing], channels: list[ChannelKey]
    ) -> tuple[dict[ChannelKey, Reading | None], set[str]]:
        """The latest value of each channel; a thing whose values cannot be read is
        `unreadable` and harms no other."""
        readings: dict[ChannelKey, Reading | None] = {}
        unreadable: set[str] = set()

        async def read(key: ChannelKey) -> None:
            thing_id, channel = key
            child_id = things[thing_id].channels[channel].child_id
            async with self._limit:
                if thing_id in unreadable:
                    return
                try:
                    readings[key] = await self.client.async_get_latest(thing_id, child_id)
                except (CayenneAuthError, CayenneRateLimitError):
                    raise
                except CayenneError as err:
                    unreadable.add(thing_id)
                    self._warn_once(
                        f"thing {thing_id}", "Could not read the values of %s: %s", thing_id, err
                    )

        await asyncio.gather(*(read(key) for key in channels))
        for thing_id in {thing_id for thing_id, _ in readings} - unreadable:
            self._warned.discard(f"thing {thing_id}")
        return readings, unreadable

    def _warn_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            _LOGGER.warning(message, *args)

    @property
    def account_key(self) -> str:
        """The identifier of the account's own device (its rules)."""
        return account_key(self.config_entry)

    # --- push --------------------------------------------------------------------------------
    @callback
    def _async_push_data(self, messages: list[DataMessage]) -> None:
        changed, unknown = self.data.apply_messages(
            messages, received=time.monotonic(), now=dt_util.utcnow()
        )
        if unknown:
            _LOGGER.debug("MQTT data of a thing or channel not known yet; polling")
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), f"{self.name} new thing"
            )
        self._confirm_pending(self.data)
        self.async_push_applied(changed)

    @callback
    def _async_push_response(self, thing_id: str, response: Response) -> None:
        """A thing refused a command: the pending command of that thing fails with its words."""
        if response.ok:
            return
        for (pending_thing, _channel), pending in self._pending.items():
            if pending_thing == thing_id and not pending.done.done():
                pending.done.set_result(response.message or "refused")

    def push_status(self) -> dict[str, Any]:
        push = self.push
        return {
            "connected": self.push_connected,
            "broker": f"{push.host}:{push.port}",
            "connects": push.connects,
            "messages": push.messages,
            "malformed_messages": push.malformed,
            "refused": push.refused,
            "last_error": push.last_error,
            "update_interval_s": self.update_interval.total_seconds()
            if self.update_interval
            else None,
        }

    # --- control -----------------------------------------------------------------------------
    async def async_command(self, thing_id: str, channel: str, value: float) -> None:
        """Set a channel and wait until the thing reports the new value; a refusal, failure or
        silence is a translated error, and the entity keeps showing the real state."""
        key = (thing_id, channel)
        pending = _PendingCommand(value, self.hass.loop.create_future())
        previous = self._pending.get(key)
        if previous is not None and not previous.done.done():
            previous.done.set_result(None)  # the newer command decides what the thing shows
        self._pending[key] = pending
        try:
            await self._async_call(self.client.async_send_command(thing_id, channel, value))
            refusal = await self._async_confirmation(key, pending)
        finally:
            if self._pending.get(key) is pending:
                del self._pending[key]
        if refusal is not None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_refused",
                translation_placeholders={"error": refusal},
            )

    async def _async_confirmation(self, key: ChannelKey, pending: _PendingCommand) -> str | None:
        """None once the value is reported, the thing's refusal, or raises when it stays silent."""
        deadline = time.monotonic() + COMMAND_CONFIRM_TIMEOUT
        while (remaining := deadline - time.monotonic()) > 0:
            # With MQTT the thing's report comes by itself; read back now and then all the
            # same, as a broker that accepts the subscription may still deliver nothing.
            every = COMMAND_CONFIRM_TIMEOUT / 3 if self.push_connected else CONFIRM_POLL_INTERVAL
            try:
                return await asyncio.wait_for(asyncio.shield(pending.done), min(remaining, every))
            except TimeoutError:
                await self._async_read_back(key)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_not_confirmed",
            translation_placeholders={"seconds": f"{COMMAND_CONFIRM_TIMEOUT:.0f}"},
        )

    async def _async_read_back(self, key: ChannelKey) -> None:
        """Without MQTT: read the channel's latest value, which confirms a command."""
        thing_id, channel = key
        state = self.data.things.get(thing_id)
        target = state.thing.channel(channel) if state else None
        if target is None:
            return
        try:
            reading = await self.client.async_get_latest(thing_id, target.child_id)
        except CayenneError as err:
            _LOGGER.debug("Reading back %s/%s failed: %s", thing_id, channel, err)
            return
        if reading is not None and self.data.apply_reading(
            thing_id, channel, reading, received=time.monotonic()
        ):
            self._confirm_pending(self.data)
            self.async_push_applied({thing_id})

    @callback
    def _confirm_pending(self, data: CayenneData) -> None:
        for key, pending in self._pending.items():
            known = data.value(*key)
            if (
                not pending.done.done()
                and known is not None
                and known.value is not None
                and math.isclose(known.value, pending.value, abs_tol=1e-6)
            ):
                pending.done.set_result(None)

    async def async_set_rule_enabled(self, rule_id: str, enabled: bool) -> None:
        await self._async_call(self.client.async_set_rule_enabled(rule_id, enabled))
        rule = self.data.rules.get(rule_id)
        if rule is not None:  # the cloud took it; the next poll reads it back
            self.data.rules[rule_id] = Rule(rule.rule_id, rule.title, enabled)
        self.async_push_applied({self.account_key})

    async def _async_call(self, call: Awaitable[None]) -> None:
        """A control call; its failures become translated errors."""
        try:
            await call
        except CayenneAuthError as err:
            self.config_entry.async_start_reauth(self.hass)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except CayenneCommandError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_refused",
                translation_placeholders={"error": str(err)},
            ) from err
        except CayenneError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_failed",
                translation_placeholders={"error": str(err)},
            ) from err
