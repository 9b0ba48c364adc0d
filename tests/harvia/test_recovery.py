"""A long rate-limited outage: the cloud's Retry-After is honoured, and data flows again soon
after it ends."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest

from simulators.core import SimulatorServer
from simulators.harvia import HarviaSimulator
from tests.simulated_time import SimulatedTime

from .conftest import SetUp
from .helpers import push_ready, state_of

OUTAGE_MINUTES = 30
POLL = "GET /rest/device/devices"  # what every poll asks first


@pytest.mark.parametrize("retry_after", [60, 120])
async def test_a_long_429_outage_is_waited_out_without_hammering(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    cloud: SimulatorServer,
    simulated_time: SimulatedTime,
    retry_after: int,
) -> None:
    entry = await setup_integration()
    await push_ready(hass, entry, sim, "xenio-1")
    cloud.ctx.faults.add_from_json(
        "http", {"status": 429, "path": "*", "headers": {"Retry-After": str(retry_after)}}
    )
    await cloud.ctx.push.drop_all()  # the realtime endpoint is rate limited too
    requests, polls = cloud.ctx.log.total, cloud.ctx.log.count(POLL)
    await simulated_time.advance(OUTAGE_MINUTES * 60)
    assert cloud.ctx.log.total - requests <= 2 * OUTAGE_MINUTES
    # Each poll waits what the cloud asked for.
    assert cloud.ctx.log.count(POLL) - polls <= OUTAGE_MINUTES * 60 / retry_after + 1

    cloud.ctx.faults.clear()  # the cloud answers again
    sauna = sim.cloud.saunas["xenio-1"]
    sim.cloud.command(sauna, sauna.cabin("C1"), "SAUNA", "on")
    waited = 0.0
    while state_of(hass, "climate.cabin_sauna") != "heat":
        assert waited <= retry_after + 60, "no data within a minute of the retry-after"
        await simulated_time.advance(5)
        waited += 5
    assert not hass.config_entries.flow.async_progress()  # no reauth for an outage
