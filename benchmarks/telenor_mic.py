"""Telenor MIC benchmarks: a real Home Assistant core with the integration, against the simulator,
its Cognito endpoint, its SigV4-checking websocket and the MQTT broker behind it.

- shadow update to state latency: a thing reports a value (what `POST
  /_sim/telenor_mic/things/{name}/reported` does) until Home Assistant's state changed;
- cloud requests per thing-hour, push healthy and push down (the websocket dropped and refused
  since): simulated hours of the integration's own schedule (watchdog polls, id token renewals,
  Cognito credentials and the re-signed reconnects before they expire, the fallback polls and
  the reconnect attempts), with Home Assistant's clocks and the simulator's moved on together
  while the 500 things report every minute;
- setup time and memory for the 500-thing scenario, and the import of their observations into
  long-term statistics that setup starts in the background (left out of the other benchmarks:
  it runs once per setup, and for 500 things takes a minute or more); CPU time per 1000 shadow
  updates, after the recorder has stored what setup wrote.

Setup time is measured without tracemalloc, which makes Python about twice as slow, and under it
as well, as Cayenne's benchmark measures it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
import time
import tracemalloc
from unittest.mock import patch

from homeassistant.components.recorder import get_instance
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic.api import push as push_module
from custom_components.telenor_mic.const import CONF_AWS_ENDPOINT, CONF_MANIFEST_URL, DOMAIN
from simulators.core import SimClock, SimulatorServer
from simulators.telenor_mic import MANIFEST_PATH, SCENARIOS, TelenorMicSimulator
from simulators.testing import running_simulator

from .cayenne import SETTLE_TIMEOUT_S, SimulatedTime
from .hass import cpu_for_state_changes, home_assistant_with_entry, state_change_latencies
from .metrics import Metric, benchmark, percentile

MESSAGE_SAMPLES = 300
CPU_UPDATES = 1000
HEALTHY_HOURS = 2
DOWN_HOURS = 1
# Past setup's polls, and halfway between two watchdog polls (as for Cayenne).
WARM_UP = timedelta(minutes=37.5)
# A thing-update the broker sent that has not arrived this long (real seconds) after the last
# one did was lost: sent while the integration's connection was being replaced (re-signed), as
# a real broker would lose it too. The step goes on without it.
LOSS_GRACE_S = 0.5
COGNITO_ENDPOINT = "POST /"
WEBSOCKET_ENDPOINT = "GET /mqtt"
OBSERVATIONS_ENDPOINT = "POST /prod/observations/find"
HISTORY_TIMEOUT_S = 1800.0  # real seconds


@dataclass(frozen=True, slots=True)
class Account:
    scenario: str
    host: str
    username: str
    thing: str  # whose temperature the latency and CPU benchmarks change
    resource: str = "temperature"


DEMO = Account("demo.yaml", "demo.mic.example", "demo-owner", "office-climate")
SCALE = Account("scale.yaml", "scale.mic.example", "fleet-manager", "fleet-0001")


class MicTime(SimulatedTime):
    """Cayenne's simulated time (see there), with what a MIC step waits for: the thing-updates
    the stack's broker sent have reached the integration (or were lost, see LOSS_GRACE_S), and
    the polls and the observations import (entry background tasks, the MQTT loop excepted) are
    done. The integration's MQTT feed judges its AWS credentials by the wall clock, as AWS does:
    here that is Home Assistant's, which runs on simulated time."""

    def __init__(self, clock: SimClock) -> None:
        super().__init__(clock)
        self.lost = 0  # thing-updates sent while the integration was not subscribed

    @contextmanager
    def patched(self) -> Iterator[None]:
        class WallClock(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> WallClock:
                now = dt_util.utcnow()
                return cls.fromtimestamp(now.timestamp(), tz)

        with super().patched(), patch.object(push_module, "datetime", WallClock):
            yield

    def attach(  # type: ignore[override]
        self, hass: HomeAssistant, entry: MockConfigEntry, sim: TelenorMicSimulator
    ) -> None:
        push = entry.runtime_data.coordinator.push
        sent = sim.ctx.push.stats
        last = (-1, -1)
        last_at = time.monotonic()

        def landed() -> bool:
            nonlocal last, last_at
            if not sim.idle:
                return False
            heard = push.messages + push.malformed
            missing = sent.frames_sent - self.lost - heard
            if not push.connected or missing <= 0:
                return True
            if (heard, sent.frames_sent) != last:
                last, last_at = (heard, sent.frames_sent), time.monotonic()
            elif time.monotonic() - last_at > LOSS_GRACE_S:
                self.lost += missing
                return True
            return False

        self._hass = hass
        self._landed = landed
        self._idle = lambda: not any(
            task is not push._task  # noqa: SLF001
            for task in entry._background_tasks  # noqa: SLF001
        )


def _sim(server: SimulatorServer) -> TelenorMicSimulator:
    assert isinstance(server.simulator, TelenorMicSimulator)
    return server.simulator


def _entity_id(hass: HomeAssistant, entry: MockConfigEntry, thing: str, resource: str) -> str:
    unique_id = f"{entry.unique_id}:{thing}:{resource}"
    entity_id = er.async_get(hass).async_get_entity_id(Platform.SENSOR, DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return entity_id


@dataclass(slots=True)
class Started:
    """What setting the account up took, in real seconds."""

    setup_s: float  # Home Assistant's `async_setup` of the entry
    history_s: float = 0.0  # from then until the observations import's last request was read
    recorder_s: float = 0.0  # until the recorder had stored what the import handed it
    setup_peak_mib: float = 0.0  # peak Python memory during setup, when tracemalloc traces


async def _no_history(*_args: object) -> None:
    """The observations import, left out where it is not what is measured: it runs once per
    setup (see `_five_hundred_things`), and for 500 things takes minutes."""


@asynccontextmanager
async def mic_in_home_assistant(
    account: Account, *, history: bool = False
) -> AsyncIterator[tuple[HomeAssistant, SimulatorServer, MockConfigEntry, Started, MicTime]]:
    """The account in Home Assistant, set up with MQTT connected and the poll that follows the
    connection done (and with `history`, the observations import after setup and the recorder's
    work on it); yields the times this took and the clocks too."""
    clocks = MicTime(SimClock(speed=0))  # starts at the wall clock, as Home Assistant's
    no_history = patch(f"custom_components.{DOMAIN}.async_import_observations", _no_history)
    with clocks.patched(), nullcontext() if history else no_history:
        async with running_simulator(
            TelenorMicSimulator, SCENARIOS / account.scenario, clock=clocks.clock
        ) as server:
            sim = _sim(server)
            user = sim.cloud.user(account.username)
            assert user is not None
            data = {
                CONF_HOST: account.host,
                CONF_USERNAME: user.username,
                CONF_PASSWORD: user.password,
                CONF_MANIFEST_URL: server.url + MANIFEST_PATH,
                CONF_AWS_ENDPOINT: server.url,
            }
            unique_id = f"{account.host}/{user.username.lower()}"
            async with home_assistant_with_entry(DOMAIN, data, unique_id) as (hass, entry, setup_s):
                started = Started(setup_s)
                if tracemalloc.is_tracing():
                    started.setup_peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
                if history:
                    await _history_imported(hass, entry, started)
                coordinator = entry.runtime_data.coordinator
                deadline = time.monotonic() + SETTLE_TIMEOUT_S
                while not coordinator.push_connected:  # no event to wait on
                    assert time.monotonic() < deadline, coordinator.push.last_error
                    await asyncio.sleep(0.01)
                clocks.attach(hass, entry, sim)
                await clocks.settle()  # the resync poll that follows the connection
                # the recorder has stored the states of setup: not part of what comes next
                await get_instance(hass).async_block_till_done()
                yield hass, server, entry, started, clocks


async def _history_imported(hass: HomeAssistant, entry: MockConfigEntry, started: Started) -> None:
    """Wait for the observations import that setup started, and for the recorder to store it."""
    set_up = time.perf_counter()
    task = next(
        task
        for task in entry._background_tasks  # noqa: SLF001
        if task.get_name().startswith(f"{DOMAIN} history")
    )
    await asyncio.wait_for(asyncio.shield(task), HISTORY_TIMEOUT_S)
    started.history_s = time.perf_counter() - set_up
    await get_instance(hass).async_block_till_done()
    started.recorder_s = time.perf_counter() - set_up


def _reporter(server: SimulatorServer, account: Account) -> Callable[[int], None]:
    """A function that makes the thing report a new value of the resource, as it would: what
    `POST /_sim/telenor_mic/things/{name}/reported` does, without the HTTP round trip."""
    sim = _sim(server)
    found = sim.cloud.find_thing(account.thing)
    assert found is not None, account.thing
    stack, thing = found

    def report(n: int) -> None:
        # 30 and 31 °C: neither is ever the temperatures' own value (21 ± 2 °C)
        sim.cloud.override(stack, thing, {account.resource: 30.0 + n % 2})

    return report


async def _update_latency() -> list[float]:
    async with mic_in_home_assistant(DEMO) as (hass, server, entry, _, _):
        entity_id = _entity_id(hass, entry, DEMO.thing, DEMO.resource)
        return await state_change_latencies(
            hass, entity_id, _reporter(server, DEMO), MESSAGE_SAMPLES
        )


@dataclass(frozen=True, slots=True)
class Requests:
    per_thing_hour: float
    cognito: float  # per thing-hour
    websocket: float  # per thing-hour
    by_endpoint: dict[str, int]
    lost_updates: int  # thing-updates the broker sent while the integration was not subscribed


async def _requests_per_thing_hour(*, down: bool) -> Requests:
    """Requests per thing-hour over simulated hours with push healthy, or down: its connection
    dropped and the websocket refused from then on (what `POST /_sim/push/drop` and `POST
    /_sim/push/refuse` do)."""
    hours = DOWN_HOURS if down else HEALTHY_HOURS
    async with mic_in_home_assistant(SCALE) as (_, server, entry, _, clocks):
        client = entry.runtime_data.client
        coordinator = entry.runtime_data.coordinator
        # token and credential lifetimes on simulated time (they were dated by the real one)
        client._clock = server.ctx.clock.now  # noqa: SLF001
        coordinator.push._clock = server.ctx.clock.now  # noqa: SLF001
        await client.async_login()
        await clocks.advance(WARM_UP.total_seconds())
        if down:
            server.ctx.push.refuse_for((hours + 1) * 3600)
            await server.ctx.push.drop_all()
        log = server.ctx.log
        log.clear()
        lost_before = clocks.lost
        await clocks.advance(hours * 3600)
        assert coordinator.push_connected is not down
        thing_hours = len(coordinator.data.things) * hours
        return Requests(
            log.total / thing_hours,
            log.count(COGNITO_ENDPOINT) / thing_hours,
            log.count(WEBSOCKET_ENDPOINT) / thing_hours,
            log.counters(),
            clocks.lost - lost_before,
        )


@dataclass(frozen=True, slots=True)
class Setup:
    started: Started  # times of a setup without tracemalloc (which slows Python down)
    traced_s: float  # setup time under tracemalloc
    memory_mib: float  # peak Python memory during a setup traced by tracemalloc
    entities: int
    requests: int  # setup's, the first connection's and its resync poll's
    history_requests: int  # the observations import's


async def _five_hundred_things() -> Setup:
    """Memory during setup (traced, without the import); then times of a setup without
    tracing, the observations import that follows it, and the recorder's work on that."""
    tracemalloc.start()
    try:
        async with mic_in_home_assistant(SCALE) as (hass, server, entry, traced, _):
            entities = len(er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id))
            requests = server.ctx.log.total
    finally:
        tracemalloc.stop()
    async with mic_in_home_assistant(SCALE, history=True) as (_, server, _, started, _):
        history = server.ctx.log.count(OBSERVATIONS_ENDPOINT)
    return Setup(started, traced.setup_s, traced.setup_peak_mib, entities, requests, history)


async def _cpu_per_thousand_updates() -> float:
    async with mic_in_home_assistant(SCALE) as (hass, server, entry, _, _):
        entity_id = _entity_id(hass, entry, SCALE.thing, SCALE.resource)
        return await cpu_for_state_changes(hass, entity_id, _reporter(server, SCALE), CPU_UPDATES)


@benchmark("telenor_mic")
async def telenor_mic_benchmarks() -> list[Metric]:
    latencies = await _update_latency()
    healthy = await _requests_per_thing_hour(down=False)
    down = await _requests_per_thing_hour(down=True)
    setup = await _five_hundred_things()
    started = setup.started
    cpu = await _cpu_per_thousand_updates()
    return [
        Metric("shadow update to state latency p50", percentile(latencies, 50), "ms"),
        Metric("shadow update to state latency p99", percentile(latencies, 99), "ms", "< 25"),
        Metric("cloud requests per thing-hour (push healthy)", healthy.per_thing_hour, "requests"),
        Metric("cloud requests per thing-hour (push down)", down.per_thing_hour, "requests"),
        Metric("of which Cognito credentials (push down)", down.cognito, "requests"),
        Metric("of which websocket attempts (push down)", down.websocket, "requests"),
        Metric(
            "shadow updates missed while re-signing, per hour (push healthy)",
            healthy.lost_updates / HEALTHY_HOURS,
            "updates",
        ),
        Metric("setup time, 500 things", started.setup_s, "s"),
        Metric("setup time under tracemalloc, 500 things", setup.traced_s, "s"),
        Metric("peak Python memory during setup, 500 things", setup.memory_mib, "MiB"),
        Metric("entities, 500 things", setup.entities, "entities"),
        Metric("cloud requests of setup and first connection", setup.requests, "requests"),
        Metric("observations import after setup, 500 things", started.history_s, "s"),
        Metric("observations requests of the import", setup.history_requests, "requests"),
        Metric("recorder done with the import, after setup", started.recorder_s, "s"),
        Metric("CPU per 1000 shadow updates, 500 things (HA + simulator + broker)", cpu, "s"),
    ]
