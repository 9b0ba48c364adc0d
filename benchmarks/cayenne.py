"""Cayenne benchmarks: a real Home Assistant core with the integration, against the simulator
and its MQTT broker.

- MQTT to state latency: a thing publishes a channel value until Home Assistant's state changed;
- cloud requests per thing-hour, MQTT healthy and MQTT down (the connection dropped and the
  broker refusing it since): simulated hours of the integration's own schedule (watchdog polls,
  the hourly full resync, token renewals, the fallback polls and broker reconnects), with Home
  Assistant's clocks and the simulator's moved on together while the things report every minute;
- setup time and memory for the 100-thing account; CPU time per 1000 MQTT messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
import math
import time
import tracemalloc
from unittest.mock import patch

from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cayenne.const import (
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_AUTH_FLOW,
    CONF_AUTH_URL,
    CONF_MQTT_HOST,
    CONF_MQTT_PORT,
    CONF_MQTT_TLS,
    DOMAIN,
)
from simulators.cayenne import SCENARIOS, CayenneSimulator
from simulators.core import SimClock, SimulatorServer
from simulators.testing import running_simulator

from .hass import cpu_for_state_changes, home_assistant_with_entry, state_change_latencies
from .metrics import Metric, benchmark, percentile

MESSAGE_SAMPLES = 300
CPU_MESSAGES = 1000
HEALTHY_HOURS = 2
REFUSED_HOURS = 1
# Past setup's polls, and halfway between two watchdog polls, so that the hours measured are
# steady ones and no poll sits on their edges.
WARM_UP = timedelta(minutes=37.5)
STEP_S = 1.0  # simulated seconds per step: a whole number (see SimulatedTime)
SETTLE_TIMEOUT_S = 60.0  # real seconds
CREDENTIALS_ENDPOINT = "POST /v1.1/clients"
DEMO = ("demo.yaml", "Raspberry Pi", "1")  # scenario, thing, channel (its temperature)
SCALE = ("scale.yaml", "Sensor 001", "1")
ENTITIES = {
    "Raspberry Pi": "sensor.raspberry_pi_temperature",
    "Sensor 001": "sensor.sensor_001_temperature",
}


class SimulatedTime:
    """Home Assistant's clocks and the simulator's, moved on together `STEP_S` at a time: the
    event loop's (which polls, retries and the integration's reconnect backoff are timed on) and
    Home Assistant's wall clock (which stamps MQTT values and times the hourly full resync).
    Between steps all run on at real speed, as they do while the other benchmarks run.

    A step first lets the things report and their messages land, then runs what falls due in
    Home Assistant: the simulated things all report at the same instant, and a poll that read
    the things list while a hundred things' messages were still on their way would read every
    channel again (a real account's things report at scattered instants, which no poll hits).
    Home Assistant schedules a poll at a whole second of the loop's time plus a fraction of its
    own; on this lattice of whole seconds every interval thus comes out a second longer than
    asked (901 s, 61 s), never shorter: four 15-minute watchdog polls always span the hour of
    the full resync, and fallback polls come 59 times an hour rather than 60."""

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self._base = 0.0  # the loop's time at the last step
        self._since = 0.0  # the real time of the last step
        self._held: float | None = None  # the loop's time, held while messages land
        self._landed: Callable[[], bool] = lambda: True
        self._idle: Callable[[], bool] = lambda: True
        self._hass: HomeAssistant | None = None

    def _flowed(self) -> float:
        return time.monotonic() - self._since

    def _loop_time(self) -> float:
        return self._held if self._held is not None else self._base + self._flowed()

    def _utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now() + self._flowed(), UTC)

    @contextmanager
    def patched(self) -> Iterator[None]:
        """From before Home Assistant and the simulator start until after they stopped: their
        timers are on this time."""
        loop = asyncio.get_running_loop()
        self._since = time.monotonic()
        self._base = math.ceil(loop.time())  # forward to the lattice: nothing waits longer
        with (
            patch.object(loop, "time", self._loop_time),
            patch.object(dt_util, "utcnow", self._utcnow),
        ):
            yield

    def attach(self, hass: HomeAssistant, entry: MockConfigEntry, sim: CayenneSimulator) -> None:
        """What a step waits for: the MQTT messages the things sent have reached the
        integration (the in-process broker passes a few hundred a second on, far fewer than
        simulated time has the things send), and the polls that fell due (entry background
        tasks, the MQTT loop excepted) are done."""
        push = entry.runtime_data.coordinator.push
        sent = sim.ctx.push.stats
        self._hass = hass
        self._landed = lambda: (
            sim.mqtt._outbox.empty()  # noqa: SLF001
            and (not push.connected or push.messages + push.malformed >= sent.frames_sent)
        )
        self._idle = lambda: not any(
            task is not push._task  # noqa: SLF001
            for task in entry._background_tasks  # noqa: SLF001
        )

    async def advance(self, seconds: float) -> None:
        """Let (at least) `seconds` of simulated time pass."""
        passed = 0.0
        while passed < seconds:
            # what ran at real speed since the last step is part of this one
            moved = STEP_S * max(1, math.ceil(self._flowed() / STEP_S))
            self._held = self._loop_time()
            self._base += moved
            self._since = time.monotonic()
            self.clock.advance(moved)  # the things report, on their cycles, over MQTT
            await self._until(self._landed, timed=False)  # nothing timed runs meanwhile
            self._held = None
            await self.settle()
            passed += moved

    async def settle(self) -> None:
        await self._until(lambda: self._idle() and self._landed(), timed=True)

    async def _until(self, done: Callable[[], bool], *, timed: bool) -> None:
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while time.monotonic() < deadline:
            if timed:
                if self._hass is not None:
                    await self._hass.async_block_till_done()
                await asyncio.sleep(0.001)
            else:
                await asyncio.sleep(0)
            if done():
                return
        raise TimeoutError("polls or MQTT messages still under way")


def _sim(server: SimulatorServer) -> CayenneSimulator:
    assert isinstance(server.simulator, CayenneSimulator)
    return server.simulator


@asynccontextmanager
async def cayenne_in_home_assistant(
    scenario: str,
) -> AsyncIterator[tuple[HomeAssistant, SimulatorServer, MockConfigEntry, float, SimulatedTime]]:
    """The scenario's first account in Home Assistant, set up with MQTT connected and the poll
    that follows the connection done; yields the setup time and the simulated time too."""
    clocks = SimulatedTime(SimClock(speed=0))  # starts at the wall clock, as Home Assistant's
    with clocks.patched():
        async with running_simulator(
            CayenneSimulator, SCENARIOS / scenario, clock=clocks.clock
        ) as server:
            sim = _sim(server)
            account = next(iter(sim.cloud.accounts.values()))
            data = {
                CONF_EMAIL: account.email,
                CONF_PASSWORD: account.password,
                CONF_APP_KEY: account.app_key,
                CONF_APP_SECRET: account.app_secret,
                CONF_AUTH_FLOW: "openid",
                CONF_AUTH_URL: server.url,
                CONF_API_URL: server.url,
                CONF_MQTT_HOST: sim.mqtt_host,
                CONF_MQTT_PORT: sim.mqtt_port,
                CONF_MQTT_TLS: False,
            }
            async with home_assistant_with_entry(DOMAIN, data, account.account_id) as (
                hass,
                entry,
                setup_s,
            ):
                coordinator = entry.runtime_data.coordinator
                while not coordinator.push_connected:  # noqa: ASYNC110  (no event to wait on)
                    await asyncio.sleep(0.01)
                clocks.attach(hass, entry, sim)
                await clocks.settle()  # the resync poll that follows the connection
                yield hass, server, entry, setup_s, clocks


def _channel_toggler(
    server: SimulatorServer, thing_name: str, channel_id: str
) -> Callable[[int], None]:
    """A function that makes the thing publish a new value of the channel, as it would: what
    `POST /_sim/cayenne/things/{id}/channels/{channel}` does, without the HTTP round trip."""
    sim = _sim(server)
    account, thing = next(
        (account, thing)
        for account in sim.cloud.accounts.values()
        for thing in account.things.values()
        if thing.name == thing_name
    )
    channel = thing.channels[channel_id]

    def toggle(n: int) -> None:
        # 30 and 31 °C: neither is ever the temperatures' own value (21 ± 2.5 °C)
        channel.set_value(30.0 + n % 2, server.ctx.clock.now())
        sim.mqtt.publish_value(account, thing, channel)

    return toggle


async def _message_latency() -> list[float]:
    scenario, thing, channel = DEMO
    async with cayenne_in_home_assistant(scenario) as (hass, server, _, _, _):
        toggle = _channel_toggler(server, thing, channel)
        return await state_change_latencies(hass, ENTITIES[thing], toggle, MESSAGE_SAMPLES)


async def _requests_per_thing_hour(*, refused: bool) -> tuple[float, float]:
    """Requests per thing-hour, and of them the broker credentials' share, over simulated hours
    with MQTT healthy, or down: its connection dropped and the broker refusing it from then on
    (what `POST /_sim/push/drop` and `POST /_sim/push/refuse` do)."""
    hours = REFUSED_HOURS if refused else HEALTHY_HOURS
    async with cayenne_in_home_assistant(SCALE[0]) as (_, server, entry, _, clocks):
        client = entry.runtime_data.client
        client._clock = server.ctx.clock.now  # noqa: SLF001  (token lifetimes on simulated time)
        await client.async_login()
        coordinator = entry.runtime_data.coordinator
        await clocks.advance(WARM_UP.total_seconds())
        if refused:
            server.ctx.push.refuse_for((hours + 1) * 3600)
            await server.ctx.push.drop_all()
        log = server.ctx.log
        log.clear()
        await clocks.advance(hours * 3600)
        assert coordinator.push_connected is not refused
        thing_hours = len(coordinator.data.things) * hours
        return log.total / thing_hours, log.count(CREDENTIALS_ENDPOINT) / thing_hours


async def _hundred_things() -> tuple[float, float, int]:
    tracemalloc.start()
    async with cayenne_in_home_assistant(SCALE[0]) as (hass, _, entry, setup_s, _):
        _, peak = tracemalloc.get_traced_memory()
        entities = len(er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id))
    tracemalloc.stop()
    return setup_s, peak / 2**20, entities


async def _cpu_per_thousand_messages() -> float:
    scenario, thing, channel = SCALE
    async with cayenne_in_home_assistant(scenario) as (hass, server, _, _, _):
        toggle = _channel_toggler(server, thing, channel)
        return await cpu_for_state_changes(hass, ENTITIES[thing], toggle, CPU_MESSAGES)


@benchmark("cayenne")
async def cayenne_benchmarks() -> list[Metric]:
    latencies = await _message_latency()
    healthy, _ = await _requests_per_thing_hour(refused=False)
    down, credentials = await _requests_per_thing_hour(refused=True)
    setup_s, memory_mib, entities = await _hundred_things()
    cpu = await _cpu_per_thousand_messages()
    return [
        Metric("MQTT message to state latency p50", percentile(latencies, 50), "ms"),
        Metric("MQTT message to state latency p99", percentile(latencies, 99), "ms", "< 25"),
        Metric("cloud requests per thing-hour (MQTT healthy), 100 things", healthy, "requests"),
        Metric("cloud requests per thing-hour (MQTT down), 100 things", down, "requests"),
        Metric("of which broker credentials (MQTT down)", credentials, "requests"),
        Metric("setup time, 100 things", setup_s, "s"),
        Metric("peak Python memory during setup, 100 things", memory_mib, "MiB"),
        Metric("entities, 100 things", entities, "entities"),
        Metric("CPU per 1000 MQTT messages, 100 things (HA + simulator + broker)", cpu, "s"),
    ]
